// Package scimtest is how the Ginkgo specs of the simulator and of its faults talk to a SCIM
// server: the request they send (NewRequest) and what they read the answer into (Response: the
// status, the headers and the whole body, decoded as JSON on demand).
package scimtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// NewRequest builds a request. body is a string (sent as is), a []byte, nil (no body), or a value
// sent as JSON; a body is labelled application/scim+json. headers are name, value pairs.
func NewRequest(method, url string, body any, headers ...string) (*http.Request, error) {
	rd, err := bodyReader(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req, nil
}

// bodyReader reads a request body as NewRequest takes it.
func bodyReader(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	}
	raw, err := json.Marshal(body)
	return bytes.NewReader(raw), err
}

// Response is an answer as the specs look at it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Read reads the whole of resp and closes its body; the error is the body's read error.
func Read(resp *http.Response) (Response, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// JSON decodes the body as an object, failing the spec when it is not one.
func (r Response) JSON() map[string]any {
	ginkgo.GinkgoHelper()
	var m map[string]any
	gomega.Expect(json.Unmarshal(r.Body, &m)).To(gomega.Succeed(), "body %s", r.Body)
	return m
}
