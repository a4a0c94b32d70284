// Package report renders scan results as a table, JSON, SARIF 2.1.0 or a
// self-contained HTML page.
// Renderers only read rules.Finding values; nothing here decides what is a
// finding.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sascan/sascan/rules"
)

// SchemaVersion is the version of the JSON report format (docs/json-schema.json).
const SchemaVersion = "1"

// Tool identifies the program that produced a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Source says what was scanned.
type Source struct {
	Mode    string   `json:"mode"` // manifest or cluster
	Paths   []string `json:"paths,omitempty"`
	Context string   `json:"context,omitempty"`
}

// Error is an input that could not be read or parsed.
type Error struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Incomplete names what a scan could not observe and the rules affected.
type Incomplete struct {
	Resource string   `json:"resource"`
	Reason   string   `json:"reason"`
	Rules    []string `json:"rules,omitempty"`
}

// Report is everything a renderer needs.
type Report struct {
	Tool       Tool
	Source     Source
	Objects    int
	Findings   []rules.Finding // sorted; suppressed ones included
	Errors     []Error
	Incomplete []Incomplete
	// Hints say once how the scan's own settings may explain findings
	// (a --default-namespace that would resolve binding subjects).
	Hints     []string
	Rules     []*rules.Rule // the enabled rules, for SARIF's driver
	SarifRoot string        // absolute directory SARIF URIs are relative to
	Color     bool          // table: ANSI colours
	Width     int           // table: fit this many columns (a terminal's); 0: no limit
	// Warn, when set, hears what a renderer leaves out (SARIF past GitHub's
	// limits).
	Warn func(msg string)
}

// Format is an output format.
type Format string

const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatSARIF Format = "sarif"
	FormatHTML  Format = "html"
)

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatTable, FormatJSON, FormatSARIF, FormatHTML:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q (want table, json, sarif or html)", s)
}

// Render writes r in format f.
func Render(w io.Writer, f Format, r *Report) error {
	switch f {
	case FormatJSON:
		return JSON(w, r)
	case FormatSARIF:
		return SARIF(w, r)
	case FormatHTML:
		return HTML(w, r)
	default:
		return Table(w, r)
	}
}

// Summary counts unsuppressed findings by severity.
type Summary struct {
	Objects    int            `json:"objects"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"bySeverity"`
	Suppressed int            `json:"suppressed"`
}

// Summarize counts r's findings.
func Summarize(r *Report) Summary {
	s := Summary{Objects: r.Objects, BySeverity: map[string]int{}}
	for _, sev := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		s.BySeverity[sev.String()] = 0
	}
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			s.Suppressed++
			continue
		}
		s.Findings++
		s.BySeverity[f.Severity.String()]++
	}
	return s
}
