package expr

import (
	"fmt"
	"strings"
	"time"
)

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
