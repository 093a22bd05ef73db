package entra

import (
	"fmt"
	"strings"
)

// CodesMarkdown renders the table of codes as the page docs/error-codes.md, so that the docs cannot
// drift from what the engine reports.
func CodesMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Error and skip codes

Every code a scimsim report can carry, generated from the table in ` + "`entra/codes.go`" + ` (the only place a
code is written). Microsoft's codes are Entra's own names: from the error table of the provisioning logs
page, or, where that page is silent, from provisioning logs quoted in field reports. A code marked
**scimsim** is scimsim's own, for a situation Microsoft documents no code for.

| code | steps | meaning | source | tips |
|---|---|---|---|---|
`)
	for _, c := range codes {
		src := c.Source
		if c.Ours() {
			src = "**scimsim**"
		}
		var tips []string
		for _, t := range c.Tips {
			tips = append(tips, cell(t.Text)+" ("+cell(t.Source)+")")
		}
		for _, step := range allSteps {
			if st, ok := c.StepTips[step]; ok {
				var ts []string
				for _, t := range st {
					ts = append(ts, cell(t.Text))
				}
				tips = append(tips, "at "+step+": "+strings.Join(ts, " / "))
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Code, strings.Join(c.Steps, ", "), cell(c.Meaning), cell(src), strings.Join(tips, "<br>"))
	}
	b.WriteString("\nA failed export always lists the on-demand page's Step 5 tip first: \"" + TipExportVaries.Text + "\"\n")
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
