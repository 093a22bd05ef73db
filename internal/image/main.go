// Command image builds scimsim's container image as an OCI image layout (`make image`), without a
// Docker daemon and without pulling anything from a registry: the base is empty, and the one layer
// holds the static binary, the passwd and group entries of the non-root user it runs as, its home
// directory, /tmp and, when the build machine has one, a CA bundle for HTTPS targets. It uses
// go-containerregistry's mutate and layout packages; the files are dated -created, so the same
// binary gives the same image.
//
//	go run ./internal/image -binary bin/linux/scimsim -out bin/image
//
// Load the layout with `skopeo copy oci:bin/image docker-daemon:scimsim:latest`, `podman pull
// oci:bin/image`, or push it with `crane push bin/image REGISTRY/scimsim:TAG`.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The user the image runs as: not root, with the uid and gid distroless images use for "nonroot".
const (
	uid  = 65532
	home = "/home/nonroot"
)

// Options describe the image to build.
type Options struct {
	Binary   string    // the scimsim binary: static (CGO_ENABLED=0), for GOOS linux
	Out      string    // the OCI image layout directory to write (replaced)
	Arch     string    // the binary's GOARCH
	Version  string    // org.opencontainers.image.version
	Revision string    // org.opencontainers.image.revision
	CABundle string    // PEM file to install as /etc/ssl/certs/ca-certificates.crt; "" for none
	Created  time.Time // the date of every file and of the image
}

func main() {
	var o Options
	var created string
	flag.StringVar(&o.Binary, "binary", "bin/linux/scimsim", "the static linux scimsim binary")
	flag.StringVar(&o.Out, "out", "bin/image", "the OCI image layout directory to write")
	flag.StringVar(&o.Arch, "arch", runtime.GOARCH, "the binary's architecture (GOARCH)")
	flag.StringVar(&o.Version, "version", "", "the image's version label")
	flag.StringVar(&o.Revision, "revision", "", "the image's VCS revision label")
	flag.StringVar(&o.CABundle, "ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "CA certificates to include (\"\" or a missing file: none)")
	flag.StringVar(&created, "created", "1970-01-01T00:00:00Z", "the date of the image and its files (RFC 3339)")
	flag.Parse()
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		fmt.Fprintf(os.Stderr, "image: -created %q: want an RFC 3339 time\n", created)
		os.Exit(2)
	}
	o.Created = t
	digest, err := Build(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: OCI image %s (linux/%s, user %d)\n", o.Out, digest, o.Arch, uid)
}

// Build writes the image layout and returns the image's manifest digest.
func Build(o Options) (v1.Hash, error) {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("read the binary: %w", err)
	}
	var ca []byte
	if o.CABundle != "" {
		if ca, err = os.ReadFile(o.CABundle); err != nil && !errors.Is(err, os.ErrNotExist) {
			return v1.Hash{}, fmt.Errorf("read the CA bundle: %w", err)
		}
	}
	fsTar, err := rootFS(bin, ca, o.Created)
	if err != nil {
		return v1.Hash{}, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(fsTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created:   v1.Time{Time: o.Created},
		CreatedBy: "scimsim internal/image: the static binary, a non-root user, /tmp",
	}})
	if err != nil {
		return v1.Hash{}, fmt.Errorf("append the layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return v1.Hash{}, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", o.Arch
	cf.Created = v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		User:         fmt.Sprintf("%d:%d", uid, uid),
		Entrypoint:   []string{"/scimsim"},
		Cmd:          []string{"--help"},
		WorkingDir:   home,
		Env:          []string{"PATH=/", "HOME=" + home, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "scimsim",
			"org.opencontainers.image.description": "Microsoft Entra ID's on-demand provisioning, and a SCIM 2.0 target that misbehaves on purpose",
			"org.opencontainers.image.licenses":    "MIT",
			"org.opencontainers.image.version":     o.Version,
			"org.opencontainers.image.revision":    o.Revision,
		},
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return v1.Hash{}, err
	}
	if err := os.RemoveAll(o.Out); err != nil {
		return v1.Hash{}, err
	}
	p, err := layout.Write(o.Out, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("write the layout: %w", err)
	}
	ref := "scimsim"
	if tag := imageTag(o.Version); tag != "" {
		ref += ":" + tag
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})); err != nil {
		return v1.Hash{}, fmt.Errorf("write the image: %w", err)
	}
	return img.Digest()
}

// rootFS is the image's one layer as a tar: the binary at /scimsim, owned by root so that the user
// it runs as cannot change it, and what a non-root process needs around it.
func rootFS(bin, ca []byte, mod time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64, owner int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: owner, Gid: owner, ModTime: mod, Format: tar.FormatPAX})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mod, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	steps := []func() error{
		func() error { return dir("etc/", 0o755, 0) },
		func() error {
			return file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", uid, uid, home))
		},
		func() error { return file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", uid)) },
		func() error { return dir("home/", 0o755, 0) },
		func() error { return dir(home[1:]+"/", 0o700, uid) },
		func() error { return dir("tmp/", 0o1777, 0) },
		func() error { return file("scimsim", 0o755, bin) },
	}
	if len(ca) > 0 {
		steps = append(steps,
			func() error { return dir("etc/ssl/", 0o755, 0) },
			func() error { return dir("etc/ssl/certs/", 0o755, 0) },
			func() error { return file("etc/ssl/certs/ca-certificates.crt", 0o644, ca) },
		)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// imageTag makes a version a tag a registry accepts ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, from the OCI
// distribution spec): a pseudo-version's "+dirty" becomes "-dirty"; "(devel)" gives no tag.
func imageTag(version string) string {
	b := []byte(version)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) == 0 || b[0] == '.' || b[0] == '-' {
		return ""
	}
	return string(b[:min(len(b), 128)])
}
