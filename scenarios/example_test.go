package scenarios_test

import (
	"fmt"

	"github.com/scimsim/scimsim/scenarios"
)

func ExampleParse() {
	s, err := scenarios.Parse("scenarios/match-duplicate.yaml", []byte(`
title: Two target users share the matching attribute value
doc: "Step 4: Match user between source and target"
labels: [faults]
source: testdata/sources/contoso.yaml
config: testdata/configs/contoso.yaml
target:
  faults: [{type: duplicate_match, match: {resource: Users, filterAttribute: userName}}]
subject: {user: alice@contoso.com}
expect: {status: failure, failedStep: matching, errorCode: DuplicateTargetEntries, tip: unique}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.ID, s.Subject, s.Expect.FailedStep, s.Expect.ErrorCode)

	_, err = scenarios.Parse("scenarios/typo.yaml", []byte("title: T\ndoc: D\nsubjcet: {user: a}\n"))
	fmt.Println(err)
	// Output:
	// match-duplicate user alice@contoso.com matching DuplicateTargetEntries
	// scenarios/typo.yaml:3:1: unknown key "subjcet" (did you mean "subject"?)
}
