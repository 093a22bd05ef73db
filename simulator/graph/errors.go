package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ContentType is the media type of every answer: Microsoft Graph answers application/json.
const ContentType = "application/json"

// Error is a Microsoft Graph error answer: {"error": {"code", "message", "innerError"}}
// (Microsoft Graph, "Microsoft Graph error responses and resource types": "The error resource
// is returned whenever an error occurs in the processing of a request").
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Graph's error codes that the directory answers with (the same reference page's code table;
// Request_BadRequest and Request_ResourceNotFound are the directory's own codes, as Graph returns
// them for users).
const (
	CodeBadRequest     = "Request_BadRequest"
	CodeNotFound       = "Request_ResourceNotFound"
	CodeUnauthorized   = "InvalidAuthenticationToken"
	CodeForbidden      = "Authorization_RequestDenied"
	CodeNotAllowed     = "Request_UnsupportedQuery"
	CodeMethodNotFound = "BadRequest"
)

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Body renders the error as Graph does. date and requestID fill innerError.
func (e *Error) Body(date time.Time, requestID string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code":    e.Code,
		"message": e.Message,
		"innerError": map[string]any{
			"date":       date.UTC().Format("2006-01-02T15:04:05"),
			"request-id": requestID,
		},
	}})
	return b
}

// WriteError writes err (an *Error, or anything else as a 500) as a Graph error answer.
func WriteError(w http.ResponseWriter, err error, date time.Time, requestID string) {
	ge, ok := err.(*Error)
	if !ok {
		ge = errorf(http.StatusInternalServerError, "generalException", "%v", err)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(ge.Status)
	_, _ = w.Write(ge.Body(date, requestID))
}
