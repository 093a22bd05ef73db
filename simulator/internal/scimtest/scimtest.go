// Package scimtest holds what the Ginkgo specs of the simulator and of its faults read an HTTP
// answer into: the status, the headers and the whole body, decoded as JSON on demand.
package scimtest

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

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
