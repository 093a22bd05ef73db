package expr

import "fmt"

// Kind is the kind of a lexical token.
type Kind int

// Token kinds.
const (
	TokEOF     Kind = iota
	TokIdent        // function name or named constant: Join, vbTextCompare
	TokAttr         // [attribute]; Value is the name without brackets
	TokString       // "text"; Value is the unescaped text
	TokNumber       // 7, -10, 1.5, &HF7; Value is the source text
	TokLParen       // (
	TokRParen       // )
	TokComma        // ,
	TokCompare      // = <> < <= > >=
)

var kindNames = [...]string{
	TokEOF:     "end of expression",
	TokIdent:   "name",
	TokAttr:    "attribute",
	TokString:  "string",
	TokNumber:  "number",
	TokLParen:  `"("`,
	TokRParen:  `")"`,
	TokComma:   `","`,
	TokCompare: "comparison operator",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Token is one lexical token of an expression.
type Token struct {
	Pos   int // byte offset of the token's first character
	End   int // byte offset just past the token
	Kind  Kind
	Value string
}

// describe names the token the way an error message shows it to a user.
func (t Token) describe() string {
	switch t.Kind {
	case TokEOF:
		return "end of expression"
	case TokIdent:
		return fmt.Sprintf("name %s", t.Value)
	case TokAttr:
		return fmt.Sprintf("attribute [%s]", t.Value)
	case TokString:
		return fmt.Sprintf("string %q", t.Value)
	case TokNumber:
		return fmt.Sprintf("number %s", t.Value)
	case TokCompare:
		return fmt.Sprintf("operator %s", t.Value)
	default:
		return t.Kind.String()
	}
}
