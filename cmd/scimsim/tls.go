package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/pflag"
)

// tlsFlags are the TLS flags of every command that talks to a SCIM endpoint: trust a certificate
// authority of the endpoint's (a self-signed `scimsim serve --tls-self-signed --tls-cert-out FILE`
// included), or skip verification for a test endpoint.
type tlsFlags struct {
	caCert   string
	insecure bool
}

func (t *tlsFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&t.caCert, "ca-cert", "", "trust the certificate authorities in this PEM file when the target speaks HTTPS")
	fl.BoolVar(&t.insecure, "insecure", false, "do not verify the target's TLS certificate (for test endpoints only)")
}

// client returns the HTTP client the flags ask for; http.DefaultClient's settings otherwise.
func (t *tlsFlags) client() (*http.Client, error) {
	if t.caCert == "" && !t.insecure {
		return http.DefaultClient, nil
	}
	if t.caCert != "" && t.insecure {
		return nil, fmt.Errorf("--ca-cert and --insecure cannot be used together")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.insecure {
		cfg.InsecureSkipVerify = true
	} else {
		pem, err := os.ReadFile(t.caCert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in the file", t.caCert)
		}
		cfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}, nil
}
