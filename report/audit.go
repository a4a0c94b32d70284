package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/sascan/sascan/ledger"
)

// Audit says what the audit logs given with --audit-log held: the window
// the findings drawn from them are based on and which evidence the logs
// carry. Never an event's content.
type Audit struct {
	Sources  []string `json:"sources"`
	First    string   `json:"first"`
	Last     string   `json:"last"`
	Lines    int64    `json:"lines"`
	Events   int64    `json:"events"`
	Unparsed int64    `json:"unparsed"`
	// Evidence names what the logs carry: legacy-token, legacy-token-secret,
	// stale-token, bound-token-claims, credential-id.
	Evidence []string `json:"evidence"`
	// UnparsedLines names the first unparsed lines (file, line, why).
	UnparsedLines   []Error `json:"unparsedLines,omitempty"`
	ServiceAccounts int     `json:"serviceAccounts"`
}

// AuditOf summarizes a ledger for a report.
func AuditOf(l *ledger.Ledger) *Audit {
	a := &Audit{
		Sources: l.Sources, First: l.First.UTC().Format(time.RFC3339), Last: l.Last.UTC().Format(time.RFC3339),
		Lines: l.Lines, Events: l.Events, Unparsed: l.Unparsed, Evidence: []string{}, ServiceAccounts: len(l.Accounts),
	}
	for _, e := range []struct {
		on   bool
		name string
	}{
		{l.Evidence.LegacyTokens, "legacy-token"}, {l.Evidence.LegacySecrets, "legacy-token-secret"},
		{l.Evidence.StaleTokens, "stale-token"}, {l.Evidence.BoundClaims, "bound-token-claims"},
		{l.Evidence.CredentialIDs, "credential-id"},
	} {
		if e.on {
			a.Evidence = append(a.Evidence, e.name)
		}
	}
	for _, le := range l.LineErrors {
		a.UnparsedLines = append(a.UnparsedLines, Error{File: le.File, Line: int(le.Line), Message: le.Message})
	}
	return a
}

// Text is the audit line of the table.
func (a *Audit) Text() string {
	ev := "no token annotations or claims"
	if len(a.Evidence) > 0 {
		ev = strings.Join(a.Evidence, ", ")
	}
	s := fmt.Sprintf("audit log: %d events from %s to %s (%s), %d ServiceAccounts; evidence: %s", a.Events, a.First, a.Last, strings.Join(a.Sources, ", "), a.ServiceAccounts, ev)
	if a.Unparsed > 0 {
		s += fmt.Sprintf("; %d lines not parsed", a.Unparsed)
	}
	return s
}
