package simulator

import (
	"fmt"
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"
)

// scimErr builds an RFC 7644 §3.12 error with a detail that names what failed and with which
// input. The handlers return these as values: elimity maps a *pointer* to a 500.
func scimErr(status int, typ scimerrors.ScimType, format string, args ...any) scimerrors.ScimError {
	return scimerrors.ScimError{Status: status, ScimType: typ, Detail: fmt.Sprintf(format, args...)}
}

func invalidValue(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidValue, format, args...)
}

func invalidPath(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidPath, format, args...)
}

func invalidFilter(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidFilter, format, args...)
}

func invalidSyntax(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidSyntax, format, args...)
}

func notFound(k *kind, id string) scimerrors.ScimError {
	return scimErr(http.StatusNotFound, "", "%s %q not found", k.name, id)
}
