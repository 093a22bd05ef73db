package endpoint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/scimsim/scimsim/entra"
	"github.com/scimsim/scimsim/wire"
)

// Ledger is the list of what one part of a run created on the endpoint (the conformance checks, one
// scenario), so that Cleanup deletes exactly that and nothing else. A resource is entered before the
// request that creates it goes out: a create whose answer is lost is still found afterwards, by its
// run-unique name. A Ledger is safe for concurrent use.
type Ledger struct {
	s *Session

	mu    sync.Mutex
	items []*entry // in the order they were entered
}

// entry is a resource the run created, or may have created: id is empty until known, and Cleanup
// then looks it up by name.
type entry struct {
	resource string // wire.Users or wire.Groups
	name     string // userName or displayName
	id       string
	gone     bool
}

// NewLedger returns an empty ledger on the session's endpoint.
func (s *Session) NewLedger() *Ledger { return &Ledger{s: s} }

// Create sends req, a POST built by entra.CreateRequest, with its resource entered in the ledger
// first. It returns the answer and the id the endpoint gave ("" when it answered without one); the
// error is a request that got no answer. A 4xx answer created nothing and leaves nothing to delete.
func (l *Ledger) Create(ctx context.Context, req entra.Request) (*entra.Response, string, error) {
	resource := strings.TrimPrefix(req.Path, "/")
	body, _ := req.Body.(map[string]any)
	name, _ := body[NameAttr(resource)].(string)
	e := l.enter(resource, name, "")
	resp, err := l.s.Send(ctx, req)
	if err != nil {
		return nil, "", err // the id stays unknown: Cleanup looks the name up
	}
	id := ""
	if resp.Status/100 == 2 {
		id = wire.ID(resp.Object())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case id != "":
		e.id = id
		l.dropDuplicate(e)
	case resp.Status/100 == 4 && resp.Status != http.StatusRequestTimeout:
		e.gone = true
	}
	return resp, id, nil
}

// Add enters a resource someone else created through the endpoint (the provisioning engine's
// report says what it created): by id, or by name alone ("" id) when its create got no usable
// answer. An id or a name already in the ledger is not entered twice.
func (l *Ledger) Add(resource, name, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.items {
		if e.resource == resource && !e.gone && (id != "" && e.id == id || id == "" && e.id == "" && e.name == name) {
			return
		}
	}
	l.items = append(l.items, &entry{resource: resource, name: name, id: id})
}

func (l *Ledger) enter(resource, name, id string) *entry {
	e := &entry{resource: resource, name: name, id: id}
	l.mu.Lock()
	l.items = append(l.items, e)
	l.mu.Unlock()
	return e
}

// dropDuplicate marks an earlier entry of the same id as e gone, so that one id is never deleted
// twice (an endpoint that answered a duplicate create with the existing resource). l.mu is held.
func (l *Ledger) dropDuplicate(e *entry) {
	for _, o := range l.items {
		if o != e && o.resource == e.resource && o.id == e.id && !o.gone {
			o.gone = true
		}
	}
}

// Owns reports whether the ledger holds resource id: a run modifies nothing else.
func (l *Ledger) Owns(resource, id string) bool {
	if id == "" {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.items {
		if e.resource == resource && e.id == id {
			return true
		}
	}
	return false
}

// Deleted records that resource id was deleted by the run itself (a check of DELETE), so that
// Cleanup does not delete it again.
func (l *Ledger) Deleted(resource, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.items {
		if e.resource == resource && e.id == id {
			e.gone = true
		}
	}
}

// Len is the number of resources the ledger still has to delete.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.items {
		if !e.gone {
			n++
		}
	}
	return n
}

// Cleanup deletes everything the ledger holds and forgets what is gone, so that a second call only
// retries what was left behind. It runs on a context of its own, bounded by CleanupTimeout, so that
// it also works when ctx was cancelled (an interrupt, a spent deadline).
//
//   - Groups go before users (a group refers to its members), newest first.
//   - A resource without a known id is looked up by its exact name first.
//   - One id is deleted once, however many entries lead to it.
//   - A DELETE answered 2xx or 404 is done. Any other answer, or none, is followed by a GET of the
//     id: a 404 means the resource is gone (an endpoint that answers 500 to the DELETE of an id
//     that no longer exists), anything else leaves it behind.
//
// The error names every resource left behind, with its name and id, so that it can be found by
// hand.
func (l *Ledger) Cleanup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
	defer cancel()
	l.mu.Lock()
	todo := make([]*entry, 0, len(l.items))
	for i := len(l.items) - 1; i >= 0; i-- {
		if e := l.items[i]; !e.gone {
			todo = append(todo, e)
		}
	}
	l.mu.Unlock()
	slices.SortStableFunc(todo, func(a, b *entry) int { return cmp.Compare(groupsFirst(a.resource), groupsFirst(b.resource)) })

	done := map[string]error{} // resource/id -> the outcome of its deletion
	var errs []error
	for _, e := range todo {
		ids := []string{e.id}
		if e.id == "" {
			found, err := l.s.Lookup(ctx, e.resource, e.name)
			if err != nil {
				errs = append(errs, fmt.Errorf("cleanup: looking up %s %q: %w", e.resource, e.name, err))
				continue
			}
			ids = ids[:0]
			for _, r := range found {
				if id := wire.ID(r); id != "" {
					ids = append(ids, id)
				}
			}
		}
		ok := true
		for _, id := range ids {
			key := e.resource + "/" + id
			err, seen := done[key]
			if !seen {
				err = l.remove(ctx, e, id)
				done[key] = err
				if err != nil {
					errs = append(errs, err)
				}
			}
			ok = ok && err == nil
		}
		if ok {
			l.mu.Lock()
			e.gone = true
			l.mu.Unlock()
		}
	}
	l.mu.Lock()
	l.items = slices.DeleteFunc(l.items, func(e *entry) bool { return e.gone })
	l.mu.Unlock()
	return errors.Join(errs...)
}

func groupsFirst(resource string) int {
	if resource == wire.Groups {
		return 0
	}
	return 1
}

// remove deletes one id, and makes sure of a deletion the endpoint did not confirm.
func (l *Ledger) remove(ctx context.Context, e *entry, id string) error {
	del := entra.DeleteRequest(e.resource, id)
	del.By = wire.ByScimsim
	resp, err := l.s.Send(ctx, del)
	if err == nil && (resp.Status/100 == 2 || resp.Status == http.StatusNotFound) {
		return nil
	}
	answer := ""
	if err != nil {
		answer = err.Error()
	} else {
		answer = "DELETE answered " + resp.Exchange.Answer()
	}
	get := entra.ReadBackRequest(e.resource, id)
	g, gerr := l.s.Send(ctx, get)
	if gerr == nil && g.Status == http.StatusNotFound {
		return nil
	}
	still := "and GET got no answer"
	if gerr == nil {
		still = "and GET still answers " + g.Exchange.Answer()
	}
	return fmt.Errorf("cleanup: %s %q (id %s) left behind: %s, %s", e.resource, e.name, id, answer, still)
}
