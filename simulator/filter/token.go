package filter

// tokenKind classifies a token. Keywords are not a kind of their own: the parser reads a word as an
// attribute name, an operator or a literal depending on where it stands, so an attribute may be
// called "pr" or "not".
type tokenKind uint8

const (
	tokEOF      tokenKind = iota
	tokWord               // attribute name, keyword, true/false/null
	tokString             // JSON string literal, quotes included in Value
	tokNumber             // JSON number literal
	tokLParen             // (
	tokRParen             // )
	tokLBracket           // [
	tokRBracket           // ]
	tokDot                // . directly after ]
)

// token is one lexeme: Value is the exact input text, Pos its byte offset.
type token struct {
	Kind  tokenKind
	Pos   int
	Value string
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.Kind {
	case tokEOF:
		return "end of input"
	case tokString:
		return "string " + t.Value
	case tokNumber:
		return "number " + t.Value
	default:
		return `"` + t.Value + `"`
	}
}
