package simulator

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/scimsim/scimsim/wire"
)

// checkAgainstElimity fails when a validator and elimity's validation disagree on res: in the
// attributes they return, or in the error (one of elimity's values, so compared by address). A
// validator's take, given a copy of res to consume, returns what its resource does.
func checkAgainstElimity(t *testing.T, res any) {
	t.Helper()
	for _, k := range kinds {
		got, gotErr := k.check.resource(res, true)
		want, wantErr := k.validating.Validate(res)
		compare(t, k.name, res, got, want, gotErr, wantErr)
		taken, takeErr := k.check.take(wire.Clone(res), true)
		compare(t, k.name+" take", res, taken, got, takeErr, gotErr)
		for i, e := range k.exts {
			got, gotErr := k.extChecks[i].resource(res, false)
			want, wantErr := e.ValidateExtension(res)
			compare(t, e.ID, res, got, want, gotErr, wantErr)
			taken, takeErr := k.extChecks[i].take(wire.Clone(res), false)
			compare(t, e.ID+" take", res, taken, got, takeErr, gotErr)
		}
	}
}

func compare(t *testing.T, schema string, res any, got, want map[string]any, gotErr, wantErr *scimerrors.ScimError) {
	t.Helper()
	if gotErr != wantErr {
		t.Fatalf("%s: %#v\nerror %v, elimity's %v", schema, res, gotErr, wantErr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s: %#v\n(-elimity +ours):\n%s", schema, res, diff)
	}
}

func validateInputs(t testing.TB) [][]byte {
	var out [][]byte
	var cases []json.RawMessage
	readJSON(t, "testdata/validate_cases.json", &cases)
	for _, c := range cases {
		out = append(out, c)
	}
	var seed struct{ Users, Groups []json.RawMessage }
	readJSON(t, "testdata/seed.json", &seed)
	for _, r := range append(seed.Users, seed.Groups...) {
		// seed.json has no schemas: the validator requires them, as a POST body does.
		var m map[string]any
		_ = json.Unmarshal(r, &m)
		for _, urn := range []string{wire.UserSchema, wire.GroupSchema} {
			m["schemas"] = []any{urn}
			b, _ := json.Marshal(m)
			out = append(out, b)
		}
	}
	return out
}

func TestValidator_AgreesWithElimity(t *testing.T) {
	for _, in := range validateInputs(t) {
		var res any
		if err := decodeNumbers(in, &res); err != nil {
			t.Fatal(err)
		}
		checkAgainstElimity(t, res)
	}
}

// FuzzValidator: for any JSON value, a validator answers what elimity's validation answers.
func FuzzValidator(f *testing.F) {
	for _, in := range validateInputs(f) {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var res any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if d.Decode(&res) != nil {
			return
		}
		checkAgainstElimity(t, res)
	})
}

// TestEncodeRecord_AsJSONMarshal: encodeRecord writes what json.Marshal of the resource as a map
// writes, for every input of the validator tests that validates and for every seeded resource.
func TestEncodeRecord_AsJSONMarshal(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 123e6, time.UTC)
	m := metaInfo{created: now, modified: now.Add(time.Hour), version: 7}
	n := 0
	for _, in := range validateInputs(t) {
		var res any
		if err := decodeNumbers(in, &res); err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			obj, ok := res.(map[string]any)
			if !ok {
				continue
			}
			attrs, err := k.validate(obj)
			if err != nil {
				continue
			}
			fast, err := encodeRecord(k, "id-<&>", 3, attrs, m)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := encodeRecordMarshal(k, "id-<&>", 3, attrs, m)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Fatalf("%s %s: (-json.Marshal +encodeRecord):\n%s", k.name, in, diff)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d resources compared", n)
	}
}

// checkDecodeFast fails when decodeFast decodes what encoding/json decodes otherwise, or decodes
// what encoding/json refuses.
func checkDecodeFast(t *testing.T, data []byte) {
	t.Helper()
	for _, numbers := range []bool{false, true} {
		got, ok := decodeFast(data, numbers, !numbers)
		if !ok {
			continue
		}
		var want any
		var err error
		if numbers {
			d := json.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			err = d.Decode(&want)
		} else {
			err = json.Unmarshal(data, &want)
		}
		if err != nil {
			t.Fatalf("decodeFast(%q, numbers %v) decoded what encoding/json refuses: %v", data, numbers, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("decodeFast(%q, numbers %v) (-encoding/json +decodeFast):\n%s", data, numbers, diff)
		}
	}
	// decodeDoc, which cuts strings from the document instead of copying them, decodes as
	// json.Unmarshal into a map does, and leaves the document as it was.
	doc := string(data)
	var want map[string]any
	wantErr := json.Unmarshal(data, &want)
	got, err := decodeDoc(doc)
	agree(t, data, "decodeDoc", got, err, "encoding/json", want, wantErr)
	if doc != string(data) {
		t.Fatalf("decodeDoc changed its document: %q, was %q", doc, data)
	}
	// decodeBody, which cuts strings from one copy of a request body, decodes as
	// decodeObject(b, true) does, and leaves the body as it was.
	body := bytes.Clone(data)
	wantBody, wantErr := decodeObject(data, true)
	gotBody, plain, err := decodeBody(body)
	agree(t, data, "decodeBody", gotBody, err, "decodeObject", wantBody, wantErr)
	// A plain body is one JSON object in which the journal's redaction finds nothing to hide.
	if plain {
		var whole map[string]any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&whole); err != nil || d.More() {
			t.Fatalf("decodeBody(%q) is plain but not one JSON object (%v)", data, err)
		}
		if diff := cmp.Diff(gotBody, redactValue(wire.Clone(gotBody))); diff != "" {
			t.Fatalf("decodeBody(%q) is plain, yet the journal redacts (-body +redacted):\n%s", data, diff)
		}
	}
	if !bytes.Equal(body, data) {
		t.Fatalf("decodeBody changed its body: %q, was %q", body, data)
	}
}

// agree fails the test unless a decoder (name) and the reference it is held to (ref) agree on
// data: both refuse it, or both decode it to the same value.
func agree(t *testing.T, data []byte, name string, got any, err error, ref string, want any, wantErr error) {
	t.Helper()
	switch {
	case (err != nil) != (wantErr != nil):
		t.Fatalf("%s(%q): error %v, %s's %v", name, data, err, ref, wantErr)
	case err == nil:
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s(%q) (-%s +%s):\n%s", name, data, ref, name, diff)
		}
	}
}

func decodeInputs(t testing.TB) [][]byte {
	out := validateInputs(t)
	for _, s := range []string{`{}`, `[]`, ` {"a" : [1, -2.5e3, 0, 1E+2, true, false, null, "x", {"b": {}}]} `, `{"a":1}{"b":2}`,
		`{"a":1} trailing`, `{"a":"\u00e9\ud83d\ude00\n\"\\"}`, `{"a":"é"}`, "{\"a\":\"\xff\"}", `{"a":01}`, `{"a":-}`, `{"a":1.}`,
		`{"a":1e999}`, `{"a":tru}`, `{"a",1}`, `{"a":1,}`, `[1,]`, `{"a":1 "b":2}`, `{"a":"x","a":"y"}`, "{\"a\":\"\t\"}", `"top"`, `12`,
		`{"userName":"u","password":"p"}`, `{"Path":"password","value":"p"}`, `{"a":{"apiKey":"k"}}`, `{"x":[{"clientSecret":"s"}]}`,
		`{"userName":"u"} {"password":"p"}`, `{"pass\u0077ord":"p"}`, "{\"to\u212aen\":\"t\"}"} {
		out = append(out, []byte(s))
	}
	return out
}

func TestDecodeFast_AgreesWithEncodingJSON(t *testing.T) {
	decoded := 0
	for _, in := range decodeInputs(t) {
		checkDecodeFast(t, in)
		if _, ok := decodeFast(in, true, false); ok {
			decoded++
		}
	}
	if decoded < 30 {
		t.Fatalf("decodeFast decoded %d inputs itself: too few to compare", decoded)
	}
}

// FuzzDecodeFast: decodeFast never answers what encoding/json would not.
func FuzzDecodeFast(f *testing.F) {
	for _, in := range decodeInputs(f) {
		f.Add(in)
	}
	f.Fuzz(checkDecodeFast)
}
