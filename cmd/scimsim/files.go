package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/scimsim/scimsim"
	"github.com/scimsim/scimsim/engine"
)

// readInput reads a source or job config named on the command line. A relative path that names no
// file here but one of the example files the binary carries (testdata/sources/contoso.yaml and the
// other files of scimsim.Files, as the README's examples name them) reads the carried copy, and says
// so once on stderr, so that the examples work from any directory after `go install`.
func readInput(path string, stderr io.Writer) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.IsAbs(path) {
		return b, err
	}
	name := filepath.ToSlash(filepath.Clean(path))
	carried, cerr := fs.ReadFile(scimsim.Files, name)
	if cerr != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "scimsim: no file %s here: using the copy built into scimsim\n", path)
	return carried, nil
}

// loadSource reads a source file with readInput.
func loadSource(path string, stderr io.Writer) (*engine.Source, error) {
	b, err := readInput(path, stderr)
	if err != nil {
		return nil, err
	}
	return engine.ParseSource(path, b)
}

// loadConfig reads a job config file with readInput.
func loadConfig(path string, stderr io.Writer) (*engine.Config, error) {
	b, err := readInput(path, stderr)
	if err != nil {
		return nil, err
	}
	return engine.ParseConfig(path, b)
}
