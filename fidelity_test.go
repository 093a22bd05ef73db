package scimsim

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/scimsim/scimsim/internal/golden"
)

// TestBehaviours_cited: every row names a declaration (or file) that exists and whose comment or
// code cites the row's source, and docs/fidelity.md is generated from the table (-update rewrites).
func TestBehaviours_cited(t *testing.T) {
	if len(Behaviours) < 60 {
		t.Errorf("%d behaviours listed; the catalog of what scimsim reproduces has more", len(Behaviours))
	}
	for _, b := range Behaviours {
		text, err := declText(b.Where)
		if err != nil {
			t.Errorf("%q: %v", b.What, err)
			continue
		}
		if !strings.Contains(oneSpace(text), oneSpace(b.Cite)) {
			t.Errorf("%q: %s does not cite %q", b.What, b.Where, b.Cite)
		}
		switch b.Evidence {
		case Documented, FieldReport, Inferred:
		default:
			t.Errorf("%q: unknown evidence %q", b.What, b.Evidence)
		}
	}
	golden.File(t, "docs/fidelity.md", FidelityMarkdown())
}

// declText returns the doc comment and source of the declaration where names ("dir/file.go:Name"),
// or the whole file when no name is given.
func declText(where string) (string, error) {
	file, name, hasName := strings.Cut(where, ":")
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	if !hasName {
		return string(src), nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	recv, fn, isMethod := strings.Cut(name, ".")
	text := func(doc *ast.CommentGroup, n ast.Node) string {
		s := string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
		if doc != nil {
			s = doc.Text() + s
		}
		return s
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !isMethod && d.Recv == nil && d.Name.Name == name {
				return text(d.Doc, d), nil
			}
			if isMethod && d.Recv != nil && d.Name.Name == fn && recvName(d.Recv) == recv {
				return text(d.Doc, d), nil
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				var names []*ast.Ident
				var doc *ast.CommentGroup
				switch s := spec.(type) {
				case *ast.TypeSpec:
					names, doc = []*ast.Ident{s.Name}, s.Doc
				case *ast.ValueSpec:
					names, doc = s.Names, s.Doc
				}
				for _, id := range names {
					if id.Name == name {
						if doc == nil {
							doc = d.Doc
						}
						return text(doc, spec), nil
					}
				}
			}
		}
	}
	return "", fmt.Errorf("%s declares no %s", file, name)
}

func recvName(fl *ast.FieldList) string {
	t := fl.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// oneSpace folds runs of white space and comment markers, so that a citation may wrap across
// comment lines.
func oneSpace(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "//", " ")), " ")
}
