// Command elimity serves github.com/elimity-com/scim's own SCIM 2.0 server on loopback, as a third-party
// peer for scimsim's conformance checks and load measurements.
//
// The library does the protocol: routing, request parsing, schema validation of POST/PUT bodies and of
// every PATCH operation (op names, paths, value types), filter parsing and matching, ListResponse and
// error JSON, /Schemas, /ResourceTypes and /ServiceProviderConfig. What the library leaves to an
// application by design is here, kept minimal: an in-memory ResourceHandler for User (with the
// enterprise extension) and Group, uniqueness of the attributes the library's schema marks unique, the
// application of already-validated PATCH operations (patch.go), and a bearer-token check.
//
// Env: PORT (default 8083), SCIM_TOKEN (default "peer-token"). Listens on 127.0.0.1 only.
// Base URL: http://127.0.0.1:$PORT/scim/v2
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

func main() {
	port := envOr("PORT", "8083")
	token := envOr("SCIM_TOKEN", "peer-token")
	addr := net.JoinHostPort("127.0.0.1", port) // loopback only, never configurable
	base := "http://" + addr + "/scim/v2"

	srv, err := newServer(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "elimity peer:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "elimity peer:", err)
		os.Exit(1)
	}
	hs := &http.Server{Handler: bearer(token, http.StripPrefix("/scim", srv))}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = hs.Close()
	}()
	fmt.Printf("elimity scim peer listening on %s (pid %d)\n", base, os.Getpid())
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "elimity peer:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newServer builds the library's server with the two resource types, the way its own Azure AD test
// server (internal/idp_test) declares them.
func newServer(baseURL string) (scim.Server, error) {
	userSchema, groupSchema := schema.CoreUserSchema(), schema.CoreGroupSchema()
	enterprise := schema.ExtensionEnterpriseUser()
	return scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://github.com/elimity-com/scim"),
			MaxResults:       100,
			SupportFiltering: true,
			SupportPatch:     true,
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type:    scim.AuthenticationTypeOauthBearerToken,
				Name:    "Bearer token",
				Primary: true,
			}},
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID:               optional.NewString("User"),
				Name:             "User",
				Endpoint:         "/Users",
				Description:      optional.NewString("User Account"),
				Schema:           userSchema,
				SchemaExtensions: []scim.SchemaExtension{{Schema: enterprise}},
				Handler:          newStore(userSchema, enterprise),
			},
			{
				ID:          optional.NewString("Group"),
				Name:        "Group",
				Endpoint:    "/Groups",
				Description: optional.NewString("Group"),
				Schema:      groupSchema,
				Handler:     newStore(groupSchema),
			},
		},
	}, scim.WithBaseURL(baseURL), scim.WithLogger(slogLogger{slog.New(slog.NewTextHandler(os.Stderr, nil))}))
}

// bearer refuses a request without "Authorization: Bearer <token>" with 401 and the library's error
// JSON (RFC 7644 §3.12), and WWW-Authenticate as RFC 6750 §3 asks.
func bearer(token string, next http.Handler) http.Handler {
	want := "Bearer " + token
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			raw, _ := json.Marshal(scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "missing or wrong bearer token"})
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write(raw)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// slogLogger adapts slog to the library's Logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Error(args ...any) { s.l.Error(fmt.Sprint(args...)) }
