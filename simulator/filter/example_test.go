package filter_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/elimity-com/scim/schema"

	"github.com/scimsim/scimsim/simulator/filter"
)

func ExampleParse() {
	e, err := filter.Parse(`emails[type eq "work"].value eq "bjensen@example.com"`, filter.AllowValuePathSubAttribute())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)

	_, err = filter.Parse(`userName eq bjensen`)
	fmt.Println(err)
	// Output:
	// emails[type eq "work" and value eq "bjensen@example.com"]
	// expected a value (string, number, true, false or null) after "eq", found "bjensen" at position 12
	//     userName eq bjensen
	//                 ^
}

func ExampleEval() {
	var user map[string]any
	dec := json.NewDecoder(strings.NewReader(`{
		"userName": "bjensen",
		"emails": [{"value": "bjensen@example.com", "type": "work"}, {"value": "babs@jensen.org", "type": "home"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}
	}`))
	dec.UseNumber()
	if err := dec.Decode(&user); err != nil {
		panic(err)
	}
	s := filter.SchemaOf(schema.CoreUserSchema(), schema.ExtensionEnterpriseUser())
	for _, f := range []string{
		`userName eq "BJENSEN"`,
		`emails.value eq "babs@jensen.org"`,
		`emails[type eq "home" and value co "@example.com"]`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
	} {
		e, err := filter.Parse(f)
		if err != nil {
			panic(err)
		}
		fmt.Println(filter.Eval(e, user, s), f)
	}
	// Output:
	// true userName eq "BJENSEN"
	// true emails.value eq "babs@jensen.org"
	// false emails[type eq "home" and value co "@example.com"]
	// true urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"
}

func ExampleCheck() {
	s := filter.SchemaOf(schema.CoreUserSchema())
	e, _ := filter.Parse(`active gt "x"`)
	fmt.Println(filter.Check(e, s))
	// Output:
	// operator "gt" is not allowed on boolean attribute "active" at position 0
	//     active gt "x"
	//     ^
}

func ExampleEqualityOn() {
	e, _ := filter.Parse(`userName eq "user50000" and active eq true`)
	attr, value, ok := filter.EqualityOn(e)
	fmt.Println(attr, value, ok)
	// Output:
	// userName user50000 true
}

func ExampleParsePath() {
	p, err := filter.ParsePath(`members[value eq "2819c223"].display`)
	if err != nil {
		panic(err)
	}
	fmt.Printf("attr=%s filter=%s sub=%s\n", p.Attr, p.Filter, p.Sub)
	// Output:
	// attr=members filter=value eq "2819c223" sub=display
}
