package expr

// Guid and RandomString, which draw from the random source the caller injects.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimsim/scimsim/wire"
)

func callGuid(ev *evaluator, _ *Call) (any, error) { return wire.RandomGUID(ev.rand()), nil }

// Character classes of RandomString, from the "Password must meet complexity requirements"
// reference the function's documentation links to.
const (
	randDigits  = "0123456789"
	randSpecial = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
	randUpper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	randLower   = "abcdefghijklmnopqrstuvwxyz"
	maxRandLen  = 256
)

type randomSpec struct {
	length, digits, special, upper, lower int64
	avoid                                 string
}

func (s randomSpec) validate() error {
	switch {
	case s.length < 1 || s.length > maxRandLen:
		return fmt.Errorf("Length must be between 1 and %d, got %d", maxRandLen, s.length)
	case s.digits < 0 || s.special < 0 || s.upper < 0 || s.lower < 0:
		return errors.New("minimums must not be negative")
	case s.digits+s.special+s.upper+s.lower > s.length:
		return fmt.Errorf("Length %d is less than the sum of the minimums (%d)", s.length, s.digits+s.special+s.upper+s.lower)
	}
	return nil
}

func checkRandomString(c *Call) error {
	var s randomSpec
	dst := []*int64{&s.length, &s.digits, &s.special, &s.upper, &s.lower}
	for i, p := range dst {
		n, ok := c.Args[i].(*Num)
		if !ok {
			return nil // computed at evaluation
		}
		v, isInt := n.boxed.(int64)
		if !isInt {
			return argErrorf(i, "must be a whole number, got %s", n.Text)
		}
		*p = v
	}
	if err := s.validate(); err != nil {
		return err
	}
	return nil
}

func callRandomString(ev *evaluator, c *Call) (any, error) {
	var s randomSpec
	dst := []*int64{&s.length, &s.digits, &s.special, &s.upper, &s.lower}
	for i, p := range dst {
		n, _, err := ev.int(c, i)
		if err != nil {
			return nil, err
		}
		*p = n
	}
	avoid, _, err := ev.str(c, 5)
	if err != nil {
		return nil, err
	}
	s.avoid = avoid
	if err := s.validate(); err != nil {
		return nil, err
	}
	strip := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(avoid, r) {
				return -1
			}
			return r
		}, set)
	}
	classes := []struct {
		set string
		min int64
	}{{strip(randDigits), s.digits}, {strip(randSpecial), s.special}, {strip(randUpper), s.upper}, {strip(randLower), s.lower}}
	r := ev.rand()
	out := make([]byte, 0, s.length)
	var pool string
	for _, cl := range classes {
		if cl.min > 0 && cl.set == "" {
			return nil, fmt.Errorf("CharactersToAvoid %q leaves no characters for a required class", avoid)
		}
		for range cl.min {
			out = append(out, cl.set[r.Intn(len(cl.set))])
		}
		if cl.min > 0 {
			pool += cl.set
		}
	}
	if pool == "" {
		pool = strip(randDigits + randUpper + randLower)
	}
	for int64(len(out)) < s.length {
		if pool == "" {
			return nil, fmt.Errorf("CharactersToAvoid %q leaves no characters to choose from", avoid)
		}
		out = append(out, pool[r.Intn(len(pool))])
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return string(out), nil
}
