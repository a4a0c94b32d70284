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
	// Cluster is the name a single cluster's findings carry
	// (location.cluster) when --cluster-name gives one other than the
	// context.
	Cluster string `json:"cluster,omitempty"`
	// Clusters names every cluster of a fleet report (several contexts, or
	// sascan merge), sorted.
	Clusters []string `json:"clusters,omitempty"`
}

// ClusterName is the name the findings of a single-cluster report carry.
func (s Source) ClusterName() string {
	if s.Cluster != "" {
		return s.Cluster
	}
	return s.Context
}

// Cluster is one cluster of a fleet report.
type Cluster struct {
	Name string // the context, or the name a merged report gave
	// Scanned is false for a cluster that could not be scanned (an
	// Incomplete entry of resource "cluster" says why); it has no findings.
	Scanned bool
	Objects int
}

// IncompleteCluster is the Incomplete resource of a cluster that could not
// be scanned at all.
const IncompleteCluster = "cluster"

// Error is an input that could not be read or parsed.
type Error struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Incomplete names what a scan could not observe and the rules affected.
type Incomplete struct {
	Cluster  string   `json:"cluster,omitempty"` // fleet reports
	Resource string   `json:"resource"`
	Reason   string   `json:"reason"`
	Rules    []string `json:"rules,omitempty"`
}

// Report is everything a renderer needs.
type Report struct {
	Tool    Tool
	Source  Source
	Objects int // a fleet report's are its clusters'
	// Clusters, sorted by name, make a fleet report: every finding names
	// one of them in Location.Cluster. Nil for a single scan.
	Clusters   []Cluster
	Findings   []rules.Finding // sorted; suppressed ones included
	Errors     []Error
	Incomplete []Incomplete
	// Hints say once how the scan's own settings may explain findings
	// (a --default-namespace that would resolve binding subjects).
	Hints []string
	// Audit is what the --audit-log logs held; nil without them.
	Audit     *Audit
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

// Fleet reports whether r covers several clusters (sascan cluster with
// several contexts, or sascan merge).
func (r *Report) Fleet() bool { return r.Clusters != nil }

// Summary counts unsuppressed findings by severity.
type Summary struct {
	Objects    int            `json:"objects"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"bySeverity"`
	Suppressed int            `json:"suppressed"`
	// Clusters has a row per cluster of a fleet report.
	Clusters []ClusterSummary `json:"clusters,omitempty"`
}

// ClusterSummary counts one cluster's findings.
type ClusterSummary struct {
	Name       string         `json:"name"`
	Scanned    bool           `json:"scanned"`
	Objects    int            `json:"objects"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"bySeverity"`
	Suppressed int            `json:"suppressed"`
}

var severities = []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info}

func bySeverity() map[string]int {
	m := map[string]int{}
	for _, sev := range severities {
		m[sev.String()] = 0
	}
	return m
}

// Summarize counts r's findings, and each cluster's in a fleet report.
func Summarize(r *Report) Summary {
	s := Summary{Objects: r.Objects, BySeverity: bySeverity()}
	rows := map[string]*ClusterSummary{}
	if r.Fleet() {
		s.Objects = 0
		s.Clusters = make([]ClusterSummary, len(r.Clusters))
		for i, c := range r.Clusters {
			s.Clusters[i] = ClusterSummary{Name: c.Name, Scanned: c.Scanned, Objects: c.Objects, BySeverity: bySeverity()}
			rows[c.Name] = &s.Clusters[i]
			s.Objects += c.Objects
		}
	}
	for _, f := range r.Findings {
		row := rows[f.Location.Cluster]
		if f.Suppressed != nil {
			s.Suppressed++
			if row != nil {
				row.Suppressed++
			}
			continue
		}
		s.Findings++
		s.BySeverity[f.Severity.String()]++
		if row != nil {
			row.Findings++
			row.BySeverity[f.Severity.String()]++
		}
	}
	return s
}
