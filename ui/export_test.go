package ui

import (
	"io"

	"github.com/scimsim/scimsim/engine"
)

// RenderProvision executes the provision page's parsed templates over rep, every step's requests
// open, as GET /provision?user=USER&requests=1 shows the run of user: for the benchmark of what
// the page adds to the run.
func RenderProvision(w io.Writer, rep *engine.Report, user string) error {
	p := page{Title: "Provision on demand", Nav: "provision", Data: provisionData{Report: rep, ShowRequests: true, User: user}}
	return pages["provision"].ExecuteTemplate(w, "layout", p)
}
