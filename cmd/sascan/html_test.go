package main

import (
	"path/filepath"
	"testing"
)

// reportHTMLFixture is the HTML report's test input in the report package:
// the JSON report of a real scan of the demo and of the SA034 fixture (a
// group binding that gives two accounts' tokens attack paths through an
// operator's, with choke points), so the report's tests see the evidence
// the rules give. (The SA033 fixture names the same ops objects as the
// SA034 one: scanned together they would be duplicates.)
var reportHTMLFixture = []string{"examples/demo", "testdata/rules/SA034/fail-group-binding.yaml"}

// The report package's HTML fixture is this scan's JSON report, rewritten
// only by go test ./cmd/sascan -run TestReportHTMLFixture -update (make
// golden).
func TestReportHTMLFixture(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", append([]string{"scan", "-o", "json", fixedNow}, reportHTMLFixture...)...)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", r.code, r.err)
	}
	goldenFile(t, filepath.Join("report", "testdata", "html", "report.json"), []byte(r.out))
}
