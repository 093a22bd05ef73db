package expr

// Date functions: CDate, Now, DateAdd, DateDiff, DateFromNum, NumFromDate, FormatDateTime.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

var callCDate = unary((*evaluator).time, func(t time.Time) (any, error) { return t, nil })

func callNow(ev *evaluator, _ *Call) (any, error) { return ev.now(), nil }

func checkInterval(c *Call) error {
	if s, ok := constStr(c, 0); ok && !slices.Contains(intervals, s) {
		return argErrorf(0, "unknown interval %q: use one of %s", s, strings.Join(intervals, ", "))
	}
	return nil
}

var (
	callDateAdd  = intervalCall((*args).intOK, (*args).timeOK, addInterval)
	callDateDiff = intervalCall((*args).timeOK, (*args).timeOK, dateDiff)
)

// intervalCall is the Call of DateAdd and DateDiff: the interval, then two arguments that read1
// and read2 read, all three evaluated; null when either of the two is null or empty.
func intervalCall[A, B, R any](read1 func(*args, int) (A, bool), read2 func(*args, int) (B, bool), f func(string, A, B) (R, error)) func(*evaluator, *Call) (any, error) {
	return func(ev *evaluator, c *Call) (any, error) {
		a := ev.args(c)
		interval := a.str(0)
		x, ok1 := read1(&a, 1)
		y, ok2 := read2(&a, 2)
		if a.done() || !ok1 || !ok2 {
			return nil, a.err
		}
		return f(interval, x, y)
	}
}

var (
	callDateFromNum = unary((*evaluator).int, func(n int64) (any, error) { return fromFileTime(n) })
	callNumFromDate = unary((*evaluator).time, numFromDate)
)

func numFromDate(t time.Time) (any, error) {
	if t.Before(fileTimeEpoch) {
		return nil, fmt.Errorf("%s is before 1601-01-01, the first Active Directory date", formatEntraTime(t))
	}
	return toFileTime(t), nil
}

// dateTimeStyles are the names of .NET's DateTimeStyles flags, accepted comma-separated in
// FormatDateTime's second argument. Dates are read as UTC, Entra's time zone, whichever is given.
var dateTimeStyles = []string{
	"None", "AllowLeadingWhite", "AllowTrailingWhite", "AllowInnerWhite", "AllowWhiteSpaces",
	"NoCurrentDateDefault", "AdjustToUniversal", "AssumeLocal", "AssumeUniversal", "RoundtripKind",
}

func checkDateTimeStyles(s string) error {
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "DateTimeStyles."))
		if !slices.Contains(dateTimeStyles, name) {
			return fmt.Errorf("unknown DateTimeStyles value %q: use %s", name, strings.Join(dateTimeStyles, ", "))
		}
	}
	return nil
}

type formatData struct{ in, out *dateFormat }

func checkFormatDateTime(c *Call) error {
	in, out := 2, 3
	if len(c.Args) == 3 { // FormatDateTime(source, inputFormat, outputFormat)
		in, out = 1, 2
	} else if s, ok := constStr(c, 1); ok && s != "" {
		if err := checkDateTimeStyles(s); err != nil {
			return argErrorf(1, "%v", err)
		}
	}
	d := &formatData{}
	for _, p := range []struct {
		i   int
		dst **dateFormat
	}{{in, &d.in}, {out, &d.out}} {
		if s, ok := constStr(c, p.i); ok {
			f, err := parseDateFormat(s)
			if err != nil {
				return argErrorf(p.i, "%v", err)
			}
			*p.dst = f
		}
	}
	c.compiled = d
	return nil
}

func callFormatDateTime(ev *evaluator, c *Call) (any, error) {
	in, out := 2, 3
	if len(c.Args) == 3 {
		in, out = 1, 2
	}
	v, err := ev.arg(c, 0)
	if err != nil || isNullOrEmpty(v) {
		return nil, err
	}
	d, _ := c.compiled.(*formatData)
	inFmt, outFmt := d.in, d.out
	for _, p := range []struct {
		i   int
		dst **dateFormat
	}{{in, &inFmt}, {out, &outFmt}} {
		if *p.dst != nil {
			continue
		}
		s, _, err := ev.str(c, p.i)
		if err != nil {
			return nil, err
		}
		if *p.dst, err = parseDateFormat(s); err != nil {
			return nil, err
		}
	}
	var t time.Time
	if tv, isTime := v.(time.Time); isTime {
		t = tv
	} else {
		s, err := toString(v)
		if err != nil {
			return nil, err
		}
		if t, err = inFmt.parse(s); err != nil {
			return nil, err
		}
	}
	return outFmt.format(t), nil
}
