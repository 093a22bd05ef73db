// Package expr provides the expression language Microsoft Entra ID uses in attribute mappings:
// a parser and checker that reject what the provisioning service would reject, and an evaluator
// that produces the value Entra would send.
//
// The language is described in Microsoft's "Reference for writing expressions for attribute
// mappings in Microsoft Entra Application Provisioning"
// (learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data).
// An expression is a function call whose arguments are [attribute] references, "string" constants
// (with \" and \\ escapes) or other calls, nested to any depth. Names are case-sensitive and an
// expression is at most 10,000 characters long.
//
// Parsing and checking are separate from evaluation: Parse validates the whole expression
// (function names, arity, regular expressions, date formats, known attributes) once, and the
// resulting *Expr can be evaluated many times and from many goroutines.
//
// Evaluation results are nil (null: the target attribute is not provisioned), string, bool,
// []string (multi-valued) or Ignore (IgnoreFlowIfNullOrEmpty removed the attribute from the flow).
//
// Entra evaluates expressions on .NET, so regular expressions and date formats follow .NET:
// named groups (?<name>...) and ${name} replacements are translated to Go's RE2, .NET custom date
// format strings are translated specifier by specifier, and constructs RE2 cannot express
// (lookaround, backreferences, atomic groups, possessive quantifiers) are rejected by Parse with an
// error naming the construct.
package expr
