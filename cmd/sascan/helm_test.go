package main

import (
	"encoding/json"
	"os"
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
