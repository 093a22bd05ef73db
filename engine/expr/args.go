package expr

import "time"

// unary is the Call of a function of one argument, which read reads (evaluator.str, .int or
// .time): null when the argument is null, f of its value otherwise.
func unary[T any](read func(*evaluator, *Call, int) (T, bool, error), f func(T) (any, error)) func(*evaluator, *Call) (any, error) {
	return func(ev *evaluator, c *Call) (any, error) {
		v, ok, err := read(ev, c, 0)
		if err != nil || !ok {
			return nil, err
		}
		return f(v)
	}
}

// args reads the arguments of one call, in the order the function reads them. It keeps the first
// error, and once an argument read with source is null it evaluates no more: the call's result is
// then null, and the arguments after its source are never evaluated, so they cannot fail it. A
// function reads what it needs and then asks done; the values read after an error or a null
// source are zero.
type args struct {
	ev   *evaluator
	c    *Call
	err  error
	null bool
}

func (ev *evaluator) args(c *Call) args { return args{ev: ev, c: c} }

// done reports whether the call ends here: with a.err, or with null (a.err nil).
func (a *args) done() bool { return a.err != nil || a.null }

// strOK reads argument i as a single string; ok is false when it is null.
func (a *args) strOK(i int) (s string, ok bool) {
	if a.done() {
		return "", false
	}
	s, ok, a.err = a.ev.str(a.c, i)
	return s, ok
}

// intOK reads argument i as an integer; ok is false when it is null or empty.
func (a *args) intOK(i int) (n int64, ok bool) {
	if a.done() {
		return 0, false
	}
	n, ok, a.err = a.ev.int(a.c, i)
	return n, ok
}

// timeOK reads argument i as a date; ok is false when it is null or empty.
func (a *args) timeOK(i int) (t time.Time, ok bool) {
	if a.done() {
		return time.Time{}, false
	}
	t, ok, a.err = a.ev.time(a.c, i)
	return t, ok
}

// str reads argument i as a string, null as "".
func (a *args) str(i int) string {
	s, _ := a.strOK(i)
	return s
}

// int reads argument i as an integer, null or empty as 0.
func (a *args) int(i int) int64 {
	n, _ := a.intOK(i)
	return n
}

// source reads argument i as a string whose null makes the call's result null.
func (a *args) source(i int) string {
	s, ok := a.strOK(i)
	a.null = a.null || (!ok && a.err == nil)
	return s
}

// sourceInt reads argument i as an integer whose null or empty makes the result null.
func (a *args) sourceInt(i int) int64 {
	n, ok := a.intOK(i)
	a.null = a.null || (!ok && a.err == nil)
	return n
}

// sourceTime reads argument i as a date whose null or empty makes the result null.
func (a *args) sourceTime(i int) time.Time {
	t, ok := a.timeOK(i)
	a.null = a.null || (!ok && a.err == nil)
	return t
}
