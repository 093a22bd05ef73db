package scimsim

import (
	"fmt"
	"strings"
)

// FidelityMarkdown renders Behaviours as docs/fidelity.md.
func FidelityMarkdown() string {
	var b strings.Builder
	count := map[Evidence]int{}
	for _, x := range Behaviours {
		count[x.Evidence]++
	}
	fmt.Fprintf(&b, `# Fidelity: what scimsim reproduces of Microsoft Entra ID

Every behaviour of Entra's provisioning service that scimsim reproduces, one row each, with its
source and how it is known: **documented** (a Microsoft Learn or Graph page says it), **field report**
(seen against real tenants and reported, where Microsoft's pages are silent) or **inferred**
(concluded from those; no source states it). The page is generated from the table in `+"`fidelity.go`"+`,
and a test checks that the code each row names cites the same source.

%d behaviours: %d documented, %d from field reports, %d inferred.

| area | behaviour | evidence | source | code |
|---|---|---|---|---|
`, len(Behaviours), count[Documented], count[FieldReport], count[Inferred])
	for _, x := range Behaviours {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | `%s` |\n", x.Area, mdCell(x.What), x.Evidence, mdCell(x.Source), x.Where)
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
