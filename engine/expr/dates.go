package expr

import (
	"fmt"
	"time"
)

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
