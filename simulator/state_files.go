package simulator

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files of a state on disk: the snapshot's atomic replacement (temporary file, fsync,
// rename, fsync of the directory), the numbered log files next to it, and the leftovers of a
// crash.

// removeStale removes the temporary files of saves that a crash interrupted: they were never
// renamed, so nothing refers to them.
func (f *StateFile) removeStale() {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	entries, _ := os.ReadDir(dir) // not Glob: the file's name may hold glob characters
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(base)) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// logName is the path of log file gen: PATH.00000001.log.
func (f *StateFile) logName(gen uint64) string { return fmt.Sprintf("%s.%08d.log", f.path, gen) }

type logFile struct {
	gen  uint64
	path string
}

// logFiles lists the log files next to the snapshot, oldest first.
func (f *StateFile) logFiles() ([]logFile, error) {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []logFile
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, ".log"); !ok || len(mid) != 8 {
			continue
		}
		gen, err := strconv.ParseUint(mid, 10, 64)
		if err != nil || !e.Type().IsRegular() {
			continue
		}
		out = append(out, logFile{gen: gen, path: filepath.Join(dir, e.Name())})
	}
	// ReadDir sorts by name, and the numbers have a fixed width.
	return out, nil
}

// removeLogsBelow removes the log files older than gen: a snapshot holds their batches.
func (f *StateFile) removeLogsBelow(gen uint64) {
	logs, err := f.logFiles()
	if err != nil {
		return
	}
	for _, l := range logs {
		if l.gen < gen {
			if err := os.Remove(l.path); err != nil {
				f.srv.opts.logger.Warn("state log not removed", "file", l.path, "err", err)
			}
		}
	}
}

// writeFileAtomic replaces path with what write produces: a temporary file in the same
// directory (so the rename cannot cross file systems), created with mode 0600, synced, renamed
// over path, and the directory synced so that the rename itself survives a power loss (the
// sequence of rename(2) and fsync(2) that litestream and SQLite rely on).
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
