package entra

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scimsim/scimsim/report"
	"github.com/scimsim/scimsim/wire"
)

// Context says where a failed request was made, so that its answer is read as Entra reads it.
type Context struct {
	// Step is the step type the request belongs to.
	Step    string
	Dialect Dialect
	// Matched are the target ids this run matched or created a moment before. A 404 on one of
	// them is the target refusing the request, not a resource that vanished since an earlier cycle.
	Matched []string
	// BudgetSpent is set when the run's own time budget (Budget, job.timeout: scimsim's guard, not a
	// limit Microsoft documents) ran out.
	BudgetSpent bool
	Budget      time.Duration
}

// Verdict is an answer read as Entra reads it: the code, a reason that quotes what the target said,
// and the tips of the code at the step.
type Verdict struct {
	Code   Code
	Reason string
	Tips   []Tip
}

// Classify reads a failed request the way Entra's provisioning service does: the run's deadline
// first, then the transport, then the HTTP status (401 and 403 are credential failures whatever the
// body or content type), and only then the content. A failed export always carries the on-demand
// page's Step 5 tip first ("Failures for exporting changes can vary greatly").
func Classify(err error, c Context) Verdict {
	v := classify(err, c)
	v.Tips = append([]Tip(nil), v.Tips...)
	if c.Step == report.StepExport && (len(v.Tips) == 0 || v.Tips[0] != TipExportVaries) {
		v.Tips = append([]Tip{TipExportVaries}, v.Tips...)
	}
	return v
}

func verdict(code Code, step, reason string, extra ...Tip) Verdict {
	return Verdict{Code: code, Reason: reason, Tips: append(Lookup(code).TipsAt(step), extra...)}
}

// kindCodes are the codes of the requests that got no answer, by why.
var kindCodes = map[Kind]Code{
	KindTimeout:    CodeTimeout,
	KindCanceled:   CodeTimeout,
	KindConnection: CodeConnectionFailed,
	KindTLS:        CodeTLSHandshakeFailed,
}

// statusFirst are the codes an answer's status alone decides, read before its body; statusLast
// are those read after the body and after the 400 and 404 answers that depend on the request.
var (
	statusFirst = map[int]Code{
		http.StatusUnauthorized:    CodeUnauthorized,
		http.StatusForbidden:       CodeInsufficientRights,
		http.StatusTooManyRequests: CodeTooManyRequests,
	}
	statusLast = map[int]Code{
		http.StatusConflict:            CodeEntryConflict,
		http.StatusPreconditionFailed:  CodePreconditionFailed,
		http.StatusUnprocessableEntity: CodeUnprocessableEntity,
	}
)

func classify(err error, c Context) Verdict {
	reason := err.Error()
	var f *Finding
	if errors.As(err, &f) {
		return verdict(f.Code, c.Step, f.Reason)
	}
	if c.BudgetSpent {
		return verdict(CodeTimeout, c.Step, fmt.Sprintf("The run took longer than job.timeout (%s), scimsim's own limit on a run (Microsoft documents none; on-demand provisioning typically takes less than 30 seconds): %v", c.Budget, err))
	}
	var ce *Error
	if !errors.As(err, &ce) {
		return verdict(CodeInternalError, c.Step, reason)
	}
	if code, ok := kindCodes[ce.Kind]; ok {
		return verdict(code, c.Step, reason)
	}
	if v, ok := classifyGraph(ce, c); ok {
		return v
	}
	// Status first: an answer's status is read before its body, so that a 401 in text/plain is
	// a credential failure, not an incompatible answer.
	if code, ok := statusFirst[ce.Status]; ok {
		return verdict(code, c.Step, reason)
	}
	if ce.Status >= 500 {
		return verdict(CodeInternalServerError, c.Step, reason)
	}
	if ce.Kind == KindIncompatible {
		return verdict(CodeServiceIncompatible, c.Step, reason)
	}
	isQuery := ce.Method == http.MethodGet && strings.Contains(ce.URL, "filter=")
	switch st := ce.Status; {
	case st == http.StatusBadRequest && speaksHTTPS(ce):
		return verdict(CodeTLSHandshakeFailed, c.Step, reason+" (this endpoint speaks HTTPS: use an https:// tenant URL)")
	case st == http.StatusBadRequest && isQuery:
		return verdict(CodeUnsupportedFilter, c.Step, reason)
	case st == http.StatusNotFound && isQuery && c.Step == report.StepConnection:
		return verdict(CodeCredentialValidation, c.Step, reason)
	case st == http.StatusNotFound && isQuery:
		return verdict(CodeEmptyQueryNotFound, c.Step, reason)
	case st == http.StatusNotFound && targetsAny(ce.URL, c.Matched) != "":
		return verdict(CodeNotFoundOnWrite, c.Step, fmt.Sprintf("The target refused the request with 404 (%s %s): %s %s is what this run matched or created a moment before, so it did not vanish. The answer: %s",
			ce.Method, ce.URL, resourceOf(ce.URL), targetsAny(ce.URL, c.Matched), quoteBody(ce)))
	case st == http.StatusNotFound:
		return verdict(CodeInvalidAnchor, c.Step, reason)
	case statusLast[st] != "":
		return verdict(statusLast[st], c.Step, reason)
	case st == http.StatusBadRequest && strings.EqualFold(ce.ScimType, "noTarget"):
		return verdict(CodeBadRequest, c.Step, reason, TipAddAbsent)
	case st == http.StatusBadRequest && strings.EqualFold(ce.ScimType, "invalidPath"):
		return verdict(CodeSchemaAttributeNotFound, c.Step, reason)
	case st == http.StatusBadRequest:
		return verdict(CodeBadRequest, c.Step, reason, habitTips(ce.RequestBody)...)
	}
	return verdict(CodeWebExceptionProtocolErr, c.Step, reason)
}

// targetsAny returns the id of ids that the request URL names, "" when none.
func targetsAny(u string, ids []string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	for _, id := range ids {
		if id != "" && strings.HasSuffix(p.EscapedPath(), "/"+url.PathEscape(id)) {
			return id
		}
	}
	return ""
}

// resourceOf names the resource type of a request URL: "User" or "Group".
func resourceOf(u string) string {
	if strings.Contains(u, "/"+wire.Groups+"/") {
		return "Group"
	}
	return "User"
}

// speaksHTTPS recognises the 400 a TLS server answers to plain HTTP ("Client sent an HTTP request to
// an HTTPS server", Go; "The plain HTTP request was sent to HTTPS port", nginx).
func speaksHTTPS(e *Error) bool {
	b := strings.ToLower(e.Body)
	return strings.Contains(b, "http request to an https server") || strings.Contains(b, "plain http request was sent to https port")
}

// quoteBody quotes the answer's body for a reason.
func quoteBody(e *Error) string {
	if strings.TrimSpace(e.Body) == "" {
		return "the answer had no body"
	}
	return fmt.Sprintf("%q", wire.OneLine(e.Body, 300))
}

// habitTips are the tips about Entra's non-RFC habits that a refused request shows: string booleans
// and capitalised ops, and a manager sent as a plain string id.
func habitTips(body string) []Tip {
	var tips []Tip
	if strings.Contains(body, `"value":"False"`) || strings.Contains(body, `"value":"True"`) ||
		strings.Contains(body, `"op":"Replace"`) || strings.Contains(body, `"op":"Add"`) || strings.Contains(body, `"op":"Remove"`) {
		tips = append(tips, TipStrictBool)
	}
	if strings.Contains(body, `:manager","value":"`) {
		tips = append(tips, TipManagerString)
	}
	return tips
}
