package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, initCommand) }

// starter is the catalog `scimsim init` writes: a user scenario, a fault scenario and a group
// scenario, the source and config they share, and a README. TestInit runs it.
//
//go:embed starter
var starter embed.FS

// defaultInitDir is where `scimsim init` writes without an argument.
const defaultInitDir = "scenarios"

func initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter scenario catalog (default ./" + defaultInitDir + ") that passes at once",
		Long: `Write a starter scenario catalog into DIR (default ./` + defaultInitDir + `): a user scenario, a fault
scenario and a group scenario, the source and job config they share, and a README. It passes at once:

  scimsim init && scimsim scenarios run --scenarios ` + defaultInitDir + `

No file is overwritten: init stops, naming the first that exists.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := defaultInitDir
			if len(args) == 1 {
				dir = args[0]
			}
			names, err := writeStarter(dir)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, n := range names {
				fmt.Fprintln(w, "wrote", filepath.Join(dir, n))
			}
			fmt.Fprintf(w, "run it: scimsim scenarios run --scenarios %s\n", dir)
			return nil
		},
	}
}

// writeStarter writes the starter catalog into dir, creating it, and returns the names written. It
// checks every file before writing any, so that it never leaves half a catalog over an old one.
func writeStarter(dir string) ([]string, error) {
	entries, err := fs.ReadDir(starter, "starter")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if _, err := os.Lstat(path); err == nil {
			return nil, usageError("init: %s exists; init writes a new catalog and overwrites nothing (name another directory)", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, usageError("init: %v", err)
		}
		names = append(names, e.Name())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError("init: %v", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(starter, "starter/"+n)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(filepath.Join(dir, n), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, usageError("init: %v", err)
		}
		_, werr := f.Write(b)
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, usageError("init: %v", err)
		}
	}
	return names, nil
}
