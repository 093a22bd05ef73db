package expr_test

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/scimsim/scimsim/engine/expr"
)

func Example() {
	e, err := expr.Parse(`Join(" ", [givenName], [surname])`, expr.WithAttributes([]string{"givenName", "surname", "mail"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := e.Eval(expr.Env{Attrs: map[string]any{"givenName": "Alice", "surname": "Smith"}})
	fmt.Printf("%q %v\n", v, err)

	// A null source is not provisioned; IgnoreFlowIfNullOrEmpty drops the attribute instead.
	v, _ = expr.MustParse(`Append([mail], ".test")`).Eval(expr.Env{})
	fmt.Println(v == nil)
	v, _ = expr.MustParse(`IgnoreFlowIfNullOrEmpty([department])`).Eval(expr.Env{})
	fmt.Println(v == expr.Ignore)

	// Validation is separate from evaluation, and errors point at the mistake.
	_, err = expr.Parse(`Join(" ", [givenName], [surnme])`, expr.WithAttributes([]string{"givenName", "surname"}))
	fmt.Println(err)
	// Output:
	// "Alice Smith" <nil>
	// true
	// true
	// 1:24: unknown attribute [surnme] (did you mean [surname]?)
	//   Join(" ", [givenName], [surnme])
	//                          ^
}

// Now, Guid and RandomString read the clock and the random source the caller injects.
func ExampleEnv() {
	env := expr.Env{
		Now:  func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		Rand: rand.New(rand.NewSource(7)),
	}
	v, _ := expr.MustParse(`DateAdd("d", 7, Now())`).Eval(env)
	fmt.Println(v)
	v, _ = expr.MustParse(`FormatDateTime(Now(), , "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd")`).Eval(env)
	fmt.Println(v)
	// Output:
	// 12/2/2026 10:00:00 AM
	// 2026-11-25
}

func ExampleExpr_Tree() {
	fmt.Print(expr.MustParse(`Switch([state], "Australia/Sydney", "QLD", "Australia/Brisbane")`).Tree())
	// Output:
	// Switch()
	//   source: [state] (attribute)
	//   defaultValue: "Australia/Sydney"
	//   key1: "QLD"
	//   value1: "Australia/Brisbane"
}
