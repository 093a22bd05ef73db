package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entra evaluates FormatDateTime, CDate and Now on .NET, so date formats are .NET custom date and
// time format strings ("Custom date and time format strings", learn.microsoft.com/dotnet/standard/
// base-types/custom-date-and-time-format-strings), not Go layouts. A format is split once, at
// Parse time, into parts, and the parts both format and parse (DateTime.ParseExact) a date.
// Culture-dependent names and separators are those of en-US, the culture of the documented
// examples ("3/16/2020 7:00:00 AM").

type dtKind uint8

const (
	dtLiteral     dtKind = iota
	dtDay                // d dd
	dtDayName            // ddd dddd
	dtMonth              // M MM
	dtMonthName          // MMM MMMM
	dtYear               // y yy yyy yyyy yyyyy
	dtHour12             // h hh
	dtHour24             // H HH
	dtMinute             // m mm
	dtSecond             // s ss
	dtFraction           // f..fffffff: exactly n digits
	dtFractionOpt        // F..FFFFFFF: trailing zeros dropped
	dtAMPM               // t tt
	dtOffset             // z zz zzz
	dtKindZone           // K
	dtEra                // g gg
)

type dtPart struct {
	kind dtKind
	n    int    // number of repeated letters
	lit  string // dtLiteral text
}

// dateFormat is a parsed .NET custom date and time format string.
type dateFormat struct {
	src   string
	parts []dtPart
}

// standardFormats maps .NET's single-letter standard format strings to their en-US custom
// equivalents ("Standard date and time format strings").
var standardFormats = map[string]string{
	"d": "M/d/yyyy",
	"D": "dddd, MMMM d, yyyy",
	"f": "dddd, MMMM d, yyyy h:mm tt",
	"F": "dddd, MMMM d, yyyy h:mm:ss tt",
	"g": "M/d/yyyy h:mm tt",
	"G": "M/d/yyyy h:mm:ss tt",
	"m": "MMMM d",
	"M": "MMMM d",
	"o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	"O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	"r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	"R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	"s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
	"t": "h:mm tt",
	"T": "h:mm:ss tt",
	"u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
	"y": "MMMM yyyy",
	"Y": "MMMM yyyy",
}

// parseDateFormat splits a .NET format string into parts.
func parseDateFormat(src string) (*dateFormat, error) {
	if src == "" {
		return nil, errors.New("empty date format")
	}
	f := &dateFormat{src: src}
	if len(src) == 1 {
		std, ok := standardFormats[src]
		if !ok {
			return nil, fmt.Errorf("%q is not a .NET standard date format (a one-letter format must be one of d D f F g G m o r s t T u y)", src)
		}
		src = std
	}
	addLit := func(s string) {
		if n := len(f.parts); n > 0 && f.parts[n-1].kind == dtLiteral {
			f.parts[n-1].lit += s
			return
		}
		f.parts = append(f.parts, dtPart{kind: dtLiteral, lit: s})
	}
	for i := 0; i < len(src); {
		c := src[i]
		run := 1
		for i+run < len(src) && src[i+run] == c {
			run++
		}
		var kind dtKind
		known := true
		switch c {
		case 'd':
			kind = dtDay
			if run >= 3 {
				kind = dtDayName
			}
		case 'M':
			kind = dtMonth
			if run >= 3 {
				kind = dtMonthName
			}
		case 'y':
			kind = dtYear
		case 'h':
			kind = dtHour12
		case 'H':
			kind = dtHour24
		case 'm':
			kind = dtMinute
		case 's':
			kind = dtSecond
		case 'f':
			kind = dtFraction
		case 'F':
			kind = dtFractionOpt
		case 't':
			kind = dtAMPM
		case 'z':
			kind = dtOffset
		case 'K':
			kind = dtKindZone
		case 'g':
			kind = dtEra
		default:
			known = false
		}
		if known {
			if (kind == dtFraction || kind == dtFractionOpt) && run > 7 {
				return nil, fmt.Errorf("format %q: at most 7 %c specifiers are allowed", f.src, c)
			}
			if kind == dtKindZone {
				for range run {
					f.parts = append(f.parts, dtPart{kind: kind, n: 1})
				}
			} else {
				f.parts = append(f.parts, dtPart{kind: kind, n: min(run, maxRun(kind))})
			}
			i += run
			continue
		}
		switch c {
		case '\'', '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("format %q: unterminated quoted literal starting at %d", f.src, i+1)
			}
			addLit(src[i+1 : i+1+end])
			i += end + 2
		case '\\':
			if i+1 >= len(src) {
				return nil, fmt.Errorf("format %q ends with an escape character", f.src)
			}
			addLit(src[i+1 : i+2])
			i += 2
		case '%':
			if i+1 >= len(src) || src[i+1] == '%' {
				return nil, fmt.Errorf("format %q: %% must be followed by one format specifier", f.src)
			}
			i++
		case ':', '/':
			addLit(string(c)) // en-US time and date separators
			i++
		default:
			addLit(string(c))
			i++
		}
	}
	return f, nil
}

func maxRun(k dtKind) int {
	switch k {
	case dtDayName, dtMonthName:
		return 4
	case dtYear:
		return 5
	case dtOffset, dtAMPM, dtEra:
		return 3
	case dtFraction, dtFractionOpt:
		return 7
	}
	return 2
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// format renders t (in UTC, Entra's server time zone) with the format.
func (f *dateFormat) format(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	pad := func(v, n int) {
		s := strconv.Itoa(v)
		for i := len(s); i < n; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for i, p := range f.parts {
		switch p.kind {
		case dtLiteral:
			// .NET drops a decimal point directly before F specifiers that print nothing.
			if p.lit == "." && i+1 < len(f.parts) && f.parts[i+1].kind == dtFractionOpt && fraction(t, f.parts[i+1].n, true) == "" {
				continue
			}
			if strings.HasSuffix(p.lit, ".") && i+1 < len(f.parts) && f.parts[i+1].kind == dtFractionOpt && fraction(t, f.parts[i+1].n, true) == "" {
				b.WriteString(p.lit[:len(p.lit)-1])
				continue
			}
			b.WriteString(p.lit)
		case dtDay:
			pad(t.Day(), p.n)
		case dtDayName:
			name := dayNames[t.Weekday()]
			if p.n == 3 {
				name = name[:3]
			}
			b.WriteString(name)
		case dtMonth:
			pad(int(t.Month()), p.n)
		case dtMonthName:
			name := monthNames[t.Month()-1]
			if p.n == 3 {
				name = name[:3]
			}
			b.WriteString(name)
		case dtYear:
			y := t.Year()
			if p.n <= 2 {
				y %= 100
			}
			pad(y, p.n)
		case dtHour12:
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, p.n)
		case dtHour24:
			pad(t.Hour(), p.n)
		case dtMinute:
			pad(t.Minute(), p.n)
		case dtSecond:
			pad(t.Second(), p.n)
		case dtFraction:
			b.WriteString(fraction(t, p.n, false))
		case dtFractionOpt:
			b.WriteString(fraction(t, p.n, true))
		case dtAMPM:
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if p.n == 1 {
				ampm = ampm[:1]
			}
			b.WriteString(ampm)
		case dtOffset:
			// Dates are UTC, so the offset is zero.
			switch p.n {
			case 1:
				b.WriteString("+0")
			case 2:
				b.WriteString("+00")
			default:
				b.WriteString("+00:00")
			}
		case dtKindZone:
			b.WriteString("Z")
		case dtEra:
			b.WriteString("A.D.")
		}
	}
	return b.String()
}

// fraction returns the first n digits of t's fractional second; with trim, trailing zeros are
// removed (the F specifier).
func fraction(t time.Time, n int, trim bool) string {
	s := fmt.Sprintf("%09d", t.Nanosecond())[:n]
	if trim {
		s = strings.TrimRight(s, "0")
	}
	return s
}

// parse reads s with the format, as DateTime.ParseExact does with Entra's default styles
// (AllowLeadingWhite, AllowTrailingWhite, RoundtripKind). A parsed offset converts the date to
// UTC; a date without offset is taken as UTC, the time zone of Entra's servers.
func (f *dateFormat) parse(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	var (
		year, month, day     = 1, 1, 1
		hour, minute, second int
		nanos                int
		pm, hasAMPM, hour12  bool
		offset               int // seconds east of UTC
	)
	fail := func(what string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q does not match date format %q: %s", s, f.src, what)
	}
	for i, p := range f.parts {
		switch p.kind {
		case dtLiteral:
			if p.lit == "." && i+1 < len(f.parts) && f.parts[i+1].kind == dtFractionOpt && !strings.HasPrefix(in, ".") {
				continue
			}
			lit := p.lit
			if strings.TrimSpace(lit) == "" && lit != "" {
				// Runs of white space in the format match runs of white space in the input.
				trimmed := strings.TrimLeft(in, " \t")
				if trimmed == in {
					return fail("expected white space")
				}
				in = trimmed
				continue
			}
			if !strings.HasPrefix(in, lit) {
				return fail(fmt.Sprintf("expected %q", lit))
			}
			in = in[len(lit):]
		case dtDay, dtMonth, dtHour12, dtHour24, dtMinute, dtSecond, dtYear:
			lo, hi := p.n, 2
			if p.n == 1 {
				lo = 1
			}
			if p.kind == dtYear {
				switch {
				case p.n <= 2:
					lo, hi = p.n, 2
				default:
					lo, hi = p.n, max(p.n, 4)
				}
			}
			v, rest, ok := digits(in, lo, hi)
			if !ok {
				return fail(fmt.Sprintf("expected %d to %d digits for %s", lo, hi, strings.Repeat(string(specLetter(p.kind)), p.n)))
			}
			in = rest
			switch p.kind {
			case dtDay:
				day = v
			case dtMonth:
				month = v
			case dtYear:
				year = v
				if p.n <= 2 {
					year = twoDigitYear(v)
				}
			case dtHour12:
				hour, hour12 = v, true
			case dtHour24:
				hour = v
			case dtMinute:
				minute = v
			case dtSecond:
				second = v
			}
		case dtDayName:
			_, n, ok := matchName(in, dayNames[:], p.n == 3)
			if !ok {
				return fail("expected a day name")
			}
			in = in[n:]
		case dtMonthName:
			idx, n, ok := matchName(in, monthNames[:], p.n == 3)
			if !ok {
				return fail("expected a month name")
			}
			month = idx + 1
			in = in[n:]
		case dtFraction, dtFractionOpt:
			lo := p.n
			if p.kind == dtFractionOpt {
				lo = 0
			}
			start := in
			v, rest, ok := digits(in, lo, p.n)
			if !ok {
				return fail(fmt.Sprintf("expected %d fraction digits", p.n))
			}
			width := len(start) - len(rest)
			for range 9 - width {
				v *= 10
			}
			nanos = v
			in = rest
		case dtAMPM:
			switch {
			case len(in) >= 2 && p.n >= 2 && (strings.EqualFold(in[:2], "AM") || strings.EqualFold(in[:2], "PM")):
				pm, hasAMPM = strings.EqualFold(in[:2], "PM"), true
				in = in[2:]
			case len(in) >= 1 && p.n == 1 && (in[0] == 'A' || in[0] == 'P' || in[0] == 'a' || in[0] == 'p'):
				pm, hasAMPM = in[0] == 'P' || in[0] == 'p', true
				in = in[1:]
			default:
				return fail("expected AM or PM")
			}
		case dtOffset, dtKindZone:
			if p.kind == dtKindZone {
				if in == "" || (in[0] != '+' && in[0] != '-' && in[0] != 'Z') {
					continue // K matches nothing for an unspecified kind
				}
				if in[0] == 'Z' {
					in = in[1:]
					continue
				}
			}
			off, rest, ok := parseOffset(in, p)
			if !ok {
				return fail("expected a time zone offset such as -07:00")
			}
			offset, in = off, rest
		case dtEra:
			for _, era := range []string{"A.D.", "AD"} {
				if strings.HasPrefix(in, era) {
					in = in[len(era):]
					break
				}
			}
		}
	}
	if in != "" {
		return fail(fmt.Sprintf("unexpected %q at the end", in))
	}
	if hour12 || hasAMPM {
		if hour12 && (hour < 1 || hour > 12) {
			return fail(fmt.Sprintf("hour %d is not between 1 and 12", hour))
		}
		if hour12 {
			hour %= 12
		}
		if pm {
			if !hour12 && hour >= 12 {
				return fail("hour is already in the afternoon")
			}
			hour += 12
		}
	}
	if month < 1 || month > 12 {
		return fail(fmt.Sprintf("month %d does not exist", month))
	}
	if day < 1 || day > daysIn(year, time.Month(month)) {
		return fail(fmt.Sprintf("day %d does not exist in %s %d", day, time.Month(month), year))
	}
	if hour > 23 || minute > 59 || second > 59 {
		return fail("time of day out of range")
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

func specLetter(k dtKind) byte {
	return map[dtKind]byte{dtDay: 'd', dtMonth: 'M', dtYear: 'y', dtHour12: 'h', dtHour24: 'H', dtMinute: 'm', dtSecond: 's'}[k]
}

// twoDigitYear applies .NET's Gregorian TwoDigitYearMax of 2049: 49 is 2049, 50 is 1950.
func twoDigitYear(y int) int {
	if y <= 49 {
		return 2000 + y
	}
	return 1900 + y
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// digits reads between lo and hi ASCII digits from the start of s.
func digits(s string, lo, hi int) (int, string, bool) {
	n := 0
	for n < len(s) && n < hi && isDigit(s[n]) {
		n++
	}
	if n < lo {
		return 0, s, false
	}
	v := 0
	for i := range n {
		v = v*10 + int(s[i]-'0')
	}
	return v, s[n:], true
}

// matchName finds which of names (or their three-letter abbreviations) starts s, ignoring case,
// and returns its index and length.
func matchName(s string, names []string, abbreviated bool) (index, n int, ok bool) {
	for i, name := range names {
		if abbreviated {
			name = name[:3]
		}
		if len(s) >= len(name) && strings.EqualFold(s[:len(name)], name) {
			return i, len(name), true
		}
	}
	return 0, 0, false
}

// parseOffset reads a time zone offset: +h or +hh for z and zz, +hh:mm for zzz and K.
func parseOffset(s string, p dtPart) (int, string, bool) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, s, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	lo := 2
	if p.kind == dtOffset && p.n == 1 {
		lo = 1
	}
	h, rest, ok := digits(s[1:], lo, 2)
	if !ok || h > 14 {
		return 0, s, false
	}
	m := 0
	if p.kind == dtKindZone || p.n == 3 {
		if !strings.HasPrefix(rest, ":") {
			return 0, s, false
		}
		if m, rest, ok = digits(rest[1:], 2, 2); !ok || m > 59 {
			return 0, s, false
		}
	}
	return sign * (h*3600 + m*60), rest, true
}

// cdateFormats are the shapes CDate, DateAdd, DateDiff and NumFromDate accept for a date string:
// the ISO 8601 forms used by Workday and SuccessFactors ("2020-03-16-07:00",
// "2009-06-15T01:45:30-07:00"), the en-US general forms Entra itself prints ("8/25/2021 5:41:18
// PM"), and RFC 1123. .NET's DateTime.Parse accepts more; anything else is an error that lists
// these.
var cdateFormats = mustDateFormats(
	"yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
	"yyyy-MM-dd'T'HH:mmK",
	"yyyy-MM-dd HH:mm:ss.FFFFFFFK",
	"yyyy-MM-dd HH:mmK",
	"yyyy-MM-ddK",
	"M/d/yyyy h:mm:ss tt",
	"M/d/yyyy h:mm tt",
	"M/d/yyyy H:mm:ss",
	"M/d/yyyy H:mm",
	"M/d/yyyy",
	"MMMM d, yyyy h:mm:ss tt",
	"MMMM d, yyyy",
	"ddd, dd MMM yyyy HH:mm:ss 'GMT'",
	"yyyyMMddHHmmss.FFFFFFF'Z'",
)

func mustDateFormats(srcs ...string) []*dateFormat {
	out := make([]*dateFormat, len(srcs))
	for i, s := range srcs {
		f, err := parseDateFormat(s)
		if err != nil {
			panic(err)
		}
		out[i] = f
	}
	return out
}

// parseDate reads a date string in any of cdateFormats.
func parseDate(s string) (time.Time, error) {
	for _, f := range cdateFormats {
		if t, err := f.parse(s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: expected ISO 8601 (2009-06-15T01:45:30-07:00, 2020-03-16-07:00) or M/d/yyyy h:mm:ss tt", s)
}

// fileTimeEpoch is 1601-01-01 UTC, the epoch of Active Directory's date format (FILETIME: 100ns
// intervals), used by DateFromNum and NumFromDate.
var fileTimeEpoch = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)

const unixToFileTimeSeconds = 11644473600

func toFileTime(t time.Time) int64 {
	return (t.Unix()+unixToFileTimeSeconds)*10_000_000 + int64(t.Nanosecond()/100)
}

func fromFileTime(n int64) (time.Time, error) {
	if n < 0 || n > 2650467743999999999 { // 9999-12-31T23:59:59.9999999Z, .NET's DateTime.MaxValue
		return time.Time{}, fmt.Errorf("%d is outside the range of Active Directory dates", n)
	}
	return time.Unix(n/10_000_000-unixToFileTimeSeconds, (n%10_000_000)*100).UTC(), nil
}

// addInterval adds n intervals to t, as VBA's DateAdd does: months and years keep the day of the
// month, clamped to the month's last day (January 31 plus one month is February 28 or 29).
func addInterval(interval string, n int64, t time.Time) (time.Time, error) {
	switch interval {
	case "yyyy":
		return addMonths(t, n*12), nil
	case "m":
		return addMonths(t, n), nil
	case "d":
		return t.AddDate(0, 0, int(n)), nil
	case "ww":
		return t.AddDate(0, 0, int(n)*7), nil
	case "h":
		return t.Add(time.Duration(n) * time.Hour), nil
	case "n":
		return t.Add(time.Duration(n) * time.Minute), nil
	case "s":
		return t.Add(time.Duration(n) * time.Second), nil
	}
	return time.Time{}, fmt.Errorf("unknown interval %q", interval)
}

func addMonths(t time.Time, n int64) time.Time {
	total := int64(t.Year())*12 + int64(t.Month()-1) + n
	y, m := int(total/12), time.Month(total%12+1)
	d := min(t.Day(), daysIn(y, m))
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// dateDiff counts interval boundaries crossed from a to b, as VBA's DateDiff does: "d" counts
// midnights, "ww" counts Sundays, "m" month starts, "yyyy" year starts; so DateDiff("yyyy",
// 12/31/2020, 1/1/2021) is 1. The documented examples (-3449 days, -493 weeks, -113 months,
// -9 years between 8/25/2021 5:41:18 PM and 2012-03-16-07:00) follow this rule.
func dateDiff(interval string, a, b time.Time) (int64, error) {
	a, b = a.UTC(), b.UTC()
	days := func(t time.Time) int64 {
		return int64(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	floorDiv := func(x, y int64) int64 {
		q := x / y
		if (x%y != 0) && ((x < 0) != (y < 0)) {
			q--
		}
		return q
	}
	switch interval {
	case "yyyy":
		return int64(b.Year() - a.Year()), nil
	case "m":
		return int64(b.Year()-a.Year())*12 + int64(b.Month()-a.Month()), nil
	case "d":
		return days(b) - days(a), nil
	case "ww":
		// 1970-01-01 was a Thursday: shift by 4 days so that weeks start on Sunday.
		return floorDiv(days(b)+4, 7) - floorDiv(days(a)+4, 7), nil
	case "h":
		return floorDiv(b.Unix(), 3600) - floorDiv(a.Unix(), 3600), nil
	case "n":
		return floorDiv(b.Unix(), 60) - floorDiv(a.Unix(), 60), nil
	case "s":
		return b.Unix() - a.Unix(), nil
	}
	return 0, fmt.Errorf("unknown interval %q", interval)
}

// intervals are DateAdd's and DateDiff's documented interval values.
var intervals = []string{"yyyy", "m", "d", "ww", "h", "n", "s"}
