// SCIM errors (RFC 7644 §3.12) in the shape the simulator answers: elimity's ScimError, as a
// value, with a detail that names what failed and with which input.

package resource

import (
	"fmt"
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"
)

// Errorf builds an RFC 7644 §3.12 error with a detail that names what failed and with which
// input. Handlers must return it as a value: elimity maps a *pointer* to a 500.
func Errorf(status int, typ scimerrors.ScimType, format string, args ...any) scimerrors.ScimError {
	return scimerrors.ScimError{Status: status, ScimType: typ, Detail: fmt.Sprintf(format, args...)}
}

// InvalidValue is a 400 with scimType invalidValue (RFC 7644 §3.12, Table 9).
func InvalidValue(format string, args ...any) scimerrors.ScimError {
	return Errorf(http.StatusBadRequest, scimerrors.ScimTypeInvalidValue, format, args...)
}

// InvalidPath is a 400 with scimType invalidPath (RFC 7644 §3.12, Table 9).
func InvalidPath(format string, args ...any) scimerrors.ScimError {
	return Errorf(http.StatusBadRequest, scimerrors.ScimTypeInvalidPath, format, args...)
}
