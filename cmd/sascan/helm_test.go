package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A rendered chart committed to disk is reported at its own path and
// lines, the template in evidence; the same stream on standard input is
// reported at the template, with the line inside it.
func TestHelmOutputLocations(t *testing.T) {
	repoRoot(t)
	type loc struct {
		File     string
		Line     int
		Template any
	}
	locate := func(r result) []loc {
		t.Helper()
		var rep struct {
			Findings []struct {
				RuleID   string `json:"ruleId"`
				Location struct {
					File string `json:"file"`
					Line int    `json:"line"`
				} `json:"location"`
				Evidence map[string]any `json:"evidence"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatalf("report: %v\n%s", err, r.err)
		}
		var out []loc
		for _, f := range rep.Findings {
			if f.RuleID == "SA001" {
				out = append(out, loc{f.Location.File, f.Location.Line, f.Evidence["helmTemplate"]})
			}
		}
		return out
	}
	file := cli(t, "", "scan", "-o", "json", "--fail-on", "none", "--enable", "SA001", "testdata/helm/install.yaml")
	if diff := cmp.Diff([]loc{{"testdata/helm/install.yaml", 17, "shop/templates/token.yaml"}}, locate(file)); diff != "" {
		t.Errorf("file on disk (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile("testdata/helm/install.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stdin := cli(t, string(data), "scan", "-o", "json", "--fail-on", "none", "--enable", "SA001", "-")
	if diff := cmp.Diff([]loc{{"shop/templates/token.yaml", 8, nil}}, locate(stdin)); diff != "" {
		t.Errorf("standard input (-want +got):\n%s", diff)
	}
}

// Manifests written for `kubectl apply -n NS` get one hint naming the
// --default-namespace that resolves their bindings; with it, none.
func TestDefaultNamespaceHint(t *testing.T) {
	repoRoot(t)
	const want = `1 binding subject(s) name ServiceAccounts in namespace "rollouts" that the manifests define without a namespace (scanned in "default"); if they are applied with kubectl apply -n rollouts, scan with --default-namespace rollouts`
	r := cli(t, "", "scan", "-o", "json", "--fail-on", "none", "testdata/apply-n/install.yaml")
	var rep struct {
		Hints []string `json:"hints"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{want}, rep.Hints); diff != "" {
		t.Errorf("hints (-want +got):\n%s", diff)
	}
	table := cli(t, "", "scan", "--fail-on", "none", "testdata/apply-n/install.yaml")
	if !strings.Contains(table.out, "hint: "+want) {
		t.Errorf("table lacks the hint:\n%s", table.out)
	}
	fixed := cli(t, "", "scan", "-o", "json", "--fail-on", "none", "--default-namespace", "rollouts", "testdata/apply-n/install.yaml")
	if strings.Contains(fixed.out, `"hints"`) || strings.Contains(fixed.err, "default-namespace") {
		t.Errorf("hint with --default-namespace rollouts:\n%s\n%s", fixed.out, fixed.err)
	}
}
