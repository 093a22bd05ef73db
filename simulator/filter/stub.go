package filter

import (
	"errors"

	"github.com/elimity-com/scim/schema"
)

var errNotImplemented = errors.New("filter: not implemented")

type config struct {
	valuePathSub        bool
	maxLength, maxDepth int
}

func newConfig(opts []Option) config {
	c := config{maxLength: DefaultMaxLength, maxDepth: DefaultMaxDepth}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func parseFilter(string, config) (Expr, error) { return nil, errNotImplemented }
func parsePath(string, config) (Path, error)   { return Path{}, errNotImplemented }
func check(Expr, Schema) error                 { return errNotImplemented }
func checkPath(Path, Schema) error             { return errNotImplemented }
func eval(Expr, map[string]any, Schema) bool   { return false }
func attributes(Expr) []AttrPath               { return nil }
func equalityOn(Expr) (AttrPath, string, bool) { return AttrPath{}, "", false }
func (e *Error) Error() string                 { return e.Msg }
func (e *Compare) String() string              { return "" }
func (e *Present) String() string              { return "" }
func (e *Logical) String() string              { return "" }
func (e *Not) String() string                  { return "" }
func (e *ValuePath) String() string            { return "" }
func (e *Compare) Position() int               { return e.Pos }
func (e *Present) Position() int               { return e.Pos }
func (e *Logical) Position() int               { return e.Pos }
func (e *Not) Position() int                   { return e.Pos }
func (e *ValuePath) Position() int             { return e.Pos }
func (*Compare) expr()                         {}
func (*Present) expr()                         {}
func (*Logical) expr()                         {}
func (*Not) expr()                             {}
func (*ValuePath) expr()                       {}

func newSCIMSchema(schema.Schema, []schema.Schema) Schema { return nil }
func (p AttrPath) string() string                         { return "" }
func (p Path) string() string                             { return "" }
