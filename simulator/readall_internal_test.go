package simulator

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAll_AsIOReadAll: readAll reads what io.ReadAll reads, whatever size the body claims,
// and passes a read error on.
func TestReadAll_AsIOReadAll(t *testing.T) {
	big := strings.Repeat("x", presizeLimit+100)
	for _, tt := range []struct {
		body string
		size int64
	}{
		{"", 0}, {"abc", 3}, {"abc", 1}, {"abc", 10}, {"abc", -1}, {big, int64(len(big))}, {big, 5},
	} {
		for _, name := range []string{"whole", "one byte at a time"} {
			var r io.Reader = strings.NewReader(tt.body)
			if name != "whole" {
				r = iotest.OneByteReader(r)
			}
			got, err := readAll(r, tt.size)
			if err != nil || !bytes.Equal(got, []byte(tt.body)) {
				t.Errorf("readAll(%d bytes, size %d, %s) = %d bytes, %v", len(tt.body), tt.size, name, len(got), err)
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readAll(iotest.ErrReader(boom), 10); !errors.Is(err, boom) {
		t.Errorf("readAll of a failing reader: %v, want %v", err, boom)
	}
}
