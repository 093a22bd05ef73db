package main

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestBuild builds scimsim statically, makes the image, then reads the image back from its OCI
// layout as a runtime would: the index, the manifest, the config (a non-root user, the entrypoint),
// and the filesystem, whose binary it runs.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the scimsim binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image's binary is for linux: it runs here only on linux")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "scimsim")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "../../cmd/scimsim")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "image")
	created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	digest, err := Build(Options{Binary: bin, Out: out, Arch: runtime.GOARCH, Version: "v0.0.0-test", Revision: "abc", CABundle: "", Created: created})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	for _, f := range []string{"oci-layout", "index.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the OCI layout has no %s: %v", f, err)
		}
	}

	idx, err := layout.ImageIndexFromPath(out)
	check(t, err)
	im, err := idx.IndexManifest()
	check(t, err)
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != digest || im.Manifests[0].MediaType != types.OCIManifestSchema1 ||
		im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "scimsim:v0.0.0-test" {
		t.Fatalf("index = %+v, want one OCI manifest %s named scimsim:v0.0.0-test", im.Manifests, digest)
	}
	img, err := idx.Image(digest)
	check(t, err)
	m, err := img.Manifest()
	check(t, err)
	if m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest: config %s, layers %+v; want OCI media types and one layer", m.Config.MediaType, m.Layers)
	}
	cf, err := img.ConfigFile()
	check(t, err)
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH || !cf.Created.Time.Equal(created) {
		t.Errorf("config: %s/%s created %v", cf.OS, cf.Architecture, cf.Created)
	}
	if c.User != "65532:65532" || strings.HasPrefix(c.User, "0") || strings.Join(c.Entrypoint, " ") != "/scimsim" || c.WorkingDir != home {
		t.Errorf("config: user %q, entrypoint %q, workdir %q; want a non-root user and /scimsim", c.User, c.Entrypoint, c.WorkingDir)
	}
	if c.Labels["org.opencontainers.image.licenses"] != "MIT" || c.Labels["org.opencontainers.image.revision"] != "abc" {
		t.Errorf("labels = %v", c.Labels)
	}

	// The filesystem, as a runtime unpacks it.
	root := filepath.Join(dir, "rootfs")
	files := map[string]*tar.Header{}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		check(t, err)
		files[strings.TrimSuffix(h.Name, "/")] = h
		p := filepath.Join(root, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			check(t, os.MkdirAll(p, 0o755))
		case tar.TypeReg:
			check(t, os.MkdirAll(filepath.Dir(p), 0o755))
			b, err := io.ReadAll(tr)
			check(t, err)
			check(t, os.WriteFile(p, b, os.FileMode(h.Mode)&0o777))
		}
	}
	if h := files["scimsim"]; h == nil || h.Mode&0o111 == 0 || h.Uid != 0 || h.Mode&0o022 != 0 {
		t.Errorf("/scimsim = %+v, want an executable owned by root that the user cannot change", h)
	}
	if h := files["home/nonroot"]; h == nil || h.Uid != uid {
		t.Errorf("home directory = %+v, want owned by %d", h, uid)
	}
	if h := files["tmp"]; h == nil || h.Mode&0o1777 != 0o1777 {
		t.Errorf("/tmp = %+v, want mode 1777", h)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	if !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd = %q, want the nonroot user", passwd)
	}

	// The binary the image holds runs on its own: static, nothing from the host.
	run := exec.Command(filepath.Join(root, "scimsim"), "version")
	run.Env = []string{}
	got, err := run.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(got), "scimsim ") || !strings.Contains(string(got), "linux/"+runtime.GOARCH) {
		t.Errorf("the image's /scimsim version: %v: %q", err, got)
	}
	if ldd, err := exec.Command("file", filepath.Join(root, "scimsim")).Output(); err == nil && !strings.Contains(string(ldd), "statically linked") {
		t.Errorf("the image's binary is not static: %s", ldd)
	}

	// The same inputs give the same image.
	again, err := Build(Options{Binary: bin, Out: filepath.Join(dir, "again"), Arch: runtime.GOARCH, Version: "v0.0.0-test", Revision: "abc", Created: created})
	if err != nil || again != digest {
		t.Errorf("a second build gave %s (%v), want %s", again, err, digest)
	}
}

// check fails the test at once when err is set.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestImageTag(t *testing.T) {
	for v, want := range map[string]string{"v1.2.0": "v1.2.0", "v0.0.0-20261201200717-17e1c4c5a95a+dirty": "v0.0.0-20261201200717-17e1c4c5a95a-dirty", "(devel)": "", "": ""} {
		if got := imageTag(v); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", v, got, want)
		}
	}
}
