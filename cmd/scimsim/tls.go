package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// TLS on both sides: the client flags of the commands that talk to a SCIM endpoint, and the
// certificate `scimsim serve` serves HTTPS with.

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

// serverTLS is the TLS configuration of `scimsim serve`: the key pair of --tls-cert and --tls-key,
// or with --tls-self-signed a throwaway certificate, written to --tls-cert-out when it is given;
// nil for plain HTTP.
func serverTLS(f serveFlags, logger *slog.Logger) (*tls.Config, error) {
	var cert tls.Certificate
	switch {
	case f.tlsCert != "":
		var err error
		if cert, err = tls.LoadX509KeyPair(f.tlsCert, f.tlsKey); err != nil {
			return nil, usageError("--tls-cert/--tls-key: %v", err)
		}
	case f.tlsSelfSigned:
		var fingerprint string
		var err error
		if cert, fingerprint, err = selfSigned(f.addr, time.Now()); err != nil {
			return nil, fmt.Errorf("self-signed certificate: %w", err)
		}
		logger.Info("self-signed certificate", "sha256", fingerprint)
		if f.tlsCertOut != "" {
			// A certificate is public: readable by the clients that trust it.
			der := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
			if err := os.WriteFile(f.tlsCertOut, der, 0o644); err != nil {
				return nil, usageError("--tls-cert-out: %v", err)
			}
			logger.Info("certificate written", "file", f.tlsCertOut)
		}
	default:
		return nil, nil
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// selfSigned makes a throwaway ECDSA P-256 certificate for localhost, the loopback addresses
// and the host of addr (Entra only talks HTTPS: use-scim-to-provision-users-and-groups.md,
// "Security requirements"), and returns its SHA-256 fingerprint for pinning.
func selfSigned(addr string, now time.Time) (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "scimsim", Organization: []string{"scimsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" {
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if !strings.EqualFold(host, "localhost") {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	sum := sha256.Sum256(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, hex.EncodeToString(sum[:]), nil
}
