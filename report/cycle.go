package report

import "time"

// Cycle is one provisioning cycle as a job reports it: its number and virtual times, how many
// objects it processed and what it did to them, the job's status after it, the error codes met and
// the attributes changed.
type Cycle struct {
	Number    int       `json:"number"`
	ID        string    `json:"id"`
	Initial   bool      `json:"initial"`
	Began     time.Time `json:"began"`
	Ended     time.Time `json:"ended"`
	Processed int       `json:"processed"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Disabled  int       `json:"disabled"`
	Deleted   int       `json:"deleted"`
	Skipped   int       `json:"skipped"`
	Failed    int       `json:"failed"`
	Staged    int       `json:"staged"`
	Escrows   int       `json:"escrows"`
	// Code and Reason are the job's status after the cycle.
	Code   string `json:"code"`
	Reason string `json:"reason,omitempty"`
	// Codes counts the error codes of the cycle's failures; Modified lists the attributes its
	// exports changed, once each.
	Codes    map[string]int `json:"codes,omitempty"`
	Modified []string       `json:"modified,omitempty"`
	// Stopped says why the cycle ended before processing everything.
	Stopped string `json:"stopped,omitempty"`
}

// Duration is the cycle's virtual duration.
func (c Cycle) Duration() time.Duration { return c.Ended.Sub(c.Began) }
