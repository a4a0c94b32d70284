package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A baseline must be a sascan JSON report: anything else would suppress
// nothing without a word.
func TestReadBaseline(t *testing.T) {
	var rep bytes.Buffer
	if err := JSON(&rep, sample()); err != nil {
		t.Fatal(err)
	}
	var sarif bytes.Buffer
	if err := SARIF(&sarif, sample()); err != nil {
		t.Fatal(err)
	}
	var empty bytes.Buffer
	if err := JSON(&empty, &Report{Tool: Tool{Name: "sascan", Version: "x"}, Source: Source{Mode: "manifest"}}); err != nil {
		t.Fatal(err)
	}
	var fleet bytes.Buffer
	if err := JSON(&fleet, twoClusters()); err != nil {
		t.Fatal(err)
	}
	const hint = "; write one with --write-baseline or -o json"
	tests := []struct {
		name, in string
		want     Baseline
		err      string
	}{
		{"a JSON report", rep.String(), Baseline{"": {strings.Repeat("a", 32): true, strings.Repeat("b", 32): true}}, ""},
		{"a report without findings", empty.String(), Baseline{}, ""},
		{"findings of two clusters", fleet.String(), Baseline{"a": {strings.Repeat("a", 32): true}, "b": {strings.Repeat("a", 32): true, strings.Repeat("b", 32): true}}, ""},
		{"a finding of another type", `{"schemaVersion": "1", "tool": {"name": "sascan"}, "findings": [{"severity": "bad"}]}`, nil, `not a sascan JSON report (unknown severity "bad" (want info, low, medium, high or critical))` + hint},
		{"a later schema with other findings", `{"schemaVersion": "2", "tool": {"name": "sascan"}, "findings": [{"severity": 7}]}`, nil, `a sascan JSON report of schema version "2"; this sascan reads version "1"`},
		{"SARIF", sarif.String(), nil, "a SARIF log, not a sascan JSON report" + hint},
		{"{}", "{}", nil, "not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint},
		{"another tool's report", `{"schemaVersion": "1", "tool": {"name": "other"}, "findings": []}`, nil, "not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint},
		{"no findings key", `{"schemaVersion": "1", "tool": {"name": "sascan"}}`, nil, "not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint},
		{"a later schema", `{"schemaVersion": "2", "tool": {"name": "sascan"}, "findings": []}`, nil, `a sascan JSON report of schema version "2"; this sascan reads version "1"`},
		{"a list", `[]`, nil, "not a sascan JSON report (a JSON array, not an object)" + hint},
		{"findings not a list", `{"schemaVersion": "1", "tool": {"name": "sascan"}, "findings": {}}`, nil, "not a sascan JSON report (findings is a JSON object)" + hint},
		{"YAML", "findings: []\n", nil, "not a sascan JSON report (not JSON: invalid character 'i' in literal false (expecting 'a'))" + hint},
		{"empty", "", nil, "not a sascan JSON report (not JSON: EOF)" + hint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadBaseline(strings.NewReader(tc.in))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.err {
				t.Fatalf("error %q, want %q", gotErr, tc.err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fingerprints (-want +got):\n%s", diff)
			}
		})
	}
}

// A fleet scan or merge matches a baseline finding in its own cluster only
// (and a manifest finding everywhere); a single scan by fingerprint alone.
func TestBaselineByCluster(t *testing.T) {
	b := Baseline{"a": {"1": true}, "b": {"2": true}, "": {"3": true}}
	tests := []struct {
		name string
		got  map[string]bool
		want map[string]bool
	}{
		{"all", b.All(), map[string]bool{"1": true, "2": true, "3": true}},
		{"cluster a", b.Cluster("a"), map[string]bool{"1": true, "3": true}},
		{"a cluster the baseline does not name", b.Cluster("c"), map[string]bool{"3": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("fingerprints (-want +got):\n%s", diff)
			}
		})
	}
}
