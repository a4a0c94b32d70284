package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Findings of several clusters sort by severity, rule, then cluster, so a
// rule's findings in every cluster stand together.
func TestSortFindingsByCluster(t *testing.T) {
	f := func(sev Severity, rule, cluster, name string) Finding {
		return Finding{Severity: sev, RuleID: rule, Object: ObjectRef{Kind: "Secret", Namespace: "ns", Name: name}, Location: Location{Cluster: cluster}}
	}
	fs := []Finding{
		f(Low, "SA001", "a", "x"),
		f(High, "SA002", "a", "x"),
		f(High, "SA001", "b", "a"),
		f(High, "SA001", "a", "z"),
		f(High, "SA001", "a", "y"),
	}
	SortFindings(fs)
	var got []string
	for _, x := range fs {
		got = append(got, x.Severity.String()+" "+x.RuleID+" "+x.Location.Cluster+" "+x.Object.Name)
	}
	want := []string{"high SA001 a y", "high SA001 a z", "high SA001 b a", "high SA002 a x", "low SA001 a x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// SuppressBaseline leaves a finding's own suppression as it is.
func TestSuppressBaseline(t *testing.T) {
	annotated := &Suppression{Kind: "annotation", Reason: "needed"}
	fs := []Finding{
		{RuleID: "SA001", Fingerprint: "in"},
		{RuleID: "SA002", Fingerprint: "out"},
		{RuleID: "SA003", Fingerprint: "in", Suppressed: annotated},
	}
	SuppressBaseline(fs, map[string]bool{"in": true})
	want := []*Suppression{{Kind: "baseline", Reason: "in baseline"}, nil, annotated}
	var got []*Suppression
	for _, f := range fs {
		got = append(got, f.Suppressed)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressions (-want +got):\n%s", diff)
	}
}
