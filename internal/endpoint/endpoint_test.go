package endpoint

import "testing"

func TestCheckBaseURL(t *testing.T) {
	tests := []struct{ url, wantErr string }{
		{"https://app.example/scim/v2", ""},
		{"http://127.0.0.1:8080/scim/v2", ""},
		{"/scim/v2", "want an absolute http or https URL"},
		{"ftp://app.example/scim", "want an absolute http or https URL"},
		{"https://app.example/scim?aadOptscim062020", `remove the query string ("aadOptscim062020"); it would be sent to the endpoint`},
		{"https://app.example/%zz", `parse "https://app.example/%zz": invalid URL escape "%zz"`},
	}
	for _, tt := range tests {
		err := CheckBaseURL(tt.url)
		if got := errText(err); got != tt.wantErr {
			t.Errorf("CheckBaseURL(%q) = %q, want %q", tt.url, got, tt.wantErr)
		}
	}
}

func TestCheckPrefix(t *testing.T) {
	for prefix, ok := range map[string]bool{"": true, DefaultPrefix: true, "ci-7_.": true, "my run": false, "a@b": false, "123456789012345678901234567890123": false} {
		if err := CheckPrefix(prefix); (err == nil) != ok {
			t.Errorf("CheckPrefix(%q) = %v, want ok %v", prefix, err, ok)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
