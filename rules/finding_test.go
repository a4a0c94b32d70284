package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/scanner"
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

// A rule's many findings are made on every CPU, in parts, into what one
// core makes of them: each finding's and each related object's position
// resolved at its own index. Of several bad findings the first in order
// is reported, whichever part meets its own first.
func TestFindingsInParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	_, e := manifestEngine(t)
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	var placed []int // objects from a file
	for _, o := range inv.Objects {
		if o.Source != nil {
			placed = append(placed, o.ID)
		}
	}
	raws := make([]rawFinding, spreadMin+700)
	for i := range raws {
		o, a, b := placed[i%len(placed)], placed[(i+1)%len(placed)], placed[(i+2)%len(placed)]
		raws[i] = rawFinding{Object: o, Path: "metadata", Message: fmt.Sprint(i), Related: []rawRelated{{Object: a, Path: "metadata.name"}, {Object: b}}}
	}
	r := e.rules[0]
	want := make([]Finding, len(raws))
	wantLoc := newLocations("", 0)
	for i, f := range raws {
		fd, err := e.finding(r, f, inv, wantLoc, i)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = fd
	}
	wantLoc.resolve(want)
	got, parts, err := e.findings(r, raws, inv, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want one per CPU", len(parts))
	}
	loc := newLocations("", 0) // as Evaluate puts them together
	for _, lp := range parts {
		loc.append(lp.loc, lp.first)
	}
	loc.resolve(got)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
		t.Fatalf("(-one core +in parts):\n%s", diff)
	}
	last := got[len(got)-1]
	if last.Location.Line == 0 || last.Related[0].Location.Line == 0 {
		t.Errorf("positions not resolved: %+v", last)
	}

	// The last finding of the first part and the first of the second: the
	// second part meets its bad finding first.
	mid := len(raws) / 2
	raws[mid-1].Object, raws[mid].Object = -5, len(inv.Objects)+5
	if _, _, err := e.findings(r, raws, inv, ""); err == nil || !strings.Contains(err.Error(), "finding names object -5,") {
		t.Errorf("error %v, want the one about object -5", err)
	}
}

// A rule with more findings than one part (spreadMin) gets each finding's
// position in its file through Evaluate, which puts the parts together.
func TestEvaluateManyFindingsPositions(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	e := userRulesEngine(t, map[string]string{"many.rego": userRule("MANY-1", "many", "Every ConfigMap", `findings contains f if {
	some o in input.kinds.ConfigMap
	f := result.finding(o, "metadata.name", o.name, {})
}`)}, "MANY-1")
	var manifest strings.Builder
	n := spreadMin + 301
	for i := range n {
		fmt.Fprintf(&manifest, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%05d\n  namespace: ns\n", i)
	}
	file := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(file, []byte(manifest.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := e.Evaluate(context.Background(), loadInventory(t, scanner.ModeManifest, file), fixtureParams, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != n {
		t.Fatalf("%d findings, want %d", len(fs), n)
	}
	for _, f := range fs {
		var i int
		if _, err := fmt.Sscanf(f.Object.Name, "cm-%05d", &i); err != nil {
			t.Fatal(err)
		}
		if want := 6*i + 5; f.Location.Line != want {
			t.Errorf("%s at line %d, want %d", f.Object.Name, f.Location.Line, want)
		}
	}
}
