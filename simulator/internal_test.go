package simulator

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-memdb"

	"github.com/scimsim/scimsim/simulator/filter"
	"github.com/scimsim/scimsim/wire"
)

func TestStoreSchema(t *testing.T) {
	if err := storeSchema(kinds).Validate(); err != nil {
		t.Fatalf("storeSchema(kinds).Validate() = %v", err)
	}
}

func TestEtagMatches(t *testing.T) {
	tests := []struct {
		name, header, current string
		want                  bool
	}{
		{"same weak tag", `W/"3"`, `W/"3"`, true},
		{"strong form of the same tag", `"3"`, `W/"3"`, true},
		{"other version", `W/"2"`, `W/"3"`, false},
		{"any", `*`, `W/"3"`, true},
		{"list", `W/"1", W/"3"`, `W/"3"`, true},
		{"garbage", `3`, `W/"3"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := etagMatches(tt.header, tt.current); got != tt.want {
				t.Fatalf("etagMatches(%q, %q) = %v, want %v", tt.header, tt.current, got, tt.want)
			}
		})
	}
}

func TestJournal_List(t *testing.T) {
	tests := []struct {
		name      string
		size, add int
		want      []string
	}{
		{name: "empty", size: 3, add: 0, want: []string{}},
		{name: "growing", size: 3, add: 2, want: []string{"0", "1"}},
		{name: "exactly full", size: 3, add: 3, want: []string{"0", "1", "2"}},
		{name: "wrapped", size: 3, add: 5, want: []string{"2", "3", "4"}},
		{name: "wrapped twice", size: 3, add: 7, want: []string{"4", "5", "6"}},
		{name: "size 0 keeps nothing", size: 0, add: 2, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJournalBook(tt.size, 1<<20, 1<<20).newJournal()
			queries := func() []string {
				got := []string{}
				for _, e := range j.list() {
					got = append(got, e.Query)
				}
				return got
			}
			for i := range tt.add {
				j.add(journalRecord{entry: JournalEntry{Query: fmt.Sprint(i)}})
			}
			if diff := cmp.Diff(tt.want, queries()); diff != "" {
				t.Fatalf("list() (-want +got):\n%s", diff)
			}
			if j.entries.len() > tt.size {
				t.Fatalf("journal of size %d holds %d entries", tt.size, j.entries.len())
			}
			j.reset()
			if got := queries(); len(got) != 0 {
				t.Fatalf("list() after reset = %v", got)
			}
			j.add(journalRecord{entry: JournalEntry{Query: "after"}})
			if want, got := min(tt.size, 1), len(queries()); got != want {
				t.Fatalf("len(list()) after reset and one add = %d, want %d", got, want)
			}
		})
	}
}

func TestIDGenerator_Next(t *testing.T) {
	a, b := newIDGenerator(7, "x"), newIDGenerator(7, "x")
	other := newIDGenerator(7, "y")
	for range 3 {
		ia, ib, io := a.next(), b.next(), other.next()
		if ia != ib {
			t.Fatalf("same seed and tenant: %q != %q", ia, ib)
		}
		if ia == io {
			t.Fatalf("other tenant drew the same id %q", ia)
		}
		if len(ia) != 36 || ia[14] != '4' {
			t.Fatalf("id %q is not a version 4 UUID", ia)
		}
	}
}

func TestFilterCache_Get(t *testing.T) {
	fc := newFilterCache(2)
	a := fc.get(userKind, true, `userName eq "a"`)
	if a.err != nil {
		t.Fatalf("parse: %v", a.err)
	}
	if fc.get(userKind, true, `userName eq "a"`) != a {
		t.Fatal("second get parsed again")
	}
	fc.get(userKind, true, `userName eq "b"`)
	fc.get(userKind, true, `userName eq "c"`)
	if fc.ll.Len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", fc.ll.Len())
	}
	if _, ok := fc.m[filterKey{k: userKind, entra: true, src: `userName eq "a"`}]; ok {
		t.Fatal("least recently used entry not evicted")
	}
	if bad := fc.get(userKind, false, `emails[type eq "work"].value eq "x"`); bad.err == nil {
		t.Fatal("strict profile accepted a value path with a sub-attribute")
	}
	if got := fc.get(userKind, true, `emails[type eq "work"].value eq "x"`); got.err != nil {
		t.Fatalf("entra profile rejected a value path with a sub-attribute: %v", got.err)
	}
}

func TestValidTenantName(t *testing.T) {
	for name, want := range map[string]bool{"a": true, "suite-1.x_y": true, "": false, "-a": false, "a/b": false, "a b": false} {
		if got := ValidTenantName(name); got != want {
			t.Errorf("ValidTenantName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestPrefilter_NeverRejectsAMatch checks the prefilter's one promise over every filter of
// testdata/filter_cases.json and every resource of testdata/seed.json, plus documents built to
// tempt it (values in other cases, non-ASCII look-alikes, escaped characters).
func TestPrefilter_NeverRejectsAMatch(t *testing.T) {
	var cases []struct {
		Resource, Filter string
	}
	readJSON(t, "testdata/filter_cases.json", &cases)
	var seed SeedData
	readJSON(t, "testdata/seed.json", &seed)
	extra := []map[string]any{
		{"userName": "ALICE@CONTOSO.COM", "title": "ENGINEER", "active": false},
		{"userName": "\u212Aelvin", "title": "engineer\u00e9"}, // KELVIN SIGN folds to k
		{"userName": "a<b>&c", "title": "x\"y"},
	}
	extraFilters := []string{`userName eq "kelvin"`, `title sw "ENG"`, `userName co "<b>"`, `title ew "y"`, `title eq "ENGINEER"`,
		`userName eq "a" or title pr`, `not (userName eq "x")`, `emails[value ew ".COM"]`, `externalId eq "ext-Alice"`,
		`externalId eq "ext-alice"`, `EXTERNALID sw "ext-"`, `externalId co "Ali"`, `id eq "id-1"`, `externalId pr`}
	for _, c := range cases {
		if c.Resource == "Users" {
			extraFilters = append(extraFilters, c.Filter)
		}
	}
	check := func(k *kind, res map[string]any, src string) {
		e, err := filter.Parse(src, filter.AllowValuePathSubAttribute())
		if err != nil || filter.Check(e, k.fs) != nil {
			return
		}
		in := map[string]any{"schemas": []any{k.core.ID}}
		for key, v := range res {
			in[key] = v
		}
		attrs, err := k.validate(in)
		if err != nil {
			t.Fatalf("validate %v: %v", res, err)
		}
		rec, err := encodeRecord(k, "id-1", 1, attrs, metaInfo{version: 1})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := rec.decode()
		if err != nil {
			t.Fatal(err)
		}
		pre := prefilterOf(k, e)
		if filter.Eval(e, doc, k.fs) && pre != nil && !pre(rec.Doc) {
			t.Errorf("prefilter of %q rejects the matching %s", src, rec.Doc)
		}
	}
	for _, src := range extraFilters {
		for _, u := range append(seed.Users, extra...) {
			check(userKind, u, src)
		}
	}
	for _, c := range cases {
		if c.Resource == "Groups" {
			for _, g := range seed.Groups {
				check(groupKind, g, c.Filter)
			}
		}
	}
}

// FuzzPrefilter_NeverRejectsAMatch: for a user whose attribute holds value, the prefilter of a
// comparison of that attribute with literal never rejects the user when filter.Eval matches it.
func FuzzPrefilter_NeverRejectsAMatch(f *testing.F) {
	f.Add("Engineer", "engineer", uint8(0), uint8(0))
	f.Add("ext-Ab", "ext-A", uint8(1), uint8(1))
	f.Add("Kelvin", "kelvin", uint8(2), uint8(0))
	f.Add("a<b>&c\"", "<b>", uint8(3), uint8(3))
	f.Add("straße", "STRASSE", uint8(0), uint8(2))
	attrs := []string{"title", "externalId", "userName", "emails.value"}
	ops := []string{"eq", "sw", "ew", "co"}
	f.Fuzz(func(t *testing.T, value, literal string, attr, op uint8) {
		if !utf8.ValidString(value) || !utf8.ValidString(literal) {
			return
		}
		a, o := attrs[int(attr)%len(attrs)], ops[int(op)%len(ops)]
		res := map[string]any{"schemas": []any{wire.UserSchema}, "userName": "u"}
		if a == "emails.value" {
			res["emails"] = []any{map[string]any{"value": value}}
		} else {
			res[a] = value
		}
		in, err := userKind.validate(res)
		if err != nil {
			return
		}
		rec, err := encodeRecord(userKind, "id-1", 1, in, metaInfo{version: 1})
		if err != nil {
			return
		}
		lit, _ := json.Marshal(literal)
		e, err := filter.Parse(a + " " + o + " " + string(lit))
		if err != nil || filter.Check(e, userKind.fs) != nil {
			return
		}
		doc, err := rec.decode()
		if err != nil {
			t.Fatal(err)
		}
		if pre := prefilterOf(userKind, e); filter.Eval(e, doc, userKind.fs) && pre != nil && !pre(rec.Doc) {
			t.Fatalf("prefilter of %s %s %s rejects the matching %s", a, o, lit, rec.Doc)
		}
	})
}

// TestPrefilter_RulesOut: the prefilters of the filters that scan at scale rule a document out
// from its bytes, for the common attributes (id, externalId: RFC 7643 §3.1, outside the resource
// schemas) too, without which a scan decodes every document.
func TestPrefilter_RulesOut(t *testing.T) {
	doc := `{"emails":[{"primary":true,"type":"work","value":"bob@contoso.com"}],"externalId":"ext-bob","id":"u-bob","title":"Engineer","userName":"bob@contoso.com"}`
	for _, c := range []struct {
		filter string
		pass   bool
	}{
		{`externalId eq "ext-bob"`, true},
		{`externalId eq "EXT-BOB"`, false}, // caseExact
		{`externalId eq "ext-alice"`, false},
		{`externalId sw "ext-b"`, true},
		{`id eq "u-carol"`, false},
		{`emails.value eq "BOB@contoso.com"`, true},
		{`emails.value eq "alice@contoso.com"`, false},
		{`title eq "ENGINEER"`, true},
		{`title eq "Manager"`, false},
	} {
		e, err := filter.Parse(c.filter, filter.AllowValuePathSubAttribute())
		if err != nil {
			t.Fatal(err)
		}
		pre := prefilterOf(userKind, e)
		if pre == nil {
			t.Errorf("%s: no prefilter", c.filter)
			continue
		}
		if got := pre(doc); got != c.pass {
			t.Errorf("%s: prefilter lets the document through: %v, want %v", c.filter, got, c.pass)
		}
	}
}

// readFile returns the file at path, or fails the test.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// readJSON decodes the JSON file at path into v, or fails the test.
func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(readFile(t, path), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// expectNamesFile fails the test unless err, a loader's error, begins with name, the file it read
// (the "file:line: message" every loader writes).
func expectNamesFile(t testing.TB, err error, name string) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), name) {
		t.Fatalf("error %q does not name the file %s", err, name)
	}
}

// patchCapture is an elimity ResourceHandler that records the operations elimity validated, so
// that validatePatchOps can be compared with elimity's own validation.
type patchCapture struct{ ops *[]scim.PatchOperation }

func (patchCapture) Create(*http.Request, scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, nil
}
func (patchCapture) Get(*http.Request, string) (scim.Resource, error) { return scim.Resource{}, nil }
func (patchCapture) GetAll(*http.Request, scim.ListRequestParams) (scim.Page, error) {
	return scim.Page{}, nil
}
func (patchCapture) Replace(*http.Request, string, scim.ResourceAttributes) (scim.Resource, error) {
	return scim.Resource{}, nil
}
func (patchCapture) Delete(*http.Request, string) error { return nil }
func (c patchCapture) Patch(_ *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	*c.ops = ops
	return scim.Resource{ID: id, Attributes: scim.ResourceAttributes{"id": id}}, nil
}

// elimityPatch validates a PATCH body for kind k with elimity: the scimType of its error (and
// ok false), or the operations it validated.
func elimityPatch(t testing.TB, k *kind, body []byte) (ops []scim.PatchOperation, status int, scimType string) {
	t.Helper()
	rt := scim.ResourceType{Name: k.name, Endpoint: "/" + k.endpoint, Schema: k.core, Handler: patchCapture{ops: &ops}}
	for _, e := range k.exts {
		rt.SchemaExtensions = append(rt.SchemaExtensions, scim.SchemaExtension{Schema: e})
	}
	srv, err := scim.NewServer(&scim.ServerArgs{ServiceProviderConfig: &scim.ServiceProviderConfig{}, ResourceTypes: []scim.ResourceType{rt}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPatch, "/v2/"+k.endpoint+"/x", bytes.NewReader(body)))
	if rec.Code >= 300 {
		var e struct{ ScimType string }
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return nil, rec.Code, e.ScimType
	}
	return ops, rec.Code, ""
}

// comparePatchValidation checks that validatePatchOps answers body as elimity does; it reports
// whether validatePatchOps knew the shape of every operation.
func comparePatchValidation(t *testing.T, k *kind, body []byte) bool {
	t.Helper()
	ours, known, err := validatePatchOps(k, body)
	if !known {
		return false
	}
	theirs, status, scimType := elimityPatch(t, k, body)
	if err != nil {
		var se scimerrors.ScimError
		if !errors.As(err, &se) {
			t.Fatalf("validatePatchOps(%s) = %v, not a SCIM error", body, err)
		}
		if se.Status != status || string(se.ScimType) != scimType {
			t.Fatalf("validatePatchOps(%s) = %d %q, elimity answers %d %q", body, se.Status, se.ScimType, status, scimType)
		}
		return true
	}
	if status >= 300 {
		t.Fatalf("validatePatchOps(%s) accepts it, elimity answers %d %q", body, status, scimType)
	}
	if len(ours) != len(theirs) {
		t.Fatalf("validatePatchOps(%s): %d operations, elimity %d", body, len(ours), len(theirs))
	}
	for i := range ours {
		if ours[i].Op != theirs[i].Op {
			t.Fatalf("validatePatchOps(%s): operation %d op %q, elimity %q", body, i+1, ours[i].Op, theirs[i].Op)
		}
		if diff := cmp.Diff(theirs[i].Value, ours[i].Value); diff != "" {
			t.Fatalf("validatePatchOps(%s): operation %d value (-elimity +ours):\n%s", body, i+1, diff)
		}
	}
	return true
}

// patchValidationCases are PATCH bodies for TestValidatePatchOps and the seed corpus of
// FuzzValidatePatchOps: the shapes Entra sends, and each way elimity rejects one.
var patchValidationCases = []struct {
	name, kind, body string
	known            bool // validatePatchOps handles it rather than leaving it to elimity
}{
	{"replace a string", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":"T1"}]}`, true},
	{"replace a boolean and a sub-attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":false},{"op":"Replace","path":"name.givenName","value":"A"}]}`, true},
	{"replace through a value path", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a@b.c"}]}`, true},
	{"add an element by value path", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type eq \"work\"]","value":{"value":"a@b.c","primary":true}}]}`, true},
	{"replace a multi-valued attribute with one object", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails","value":{"value":"a@b.c"}}]}`, true},
	{"replace an extension attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"7"}]}`, true},
	{"replace a core URN path", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:displayName","value":"D"}]}`, true},
	{"extension manager by sub-attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m1"}]}`, true},
	{"no-path replace", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"active":false,"displayName":"D","id":"x"}}]}`, true},
	{"no-path replace of an extension object", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"S"}}}]}`, true},
	{"no-path dotted key", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.familyName":"F","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"S"}}]}`, true},
	{"remove a member", "Groups", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members[value eq \"u-1\"]"}]}`, true},
	{"add members", "Groups", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"u-1"},{"value":"u-2"}]}]}`, true},
	{"remove members with a value list", "Groups", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members","value":[{"value":"u-1"}]}]}`, true},
	{"number converted", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","value":"1"}]}`, true},

	{"not JSON", "Users", `{"schemas":`, true},
	{"no PatchOp schema", "Users", `{"Operations":[{"op":"add","path":"title","value":"x"}]}`, true},
	{"no operations", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, true},
	{"operation that is not an object", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[3]}`, true},
	{"unknown op", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"move","path":"title","value":"x"}]}`, true},
	{"unknown attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"shoeSize","value":42}]}`, true},
	{"unknown sub-attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"name.nickName","value":"x"}]}`, true},
	{"sub-attribute of a simple attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title.value","value":"x"}]}`, true},
	{"unqualified extension attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"employeeNumber","value":"x"}]}`, true},
	{"filter on an unknown sub-attribute", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[kind eq \"work\"].value","value":"x"}]}`, true},
	{"wrong value type", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":"yes"}]}`, true},
	{"add without a value", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title"}]}`, true},
	{"remove without a path", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}`, true},
	{"no-path value that is not an object", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":"x"}]}`, true},
	{"no-path unknown key", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"shoeSize":1}}]}`, true},
	{"no-path null value", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"title":null}}]}`, true},
	{"two ids in a value", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"a","ID":"b"}}]}`, true},
	{"path of the wrong type", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":5,"value":"x"}]}`, true},

	{"filter with and", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\" and primary eq true].value","value":"x"}]}`, false},
	{"filter string with an escape", "Groups", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"a\\\"b\"]"}]}`, false},
	{"unknown URN", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:example:x:attr","value":"x"}]}`, false},
	{"no-path key with a filter", "Users", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"emails[type eq \"work\"].value":"x"}}]}`, false},
}

func TestValidatePatchOps(t *testing.T) {
	for _, tt := range patchValidationCases {
		t.Run(tt.name, func(t *testing.T) {
			k := kindByEndpoint(tt.kind)
			if got := comparePatchValidation(t, k, []byte(tt.body)); got != tt.known {
				t.Fatalf("validatePatchOps(%s) known = %v, want %v", tt.body, got, tt.known)
			}
		})
	}
}

// FuzzValidatePatchOps checks that validatePatchOps, wherever it knows the shape of a request,
// answers as elimity's validation does.
func FuzzValidatePatchOps(f *testing.F) {
	for _, tt := range patchValidationCases {
		f.Add(tt.kind == "Groups", []byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, group bool, body []byte) {
		k := userKind
		if group {
			k = groupKind
		}
		comparePatchValidation(t, k, body)
	})
}

// TestStoreIndexers checks the store's indexers against the memdb indexers they replace: the
// same keys from the same records and arguments.
func TestStoreIndexers(t *testing.T) {
	recs := []*record{
		{ID: "u-1", Name: "Alice@Contoso.com"},
		{ID: "g-1", Name: "Sales", Members: []string{"U-1", "", "u-2"}},
		{ID: "x"},
	}
	tests := []struct {
		name   string
		ours   memdb.Indexer
		theirs memdb.Indexer
		args   []any
	}{
		{"id", stringIndex{field: func(r *record) string { return r.ID }}, &memdb.StringFieldIndex{Field: "ID"}, []any{"u-1"}},
		{"name", stringIndex{field: func(r *record) string { return r.Name }, lower: true},
			&memdb.StringFieldIndex{Field: "Name", Lowercase: true}, []any{"ALICE@contoso.com"}},
		{"members", stringsIndex{field: func(r *record) []string { return r.Members }, lower: true},
			&memdb.StringSliceFieldIndex{Field: "Members", Lowercase: true}, []any{"U-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rec := range recs {
				switch ours := tt.ours.(type) {
				case memdb.SingleIndexer:
					ok1, k1, err1 := ours.FromObject(rec)
					ok2, k2, err2 := tt.theirs.(memdb.SingleIndexer).FromObject(rec)
					if ok1 != ok2 || string(k1) != string(k2) || (err1 == nil) != (err2 == nil) {
						t.Fatalf("FromObject(%+v) = %v %q %v, memdb %v %q %v", rec, ok1, k1, err1, ok2, k2, err2)
					}
				case memdb.MultiIndexer:
					ok1, k1, err1 := ours.FromObject(rec)
					ok2, k2, err2 := tt.theirs.(memdb.MultiIndexer).FromObject(rec)
					if ok1 != ok2 || fmt.Sprintf("%q", k1) != fmt.Sprintf("%q", k2) || (err1 == nil) != (err2 == nil) {
						t.Fatalf("FromObject(%+v) = %v %q %v, memdb %v %q %v", rec, ok1, k1, err1, ok2, k2, err2)
					}
				}
			}
			for _, args := range [][]any{tt.args, {}, {1}, {"a", "b"}} {
				k1, err1 := tt.ours.FromArgs(args...)
				k2, err2 := tt.theirs.FromArgs(args...)
				if string(k1) != string(k2) || (err1 == nil) != (err2 == nil) {
					t.Fatalf("FromArgs(%v) = %q %v, memdb %q %v", args, k1, err1, k2, err2)
				}
			}
			if p, ok := tt.ours.(memdb.PrefixIndexer); ok {
				k1, _ := p.PrefixFromArgs(tt.args...)
				k2, _ := tt.theirs.(memdb.PrefixIndexer).PrefixFromArgs(tt.args...)
				if string(k1) != string(k2) {
					t.Fatalf("PrefixFromArgs(%v) = %q, memdb %q", tt.args, k1, k2)
				}
			}
		})
	}
	if _, _, err := (stringIndex{field: func(r *record) string { return r.ID }}).FromObject("not a record"); err == nil {
		t.Fatal("FromObject(string) = nil error")
	}
}

// checkAppendJSON fails when appendJSON, wherever it encodes v, differs from json.Marshal.
func checkAppendJSON(t *testing.T, v any) bool {
	t.Helper()
	got, ok := appendJSON(nil, v)
	if !ok {
		return false
	}
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("appendJSON(%#v) encodes what json.Marshal rejects: %v", v, err)
	}
	if string(got) != string(want) {
		t.Fatalf("appendJSON(%#v)\n got %s\nwant %s", v, got, want)
	}
	return true
}

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		ok   bool
	}{
		{"resource", map[string]any{"userName": "a@b.c", "active": true, "emails": []any{map[string]any{"value": "a@b.c", "primary": false}},
			"meta": map[string]any{"version": `W/"1"`}, "schemas": []string{wire.UserSchema}, "x": nil, "n": int64(-7), "i": 3}, true},
		{"HTML characters and controls", map[string]any{"<a>&": "<script>\u2028\t\"\\\x01"}, true},
		{"every short escape", []any{"\b\f\n\r\t\x1f\x7f\u2029 é"}, true},
		{"invalid UTF-8", []any{"\xff\xfe", "é"}, true},
		{"empty and nil lists", map[string]any{"a": []any{}, "b": []any(nil), "c": []string{}, "d": []string(nil), "e": map[string]any{}}, true},
		{"keys sort by bytes", map[string]any{"b": 1, "B": 2, "a": 3, "é": 4, "": 5}, true},
		{"a float is left to json.Marshal", map[string]any{"f": 1.5}, false},
		{"a json.Number is left to json.Marshal", []any{json.Number("1")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkAppendJSON(t, tt.v); got != tt.ok {
				t.Fatalf("appendJSON(%#v) ok = %v, want %v", tt.v, got, tt.ok)
			}
		})
	}
	var seed map[string]any
	readJSON(t, "testdata/seed.json", &seed)
	for _, list := range seed {
		for _, res := range list.([]any) {
			attrs, err := userKind.validate(res.(map[string]any))
			if err != nil {
				attrs, err = groupKind.validate(res.(map[string]any))
			}
			if err != nil {
				t.Fatalf("validate(%v): %v", res, err)
			}
			checkAppendJSON(t, attrs)
		}
	}
}

// FuzzAppendJSON compares appendJSON with json.Marshal on decoded JSON documents.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x",true,null,{"<":"&"}]}`, `"\u2028\ud800"`, `[]`, `{"b":{},"a":[]}`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		checkAppendJSON(t, v)
	})
}

// FuzzAppendJSONEscaped: any string, valid UTF-8 or not, is escaped as json.Marshal escapes it.
func FuzzAppendJSONEscaped(f *testing.F) {
	for _, s := range []string{"plain", "<&>", "\x00\b\f\n\r\t\x1f", "\u2028\u2029", "\xff\xfe", "é\xc3", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := `"` + string(appendJSONEscaped(nil, s)) + `"`; got != string(want) {
			t.Fatalf("appendJSONEscaped(%q) = %s, json.Marshal %s", s, got, want)
		}
	})
}

// TestJournalBook_Bytes: each tenant's journal stays within its byte bound, all of them within
// the total, and the total evicts the server's oldest entries first.
func TestJournalBook_Bytes(t *testing.T) {
	entry := func(i int, n int) journalRecord {
		return journalRecord{entry: JournalEntry{Query: fmt.Sprint(i)}, body: []byte(strings.Repeat("b", n))}
	}
	size := func(r journalRecord) int64 { return r.entry.size() + int64(len(r.body)) }
	one := size(entry(0, 800)) // every entry below is this size
	book := newJournalBook(1000, 3*one, 5*one)
	a, b := book.newJournal(), book.newJournal()
	queries := func(j *journal) []string {
		got := []string{}
		for _, e := range j.list() {
			got = append(got, e.Query)
		}
		return got
	}
	for i := range 5 {
		a.add(entry(i, 800))
	}
	if diff := cmp.Diff([]string{"2", "3", "4"}, queries(a)); diff != "" {
		t.Fatalf("tenant bound (-want +got):\n%s", diff)
	}
	for i := 5; i < 8; i++ {
		b.add(entry(i, 800))
	}
	// 3 + 3 entries exceed the total of 5: a's oldest went.
	if diff := cmp.Diff([]string{"3", "4"}, queries(a)); diff != "" {
		t.Fatalf("total bound, tenant a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"5", "6", "7"}, queries(b)); diff != "" {
		t.Fatalf("total bound, tenant b (-want +got):\n%s", diff)
	}
	if book.bytes != 5*one || book.live != 5 {
		t.Fatalf("book holds %d bytes in %d entries, want %d in 5", book.bytes, book.live, 5*one)
	}
	a.add(entry(99, int(4*one))) // larger than the tenant bound: not kept
	if got := len(a.list()); got != 2 {
		t.Fatalf("an entry over the tenant bound changed the journal: %d entries", got)
	}
	a.reset()
	if book.bytes != 3*one || book.live != 3 {
		t.Fatalf("after reset: %d bytes in %d entries, want %d in 3", book.bytes, book.live, 3*one)
	}
	// Many entries removed by the tenant bound leave the global order compact.
	for i := range 10000 {
		a.add(entry(i, 10))
	}
	if book.order.len() > 2*book.live+1025 {
		t.Fatalf("global order holds %d entries for %d live ones", book.order.len(), book.live)
	}
}

// TestMentionsSecret_AnyCase: the eight-bytes-at-a-time lowering finds a secret word in any
// case at any offset, among bytes of every value, and lowers nothing but 'A' to 'Z'.
func TestMentionsSecret_AnyCase(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			var in [8]byte
			for i := range in {
				in[i] = byte('A' + i)
			}
			in[pos] = byte(c)
			var want [8]byte
			for i, b := range in {
				want[i] = b
				if 'A' <= b && b <= 'Z' {
					want[i] = b + 'a' - 'A'
				}
			}
			x := binary.LittleEndian.Uint64(in[:])
			if got := lowerASCII8(x); got != binary.LittleEndian.Uint64(want[:]) {
				t.Fatalf("lowerASCII8(% x) = %016x, want % x", in, got, want)
			}
		}
	}
	for off := range 17 {
		for _, w := range []string{"password", "PASSWORD", "PassWord", "clientSECRET", "ApiKey"} {
			body := strings.Repeat("\xc3\xa9", off) + `{"` + w + `":1}`
			if !mentionsSecret(body) || !mentionsSecret([]byte(body)) {
				t.Errorf("mentionsSecret(%q) = false", body)
			}
		}
		if body := strings.Repeat("x", off) + `{"userName":"PASSWORt\xd0"}`; mentionsSecret(body) {
			t.Errorf("mentionsSecret(%q) = true", body)
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no secret", `{"userName":"ada","title":"x"}`, `{"userName":"ada","title":"x"}`},
		{"password", `{"userName":"ada","password":"hunter2"}`, `{"password":"[redacted]","userName":"ada"}`},
		{"nested and any case", `{"x":[{"PassWord":{"a":1}}],"clientSecret":"s"}`, `{"clientSecret":"[redacted]","x":[{"PassWord":"[redacted]"}]}`},
		{"PATCH path", `{"Operations":[{"op":"replace","path":"password","value":"hunter2"},{"op":"replace","path":"title","value":"t"}]}`,
			`{"Operations":[{"op":"replace","path":"password","value":"[redacted]"},{"op":"replace","path":"title","value":"t"}]}`},
		{"not JSON", `{"password":"hunter2"`, `[redacted]: the body names a secret and is not JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(redactSecrets([]byte(tt.in))); got != tt.want {
				t.Fatalf("redactSecrets(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if got := journalQuery("filter=x&access_token=abc"); got != "access_token=%5Bredacted%5D&filter=x" {
		t.Fatalf("journalQuery = %q", got)
	}
	if got := journalQuery("filter=userName+eq+%22a%22"); got != "filter=userName+eq+%22a%22" {
		t.Fatalf("journalQuery changed a query without a secret: %q", got)
	}
}
