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
