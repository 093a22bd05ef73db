package simulator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestWriter_OwnReadsAgreeWithTx runs one random sequence of changes (creates, renames,
// deletes, changes undone) through a committer's writer, which reads over its own changes, and
// through a writer that reads its transaction: both must refuse and store the same.
func TestWriter_OwnReadsAgreeWithTx(t *testing.T) {
	names := []string{"sam", "Sam", "ſam", "kelvin", "Kelvin", "alex", "bo"}
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			ref, own := newStore(), newStore()
			// Both start from the same committed users, so that base has holders to shadow.
			for i, s := range []*store{ref, own} {
				err := s.writeDirect(func(w *writer) error {
					for j := 0; j < 3; j++ {
						if err := w.put(userKind, &record{ID: fmt.Sprintf("id%d", j), Name: names[j*3%len(names)], Seq: uint64(j + 1)}, false); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("store %d: %v", i, err)
				}
			}
			wr, wo := newWriter(nil, ref), newBatchWriter(nil, own)
			seq := uint64(100)
			for step := 0; step < 200; step++ {
				change := rng.IntN(4)
				id := fmt.Sprintf("id%d", rng.IntN(6))
				name := names[rng.IntN(len(names))]
				seq++
				var errs [2]error
				for i, w := range []*writer{wr, wo} {
					mark := len(w.ops)
					errs[i] = func() error {
						old, ok := w.get(userKind, id)
						switch {
						case change == 0 && ok: // delete
							return w.delete(userKind, old)
						case ok: // rename, keeping its seq (a replace)
							if err := w.put(userKind, &record{ID: id, Name: name, Seq: old.Seq}, false); err != nil {
								return err
							}
						default: // create
							if err := w.put(userKind, &record{ID: id, Name: name, Seq: seq}, false); err != nil {
								return err
							}
						}
						if change == 3 {
							return errors.New("undone")
						}
						return nil
					}()
					if errs[i] != nil {
						w.undo(mark)
					}
				}
				if (errs[0] == nil) != (errs[1] == nil) || (errs[0] != nil && errs[0].Error() != errs[1].Error()) {
					t.Fatalf("step %d (change %d, %s %q): tx writer %v, own writer %v", step, change, id, name, errs[0], errs[1])
				}
			}
			wr.commit()
			wo.commit()
			got, want := dumpUsers(t, own), dumpUsers(t, ref)
			if got != want {
				t.Fatalf("stored:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func dumpUsers(t *testing.T, s *store) string {
	t.Helper()
	tx := s.read()
	it, err := tx.Get(userKind.endpoint, "id")
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("count %d\n", s.count(userKind))
	for raw := it.Next(); raw != nil; raw = it.Next() {
		r := raw.(*record)
		byName, err := tx.First(userKind.endpoint, "userName", r.Name)
		if err != nil || byName == nil || byName.(*record).ID != r.ID {
			t.Fatalf("userName index does not find %s %q: %v", r.ID, r.Name, byName)
		}
		out += fmt.Sprintf("%s %q %d\n", r.ID, r.Name, r.Seq)
	}
	return out
}
