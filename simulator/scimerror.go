package simulator

import (
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"

	"github.com/scimsim/scimsim/simulator/resource"
)

// The handlers' SCIM errors are package resource's (resource.Errorf): values, since elimity maps a
// *pointer* to a 500. These name the ones the handlers answer most.

func scimErr(status int, typ scimerrors.ScimType, format string, args ...any) scimerrors.ScimError {
	return resource.Errorf(status, typ, format, args...)
}

func invalidValue(format string, args ...any) scimerrors.ScimError {
	return resource.InvalidValue(format, args...)
}

func invalidPath(format string, args ...any) scimerrors.ScimError {
	return resource.InvalidPath(format, args...)
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
