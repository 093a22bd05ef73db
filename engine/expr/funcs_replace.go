package expr

// Replace and its five documented modes.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

type replaceMode uint8

const (
	replaceOldValue     replaceMode = iota + 1 // oldValue + replacementValue
	replaceTemplate                            // oldValue + template
	replaceRegex                               // regexPattern + replacementValue
	replaceRegexGroup                          // regexPattern + regexGroupName + replacementValue
	replaceRegexExtract                        // regexPattern + regexGroupName + replacementAttributeName
)

type replaceData struct {
	mode  replaceMode
	re    *netRegex  // nil when the pattern is computed
	repl  []replPart // for replaceRegex with a constant replacement
	group int        // RE2 group index, when re and the group name are constants
}

// Replace's arguments.
const (
	rSource = iota
	rOldValue
	rPattern
	rGroup
	rReplacement
	rReplacementAttr
	rTemplate
)

// checkReplace decides which of the five documented modes a call uses, from which arguments are
// given, and compiles a constant pattern once.
func checkReplace(c *Call) error {
	has := func(i int) bool { return present(c, i) }
	d := &replaceData{}
	switch {
	case has(rPattern) && has(rOldValue):
		return argErrorf(rOldValue, "give either oldValue or regexPattern, not both")
	case has(rPattern) && has(rGroup) && has(rReplacement):
		d.mode = replaceRegexGroup
	case has(rPattern) && has(rGroup) && has(rReplacementAttr):
		d.mode = replaceRegexExtract
	case has(rPattern) && has(rGroup):
		return argErrorf(rGroup, "with regexGroupName, give replacementValue or replacementAttributeName")
	case has(rPattern) && has(rReplacement):
		d.mode = replaceRegex
	case has(rPattern):
		return argErrorf(rPattern, "with regexPattern, give replacementValue")
	case has(rOldValue) && has(rReplacement) && has(rTemplate):
		return argErrorf(rTemplate, "with oldValue, give either replacementValue or template, not both")
	case has(rOldValue) && has(rReplacement):
		d.mode = replaceOldValue
	case has(rOldValue) && has(rTemplate):
		d.mode = replaceTemplate
	case has(rOldValue):
		return argErrorf(rOldValue, "with oldValue, give replacementValue or template")
	default:
		return fmt.Errorf("give oldValue or regexPattern; the documented modes are oldValue+replacementValue, oldValue+template, regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue and regexPattern+regexGroupName+replacementAttributeName")
	}
	if s, ok := constStr(c, rOldValue); ok && s == "" {
		return argErrorf(rOldValue, "must not be empty")
	}
	if pattern, ok := constStr(c, rPattern); ok {
		re, err := compileNetRegex(pattern)
		if err != nil {
			return argErrorf(rPattern, "%v", err)
		}
		d.re = re
		if name, ok := constStr(c, rGroup); ok {
			g, found := re.names[name]
			if !found {
				return argErrorf(rGroup, "the pattern has no group named %q (its named groups: %s)", name, strings.Join(quoteAll(re.groupNames()), ", "))
			}
			d.group = g
		}
		if repl, ok := constStr(c, rReplacement); ok && d.mode == replaceRegex {
			d.repl = re.parseReplacement(repl)
		}
	}
	c.compiled = d
	return nil
}

func quoteAll(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Quote(x)
	}
	return out
}

func callReplace(ev *evaluator, c *Call) (any, error) {
	d := c.compiled.(*replaceData)
	src, ok, err := ev.str(c, rSource)
	if err != nil {
		return nil, err
	}
	if d.mode == replaceRegexExtract {
		if ok && src != "" {
			return src, nil
		}
		re, g, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		other, ok, err := ev.str(c, rReplacementAttr)
		if err != nil || !ok {
			return nil, err
		}
		if v, found := re.extract(other, g); found {
			return v, nil
		}
		return nil, nil
	}
	if !ok {
		return nil, nil
	}
	switch d.mode {
	case replaceOldValue, replaceTemplate:
		old, _, err := ev.str(c, rOldValue)
		if err != nil {
			return nil, err
		}
		if old == "" {
			return nil, errors.New("oldValue must not be empty")
		}
		if d.mode == replaceOldValue {
			repl, _, err := ev.str(c, rReplacement)
			if err != nil {
				return nil, err
			}
			return strings.ReplaceAll(src, old, repl), nil
		}
		tmpl, _, err := ev.str(c, rTemplate)
		if err != nil {
			return nil, err
		}
		return strings.ReplaceAll(tmpl, old, src), nil
	case replaceRegex:
		re, _, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		parts := d.repl
		if parts == nil || d.re == nil {
			repl, _, err := ev.str(c, rReplacement)
			if err != nil {
				return nil, err
			}
			parts = re.parseReplacement(repl)
		}
		return re.replaceAll(src, parts), nil
	default: // replaceRegexGroup
		re, g, err := ev.regex(c, d)
		if err != nil {
			return nil, err
		}
		repl, _, err := ev.str(c, rReplacement)
		if err != nil {
			return nil, err
		}
		return re.replaceGroup(src, g, repl), nil
	}
}

// regex returns Replace's compiled pattern and group, compiling them now only when they are
// computed by the expression rather than constants.
func (ev *evaluator) regex(c *Call, d *replaceData) (*netRegex, int, error) {
	re := d.re
	if re == nil {
		pattern, _, err := ev.str(c, rPattern)
		if err != nil {
			return nil, 0, err
		}
		if re, err = compileNetRegex(pattern); err != nil {
			return nil, 0, err
		}
	}
	if d.mode != replaceRegexGroup && d.mode != replaceRegexExtract {
		return re, 0, nil
	}
	if d.re != nil && d.group > 0 {
		return re, d.group, nil
	}
	name, _, err := ev.str(c, rGroup)
	if err != nil {
		return nil, 0, err
	}
	g, ok := re.names[name]
	if !ok {
		return nil, 0, fmt.Errorf("the pattern has no group named %q", name)
	}
	return re, g, nil
}
