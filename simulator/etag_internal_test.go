package simulator

import "testing"

// TestETag_Table: the entity tags made once are the ones formatted on demand, on both sides of
// the table's end.
func TestETag_Table(t *testing.T) {
	if got := etag(1); got != `W/"1"` {
		t.Fatalf("etag(1) = %s", got)
	}
	for v := uint64(0); v < 2*uint64(len(smallETags)); v++ {
		if got, want := etag(v), formatETag(v); got != want {
			t.Fatalf("etag(%d) = %s, want %s", v, got, want)
		}
	}
	if got := etag(1 << 40); got != `W/"1099511627776"` {
		t.Fatalf("etag(1<<40) = %s", got)
	}
}
