package simulator

import (
	"unicode"
)

// checkUserName refuses a user whose userName is empty or holds a control character, in both
// profiles: 400 invalidValue. RFC 7643 §4.1.1 makes userName REQUIRED and the service provider's
// unique identifier of the user, which an empty string cannot be; a control character (Unicode
// category Cc: NUL, line breaks, DEL, C1) cannot be typed, cannot appear in a filter a client
// would write to find the user again (RFC 7644 §3.4.2.2 compares the string as sent), and is the
// mark of a broken mapping upstream, not of a real name.
func checkUserName(k *kind, attrs map[string]any) error {
	if !k.is(userKind) {
		return nil
	}
	name, ok := attrs["userName"].(string)
	if !ok {
		return nil // missing or not a string: the schema validation answers
	}
	return checkUserNameValue(name)
}

// checkUserNameValue is checkUserName's check of the name.
func checkUserNameValue(name string) error {
	if name == "" {
		return invalidValue("userName is empty; RFC 7643 §4.1.1 makes it the user's required, unique identifier")
	}
	for i, r := range name {
		if unicode.IsControl(r) {
			return invalidValue("userName %q holds the control character U+%04X at byte %d", name, r, i)
		}
	}
	return nil
}
