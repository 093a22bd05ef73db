package simulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/internal/golden"
	"github.com/scimsim/scimsim/wire"
)

// prepareInputs are POST bodies for prepareCreate: the validator's and the decoder's inputs, the
// users of Microsoft's SCIM validator captures, and the bodies of testdata/prepare_bodies.txt.
func prepareInputs(t testing.TB) [][]byte {
	out := decodeInputs(t)
	var capture struct{ Request json.RawMessage }
	readJSON(t, "testdata/azuread/create_user.json", &capture)
	out = append(out, capture.Request)
	for _, line := range golden.Lines(t, "testdata/prepare_bodies.txt") {
		_, body, _ := strings.Cut(line, " ")
		out = append(out, []byte(body))
	}
	return out
}

// createBySteps is what a POST of body stores under the entra profile when the body goes
// through decoding, validation and encoding one after the other, or the error it answers.
func createBySteps(k *kind, body []byte, id string, m metaInfo) (rec *record, plain bool, err error) {
	doc, plain, err := prepareResource(k, body, ProfileEntra)
	if err != nil {
		return nil, false, err
	}
	attrs, err := validateBody(k, doc)
	if err != nil {
		return nil, false, err
	}
	if err := checkUserName(k, attrs); err != nil {
		return nil, false, err
	}
	rec, err = encodeRecord(k, id, 0, attrs, m)
	return rec, plain, err
}

// checkPrepareCreate fails when prepareCreate answers for body with another record, or another
// plain, than createBySteps, or answers where createBySteps refuses the body. It reports whether
// prepareCreate answered.
func checkPrepareCreate(t *testing.T, k *kind, body []byte) bool {
	t.Helper()
	now := time.Date(2026, 12, 2, 5, 0, 0, 123e6, time.UTC)
	m := metaInfo{created: now, modified: now, version: 1}
	const id = "2d0f4a3c-7c1e-4b8e-9a51-5b0c2f6d1e01"
	p, ok := prepareCreate(k, body)
	if !ok {
		return false
	}
	got, err := p.encode(k, id, 0, m)
	plain := p.plain
	p.release()
	if err != nil {
		t.Fatalf("prepareCreate(%s): encode: %v", body, err)
	}
	want, wantPlain, err := createBySteps(k, body, id, m)
	if err != nil {
		t.Fatalf("prepareCreate(%s) answered, but the steps refuse the body: %v", body, err)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(record{})); diff != "" {
		t.Fatalf("prepareCreate(%s): the record differs from the steps' (-steps +prepared):\n%s", body, diff)
	}
	if plain != wantPlain {
		t.Fatalf("prepareCreate(%s): plain %v, the decoder's %v", body, plain, wantPlain)
	}
	return true
}

// prepareKinds are the user kinds prepareCreate is held to the steps for: the built-in one, one
// with the custom extension of testdata/schemas/acme.json (every attribute type, a list of
// strings, a complex value, one returned "never"), and that one with the extension required.
func prepareKinds(t testing.TB) []*kind {
	schemas := acmeSchemas(t)
	acme := mustCustomKinds(t, CustomSchemas{Schemas: schemas})
	required := mustCustomKinds(t, CustomSchemas{Schemas: schemas, ResourceTypes: []ResourceTypeSpec{{Name: "User", Schema: wire.UserSchema,
		SchemaExtensions: []ExtensionSpec{{Schema: wire.EnterpriseSchema}, {Schema: schemas[0].ID, Required: true}}}}})
	return []*kind{userKind, acme[userKind.index], required[userKind.index]}
}

func TestPrepareCreate_AgreesWithValidation(t *testing.T) {
	answered := 0
	ks := prepareKinds(t)
	for _, body := range prepareInputs(t) {
		for _, k := range ks {
			if checkPrepareCreate(t, k, body) && k == userKind {
				answered++
			}
		}
	}
	// A custom extension is read, with the entra profile's fix of its boolean, and a required
	// one refused when absent.
	withAcme := []byte(`{"schemas":["` + wire.UserSchema + `"],"userName":"ada","urn:ietf:params:scim:schemas:extension:acme:2.0:User":` +
		`{"costCenter":"4","skills":["go","scim"],"remote":"True","buddy":"https://x/u/1","office":{"building":"B"}}}`)
	if !checkPrepareCreate(t, ks[1], withAcme) || !checkPrepareCreate(t, ks[2], withAcme) {
		t.Errorf("prepareCreate does not read a custom extension: %s", withAcme)
	}
	if checkPrepareCreate(t, ks[2], []byte(`{"schemas":["`+wire.UserSchema+`"],"userName":"ada"}`)) {
		t.Errorf("prepareCreate read a user without its required extension")
	}
	// Most inputs are meant to be refused or left to the steps; those of prepare_bodies.txt
	// marked "prepared" must be read by prepareCreate itself.
	t.Logf("prepareCreate answered %d of %d inputs", answered, len(prepareInputs(t)))
	if answered < 20 {
		t.Errorf("prepareCreate answered %d inputs; the test means to compare at least 20", answered)
	}
}

// TestPrepareCreate_Reads holds prepareCreate to reading the bodies that clients send every day,
// and to leaving to the steps those it cannot read alike: each line of prepare_bodies.txt says
// which ("prepared" or "steps").
func TestPrepareCreate_Reads(t *testing.T) {
	for _, line := range golden.Lines(t, "testdata/prepare_bodies.txt") {
		want, body, _ := strings.Cut(line, " ")
		if want != "prepared" && want != "steps" {
			t.Fatalf("prepare_bodies.txt: %q: a line starts with prepared or steps", line)
		}
		if got := checkPrepareCreate(t, userKind, []byte(body)); got != (want == "prepared") {
			t.Errorf("prepareCreate(%s) answered %v, want %v (%s)", body, got, !got, want)
		}
	}
	var capture struct{ Request json.RawMessage }
	readJSON(t, "testdata/azuread/create_user.json", &capture)
	if !checkPrepareCreate(t, userKind, capture.Request) {
		t.Errorf("prepareCreate does not read Entra ID's create (testdata/azuread/create_user.json)")
	}
}

func FuzzPrepareCreate(f *testing.F) {
	for _, in := range prepareInputs(f) {
		f.Add(in)
	}
	ks := prepareKinds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range ks {
			checkPrepareCreate(t, k, body)
		}
	})
}
