package filter

// parsePath parses PATH = attrPath / valuePath [subAttr] (RFC 7644 Section 3.5.2). The filter inside
// a value path is a valFilter, parsed exactly as in a filter.
func parsePath(s string, cfg config) (Path, error) {
	if err := checkInput(s, cfg); err != nil {
		return Path{}, err
	}
	var p parser
	p.init(s, cfg)
	path := p.parsePath()
	if p.err == nil && p.tok.Kind != tokEOF {
		p.fail(p.tok.Pos, "unexpected "+p.tok.describe()+" after a complete path")
	}
	if p.err != nil {
		return Path{}, p.err
	}
	return path, nil
}

func (p *parser) parsePath() Path {
	word := p.tok
	if word.Kind != tokWord {
		p.fail(word.Pos, "expected an attribute name, found "+word.describe())
		return Path{}
	}
	attr, ok := p.attrPath(word)
	if !ok {
		return Path{}
	}
	path := Path{URN: attr.URN, Attr: attr.Attr, Sub: attr.Sub}
	p.advance()
	if p.tok.Kind != tokLBracket {
		return path
	}
	open := p.tok
	if attr.Sub != "" {
		p.fail(word.Pos, `a value path's attribute cannot have a sub-attribute, found "`+word.Value+`"`)
		return Path{}
	}
	if open.Pos != word.Pos+len(word.Value) {
		p.fail(open.Pos, `unexpected space before "["`)
		return Path{}
	}
	var closePos int
	if path.Filter, closePos = p.parseGroup(true, tokRBracket, "[]"); p.err != nil {
		return Path{}
	}
	if p.tok.Kind != tokDot {
		return path
	}
	dot := p.tok
	p.advance()
	if p.tok.Kind != tokWord || dot.Pos != closePos+1 || p.tok.Pos != dot.Pos+1 || !isAttrName(p.tok.Value) {
		p.fail(dot.Pos+1, `expected a sub-attribute name after "].", found `+p.tok.describe())
		return Path{}
	}
	path.Sub = p.tok.Value
	p.advance()
	return path
}
