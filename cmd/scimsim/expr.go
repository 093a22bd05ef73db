package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/scimsim/scimsim/engine"
	"github.com/scimsim/scimsim/engine/expr"
	"github.com/scimsim/scimsim/internal/decode"
)

func init() { subcommands = append(subcommands, exprCommand) }

// exprFlags are the flags of `scimsim expr`.
type exprFlags struct {
	attrs     []string
	attrFile  string
	source    string
	user      string
	schema    []string
	tree      bool
	now       string
	seed      int64
	seedSet   bool
	functions bool
	domain    string
	taken     []string
}

func exprCommand() *cobra.Command {
	var f exprFlags
	cmd := &cobra.Command{
		Use:   "expr 'EXPRESSION' [--attr NAME=VALUE]... [--source FILE --user QUERY] [--tree]",
		Short: "Validate and evaluate an attribute-mapping expression, as the portal's expression builder does",
		Long: `Parse and validate an attribute-mapping expression written in Entra ID's expression language, then
evaluate it against a user's attributes: the --user of a --source file, an --attr-file, --attr
pairs, or any of them together (--attr-file overrides --source, and --attr overrides both).

A value of --attr is a string, except true and false (booleans) and a JSON array (a multi-valued
attribute). --attr-file is a YAML map of attribute names to values. With --source, the user's
attributes are those of the file, plus IsSoftDeleted (true when the user is disabled or
soft-deleted) and appRoleAssignments (the roles of the user's assignments).

DefaultDomain() returns --default-domain, or else the defaultDomain of the --source file; without
either it fails, as it does in a tenant without a default verified domain. SelectUniqueValue skips
the values given with --taken, which stand for values that already exist in the target.

The result prints as Entra would send it: a string, True or False, a JSON array for a multi-valued
result, "(null: not provisioned)" when the value is null, and "(ignored: IgnoreFlowIfNullOrEmpty)"
when the attribute is dropped from the flow.

Exit status: 0 when the expression evaluates, 1 when evaluation fails, 2 when the expression or
the flags are invalid (the error points at the mistake with a caret).`,
		Example: `  scimsim expr 'Join(" ", [givenName], [surname])' --attr givenName=Alice --attr surname=Smith
  scimsim expr 'ToLower(Join("@", NormalizeDiacritics([givenName]), "contoso.com"))' --source testdata/sources/contoso.yaml --user alice@contoso.com
  scimsim expr 'Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )' --attr 'telephoneNumber=+91 9998887777' --tree
  scimsim expr 'DateAdd("d", 7, Now())' --now 2026-11-25T10:00:00Z
  scimsim expr 'Join("@", [mailNickname], DefaultDomain())' --attr mailNickname=jsmith --default-domain contoso.com
  scimsim expr 'SelectUniqueValue(Join("@", [givenName], "contoso.com"), Join("@", Join(".", [givenName], [surname]), "contoso.com"))' --attr givenName=John --attr surname=Smith --taken John@contoso.com
  scimsim expr --functions`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.seedSet = cmd.Flags().Changed("seed")
			return runExpr(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.attrs, "attr", nil, "a source attribute, NAME=VALUE (repeatable); true/false are booleans, [\"a\",\"b\"] is multi-valued")
	fl.StringVar(&f.attrFile, "attr-file", "", "a YAML map of source attributes")
	fl.StringVar(&f.source, "source", "", "source directory file (YAML), with --user")
	fl.StringVar(&f.user, "user", "", "the user of --source whose attributes to use: name, UPN or email (worker id for Cloud HR sources)")
	fl.StringSliceVar(&f.schema, "schema", nil, "the source attributes that exist (comma-separated); any other attribute is an error")
	fl.BoolVar(&f.tree, "tree", false, "print the parsed expression as a tree before its value")
	fl.StringVar(&f.now, "now", "", "the time Now() returns (RFC 3339); default: the clock")
	fl.Int64Var(&f.seed, "seed", 0, "seed of Guid() and RandomString(); default: a new seed each run")
	fl.BoolVar(&f.functions, "functions", false, "list the functions of the language and exit")
	fl.StringVar(&f.domain, "default-domain", "", "the tenant's default verified domain, which DefaultDomain() returns (default: the --source file's defaultDomain)")
	fl.StringArrayVar(&f.taken, "taken", nil, "a value that already exists in the target, which SelectUniqueValue skips (repeatable)")
	return cmd
}

func runExpr(stdout, stderr io.Writer, args []string, f exprFlags) error {
	if f.functions {
		if len(args) > 0 {
			return usageError("expr: --functions takes no expression")
		}
		return writeFunctions(stdout)
	}
	if len(args) == 0 {
		return usageError("expr: give the expression to evaluate, e.g. scimsim expr 'Join(\" \", [givenName], [surname])'")
	}
	if (f.source == "") != (f.user == "") {
		return usageError("expr: --source and --user go together")
	}
	env := expr.Env{Attrs: map[string]any{}}
	var known []string // attributes the source has, for warnings
	if f.source != "" {
		src, err := loadSource(f.source, stderr)
		if err != nil {
			return usageError("expr: %v", err)
		}
		attrs, err := src.ExpressionAttributes(f.user)
		if err != nil {
			return usageError("expr: %s: %v", f.source, err)
		}
		env.Attrs = attrs
		env.DefaultDomain = src.DefaultDomain
		known = src.AttributeNames()
	}
	if f.domain != "" {
		if err := engine.ValidateDomainName(f.domain); err != nil {
			return usageError("expr: --default-domain: %v", err)
		}
		env.DefaultDomain = f.domain
	}
	if len(f.taken) > 0 {
		env.Exists = func(v string) (bool, error) { return slices.Contains(f.taken, v), nil }
	}
	if f.attrFile != "" {
		attrs, err := readAttrFile(f.attrFile)
		if err != nil {
			return usageError("expr: %v", err)
		}
		for k, v := range attrs {
			env.Attrs[k] = v
		}
	}
	for _, a := range f.attrs {
		name, value, err := parseAttrFlag(a)
		if err != nil {
			return usageError("expr: --attr %s: %v", a, err)
		}
		env.Attrs[name] = value
	}
	if f.now != "" {
		now, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return usageError("expr: --now %q is not an RFC 3339 time such as 2026-11-25T10:00:00Z", f.now)
		}
		env.Now = func() time.Time { return now }
	}
	seed := f.seed
	if !f.seedSet {
		seed = time.Now().UnixNano()
	}
	env.Rand = rand.New(rand.NewSource(seed))

	var opts []expr.ParseOption
	if len(f.schema) > 0 {
		opts = append(opts, expr.WithAttributes(f.schema))
	}
	e, err := expr.Parse(args[0], opts...)
	if err != nil {
		return usageError("expr: %v", err)
	}
	if known != nil {
		warnUnknownAttributes(stderr, e, known, env.Attrs, f.source)
	}
	if f.tree {
		fmt.Fprint(stdout, e.Tree())
	}
	v, err := e.Eval(env)
	if err != nil {
		if errors.Is(err, expr.ErrNoDefaultDomain) {
			err = fmt.Errorf("%w\ngive the tenant's default verified domain with --default-domain, or a --source file with a defaultDomain", err)
		}
		return &exitError{code: 1, err: fmt.Errorf("expr: %w", err)}
	}
	return writeValue(stdout, v)
}

// writeValue prints a result the way Entra sends it.
func writeValue(w io.Writer, v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		s = "(null: not provisioned)"
	case string:
		s = v
	case bool:
		s = "False"
		if v {
			s = "True"
		}
	case []string:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		s = string(b)
	default:
		if v == expr.Ignore {
			s = "(ignored: IgnoreFlowIfNullOrEmpty)"
		} else {
			s = fmt.Sprint(v)
		}
	}
	_, err := fmt.Fprintln(w, s)
	return err
}

func writeFunctions(w io.Writer) error {
	for _, name := range expr.FunctionNames() {
		f := expr.Functions[name]
		if _, err := fmt.Fprintf(w, "%s\n    %s\n", f.Signature, f.Doc); err != nil {
			return err
		}
	}
	return nil
}

// parseAttrFlag reads NAME=VALUE. VALUE is a string, except true and false, which are booleans,
// and a JSON array, which is a multi-valued attribute.
func parseAttrFlag(s string) (string, any, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return "", nil, errors.New("want NAME=VALUE")
	}
	switch value {
	case "true":
		return name, true, nil
	case "false":
		return name, false, nil
	}
	if strings.HasPrefix(value, "[") {
		var list []any
		if err := json.Unmarshal([]byte(value), &list); err == nil {
			for i, e := range list {
				switch e.(type) {
				case string, bool, float64, nil:
				default:
					return "", nil, fmt.Errorf("value %d of the list is not a string, number or boolean", i+1)
				}
			}
			return name, list, nil
		}
	}
	return name, value, nil
}

// readAttrFile reads a YAML map of attribute names to values: scalars, read as a source's
// attributes are, or lists of them.
func readAttrFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	root, err := decode.Document(path, b, "")
	if errors.Is(err, decode.ErrEmpty) {
		return attrs, nil
	}
	if err != nil {
		return nil, err
	}
	d := decode.New(path)
	if root.Kind != yaml.MappingNode {
		return nil, d.Errorf(root, "", "want a map of attribute names to values")
	}
	d.Add(d.Fields(root, "", nil, nil, func(key string, _, v *yaml.Node) error {
		value, err := attrValue(d, v, key)
		attrs[key] = value
		return err
	}))
	return attrs, d.Err()
}

// attrValue is a scalar, or a list of scalars each of its own type (a source's lists are of
// strings; --attr-file keeps what was written, as --attr does with a JSON array).
func attrValue(d *decode.Decoder, n *yaml.Node, field string) (any, error) {
	if n.Kind != yaml.SequenceNode {
		return d.Scalar(n, field)
	}
	list := make([]any, 0, len(n.Content))
	for i, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return nil, d.Errorf(item, decode.Index(field, i), "a multi-valued attribute holds strings, numbers or booleans")
		}
		v, err := d.Scalar(item, decode.Index(field, i))
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// warnUnknownAttributes points out, without failing, attributes that no user of the source has:
// usually a typo, since a missing attribute is silently null.
func warnUnknownAttributes(w io.Writer, e *expr.Expr, known []string, given map[string]any, file string) {
	if _, err := expr.Parse(e.Source(), expr.WithAttributes(known)); err == nil {
		return
	}
	for _, name := range e.Attributes() {
		if _, ok := given[name]; ok || slices.Contains(known, name) {
			continue
		}
		_, err := expr.Parse("["+name+"]", expr.WithAttributes(known))
		var pe *expr.Error
		if errors.As(err, &pe) {
			fmt.Fprintf(w, "warning: no user in %s has attribute [%s], so it is null%s\n", file, name, strings.TrimPrefix(pe.Msg, "unknown attribute ["+name+"]"))
		}
	}
}
