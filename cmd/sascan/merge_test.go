package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sascan/sascan/internal/schematest"
)

const mergeDir = "cmd/sascan/testdata/merge/"

// mergeFixtures: prod-eu (a CronJob's report, named with --cluster-name),
// prod-us (named by its context, one list forbidden) and a fleet report of
// staging and an unreachable dev.
var mergeFixtures = []string{mergeDir + "prod-eu.json", mergeDir + "prod-us.json", mergeDir + "staging-dev-fleet.json"}

type mergedReport struct {
	Source struct {
		Mode     string
		Context  string
		Clusters []string
	}
	Summary struct {
		Objects, Findings, Suppressed int
		Clusters                      []struct {
			Name                          string
			Scanned                       bool
			Objects, Findings, Suppressed int
		}
	}
	Findings []struct {
		RuleID     string `json:"ruleId"`
		Severity   string
		Object     struct{ Kind, Namespace, Name string }
		Location   struct{ Cluster string }
		Evidence   map[string]json.RawMessage
		Suppressed *struct {
			Kind string
		}
	}
	Incomplete []struct {
		Cluster, Resource, Reason string
	}
}

func decodeMerged(t *testing.T, out string) mergedReport {
	t.Helper()
	var m mergedReport
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return m
}

// findingRows: cluster, rule, severity, object and suppression of each
// finding, in report order.
func findingRows(m mergedReport) []string {
	var rows []string
	for _, f := range m.Findings {
		row := fmt.Sprintf("%s %s %s %s %s/%s", f.Location.Cluster, f.RuleID, f.Severity, f.Object.Kind, f.Object.Namespace, f.Object.Name)
		if f.Suppressed != nil {
			row += " suppressed:" + f.Suppressed.Kind
		}
		rows = append(rows, row)
	}
	return rows
}

func TestMerge(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", append([]string{"merge", "-o", "json", "--fail-on", "none"}, mergeFixtures...)...)
	if r.code != exitClean || r.err != "" {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	m := decodeMerged(t, r.out)
	wantFindings := []string{
		"prod-eu SA001 critical Secret ci/deployer-token",
		"prod-eu SA011 high RoleBinding shop/default-edit",
		"prod-us SA011 high RoleBinding shop/default-edit",
		"prod-us SA022 medium Deployment shop/catalog",
		"prod-eu SA017 low ServiceAccount shop/default suppressed:annotation",
		"staging SA018 low Deployment web/front",
	}
	if diff := cmp.Diff(wantFindings, findingRows(m)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dev", "prod-eu", "prod-us", "staging"}, m.Source.Clusters); diff != "" || m.Source.Mode != "cluster" || m.Source.Context != "" {
		t.Errorf("source %+v", m.Source)
	}
	var rows []string
	for _, c := range m.Summary.Clusters {
		rows = append(rows, fmt.Sprintf("%s scanned=%v objects=%d findings=%d suppressed=%d", c.Name, c.Scanned, c.Objects, c.Findings, c.Suppressed))
	}
	wantRows := []string{
		"dev scanned=false objects=0 findings=0 suppressed=0",
		"prod-eu scanned=true objects=120 findings=2 suppressed=1",
		"prod-us scanned=true objects=80 findings=2 suppressed=0",
		"staging scanned=true objects=45 findings=1 suppressed=0",
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("summary rows (-want +got):\n%s", diff)
	}
	if m.Summary.Objects != 245 || m.Summary.Findings != 5 || m.Summary.Suppressed != 1 {
		t.Errorf("totals %+v", m.Summary)
	}
	var inc []string
	for _, i := range m.Incomplete {
		inc = append(inc, i.Cluster+": "+i.Resource)
	}
	wantInc := []string{"dev: cluster", "prod-eu: secret values", "prod-us: secret values", "prod-us: secrets in ci", "staging: secret values"}
	if diff := cmp.Diff(wantInc, inc); diff != "" {
		t.Errorf("incomplete (-want +got):\n%s", diff)
	}
	// Evidence keeps its numbers as written.
	if got := string(m.Findings[3].Evidence["ratio"]); got != "2.0" {
		t.Errorf("evidence ratio %s, want 2.0", got)
	}
	schematest.Check(t, []byte(r.out))
	golden(t, "merge.json", []byte(r.out))

	// The order of the files does not matter.
	rev := cli(t, "", "merge", "-o", "json", "--fail-on", "none", mergeFixtures[2], mergeFixtures[1], mergeFixtures[0])
	if rev.out != r.out {
		t.Errorf("merging the files in another order gives another report")
	}

	for _, f := range []string{"table", "sarif"} {
		r := cli(t, "", append([]string{"merge", "-o", f, "--fail-on", "none"}, mergeFixtures...)...)
		if r.code != exitClean {
			t.Fatalf("%s: exit %d: %s", f, r.code, r.err)
		}
		golden(t, "merge."+map[string]string{"table": "txt", "sarif": "sarif"}[f], []byte(r.out))
	}
}

// Exit codes follow --fail-on over the unsuppressed findings of every
// cluster; --min-severity drops findings from every cluster.
func TestMergeExitCodes(t *testing.T) {
	repoRoot(t)
	tests := []struct {
		args     []string
		code     int
		findings int
	}{
		{nil, exitFindings, 6},
		{[]string{"--fail-on", "critical"}, exitFindings, 6},
		{[]string{"--fail-on", "none"}, exitClean, 6},
		{[]string{"--fail-on", "medium", "--min-severity", "medium"}, exitFindings, 4},
		{[]string{"--fail-on", "critical", mergeDir + "prod-us.json"}, exitClean, 2},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"merge", "-o", "json"}, tc.args...)
			if len(tc.args) == 0 || !strings.HasSuffix(tc.args[len(tc.args)-1], ".json") {
				args = append(args, mergeFixtures...)
			}
			r := cli(t, "", args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			if n := len(decodeMerged(t, r.out).Findings); n != tc.findings {
				t.Errorf("%d findings, want %d", n, tc.findings)
			}
		})
	}
}

// A baseline finding suppresses the same finding in its own cluster only:
// prod-eu's report as baseline silences prod-eu's SA011, not prod-us's of
// the same fingerprint; the annotation of SA017 stays.
func TestMergeBaseline(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", "merge", "-o", "json", "--fail-on", "high", "--baseline", mergeDir+"prod-eu.json", mergeDir+"prod-eu.json", mergeDir+"prod-us.json")
	if r.code != exitFindings {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	want := []string{
		"prod-us SA011 high RoleBinding shop/default-edit",
		"prod-us SA022 medium Deployment shop/catalog",
		"prod-eu SA001 critical Secret ci/deployer-token suppressed:baseline",
		"prod-eu SA011 high RoleBinding shop/default-edit suppressed:baseline",
		"prod-eu SA017 low ServiceAccount shop/default suppressed:annotation",
	}
	got := findingRows(decodeMerged(t, r.out))
	// Suppressed findings keep their place in report order; compare as
	// sets of rows.
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// A merged report is a baseline too: merged again with it, nothing is
	// new.
	base := filepath.Join(t.TempDir(), "base.json")
	if r := cli(t, "", append([]string{"merge", "--fail-on", "none", "--write-baseline", base, "-o", "json"}, mergeFixtures...)...); r.code != exitClean {
		t.Fatalf("write baseline: exit %d: %s", r.code, r.err)
	}
	again := cli(t, "", append([]string{"merge", "--fail-on", "info", "--baseline", base}, mergeFixtures...)...)
	if again.code != exitClean || !strings.Contains(again.out, "0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info), 6 suppressed, 245 objects scanned in 3 of 4 clusters") {
		t.Errorf("exit %d:\n%s%s", again.code, again.out, again.err)
	}
}

// What merge refuses, each with exit 2 and a message naming the file.
func TestMergeRejects(t *testing.T) {
	repoRoot(t)
	sarif := filepath.Join(t.TempDir(), "fleet.sarif")
	if r := cli(t, "", "merge", "-o", "sarif", "--output-file", sarif, "--fail-on", "none", mergeDir+"prod-us.json"); r.code != exitClean {
		t.Fatalf("sarif: exit %d: %s", r.code, r.err)
	}
	d := mergeDir
	tests := []struct {
		name  string
		files []string
		err   string
	}{
		{"a manifest report", []string{d + "manifest.json"}, d + "manifest.json: a report of a manifest scan; sascan merge combines reports of sascan cluster"},
		{"two in-cluster reports", []string{d + "in-cluster-a.json", d + "in-cluster-b.json"}, d + "in-cluster-a.json and " + d + `in-cluster-b.json both hold cluster "in-cluster": give each cluster its own name (sascan cluster --cluster-name)`},
		{"the same report twice", []string{d + "prod-us.json", d + "prod-us.json"}, d + "prod-us.json and " + d + `prod-us.json both hold cluster "prod-us": give each cluster its own name (sascan cluster --cluster-name)`},
		{"a rule it does not know", []string{d + "custom-rule.json"}, d + "custom-rule.json: finding of rule ACME-001, which this sascan does not know (a custom policy: pass its folder with -p; a rule of a newer sascan: merge with that version)"},
		{"a finding of another cluster", []string{d + "wrong-cluster.json"}, d + `wrong-cluster.json: finding SA011 on RoleBinding shop/default-edit names cluster "prod-eu", which the report did not scan`},
		{"a missing file", []string{d + "missing.json"}, "read " + d + "missing.json: no such file or directory"},
		{"YAML", []string{"examples/demo/rbac.yaml"}, "read examples/demo/rbac.yaml: not a sascan JSON report (not JSON: invalid character 'a' looking for beginning of value); write one with sascan cluster -o json"},
		{"SARIF", []string{sarif}, "read " + sarif + ": a SARIF log, not a sascan JSON report; write one with sascan cluster -o json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", append([]string{"merge"}, tc.files...)...)
			want := "sascan: " + tc.err + "\n"
			if r.code != exitError || r.err != want || r.out != "" {
				t.Errorf("exit %d\nstderr %q\nwant   %q\nstdout %q", r.code, r.err, want, r.out)
			}
		})
	}
}

// A custom policy's finding merges once -p loads its metadata, and SARIF
// describes its rule.
func TestMergeCustomPolicy(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "named_sa.rego"), []byte(`# METADATA
# title: Workloads name their ServiceAccount
# description: Every workload sets serviceAccountName.
# related_resources:
# - ref: https://example.com/our-policy
# custom:
#   id: ACME-001
#   severity: medium
#   family: acme
#   remediation: Set spec.serviceAccountName.
#   modes: [manifest, cluster]
package custom.acme.named_sa

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	k8s.sa_name(ps.spec) == "default"
	f := result.finding(ps.obj, ps.path, "runs as the default ServiceAccount", {})
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "merge", "-p", dir, "-o", "sarif", mergeDir+"custom-rule.json", mergeDir+"prod-us.json")
	if r.code != exitFindings {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID string `json:"ruleId"`
			}
		}
	}
	if err := json.Unmarshal([]byte(r.out), &log); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, run := range log.Runs {
		for _, res := range run.Results {
			got = append(got, res.RuleID)
		}
	}
	// Runs in cluster order: prod-us, then qa.
	if diff := cmp.Diff([]string{"SA011", "SA022", "ACME-001"}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	described := false
	for _, rule := range log.Runs[1].Tool.Driver.Rules {
		described = described || rule.ID == "ACME-001"
	}
	if !described {
		t.Error("the driver does not describe ACME-001")
	}
}

func TestMergeWarnsOfOtherVersions(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", "merge", "--fail-on", "none", mergeDir+"prod-us.json", mergeDir+"newer.json")
	want := `level=WARN msg="the reports come from different sascan versions, whose rules may differ: v1.4.0 (` + mergeDir + `prod-us.json), v1.5.0 (` + mergeDir + `newer.json)"` + "\n"
	if r.code != exitClean || r.err != want {
		t.Errorf("exit %d\nstderr %q\nwant   %q", r.code, r.err, want)
	}
}

// More clusters than GitHub takes runs in one SARIF file is an error before
// anything is written; JSON has no such limit.
func TestMergeSARIFRunLimit(t *testing.T) {
	repoRoot(t)
	data, err := os.ReadFile(mergeDir + "in-cluster-a.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for i := range 21 {
		name := filepath.Join(dir, fmt.Sprintf("c%02d.json", i))
		if err := os.WriteFile(name, []byte(strings.Replace(string(data), `"context": "in-cluster"`, fmt.Sprintf(`"context": "c%02d"`, i), 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	js := filepath.Join(dir, "out.json")
	r := cli(t, "", append([]string{"merge", "-o", "json=" + js, "-o", "sarif"}, files...)...)
	want := "sascan: --output sarif: 21 scanned clusters: more clusters than the 20 runs GitHub code scanning accepts in one SARIF file; merge at most 20 reports' clusters into one SARIF file\n"
	if r.code != exitError || r.err != want || r.out != "" {
		t.Errorf("exit %d stderr %q stdout %q", r.code, r.err, r.out)
	}
	if _, err := os.Stat(js); err == nil {
		t.Error("the JSON report was written before the error")
	}
	if r := cli(t, "", append([]string{"merge", "-o", "json"}, files...)...); r.code != exitClean || len(decodeMerged(t, r.out).Summary.Clusters) != 21 {
		t.Errorf("json: exit %d: %s", r.code, r.err)
	}
}

// The merged SARIF (one run per cluster, each its own category) passes the
// SARIF multitool with GitHub's ingestion rules.
func TestMergeSARIFValidates(t *testing.T) {
	root := repoRoot(t)
	tool, ok := sarifValidator(t, root)
	if !ok {
		t.Skip("../shared/tools/validate-sarif not present")
	}
	if _, err := exec.LookPath("npm"); err != nil && !inCI() {
		t.Skip("npm not installed")
	}
	out := filepath.Join(t.TempDir(), "merged.sarif")
	if r := cli(t, "", append([]string{"merge", "-o", "sarif", "--output-file", out, "--fail-on", "none"}, mergeFixtures...)...); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	res, err := exec.Command(tool, out).CombinedOutput()
	if err != nil || !strings.Contains(string(res), " 0 error(s)") {
		t.Fatalf("validate-sarif: %v\n%s", err, res)
	}
}

// The HTML report of a merge shows the numbers its inputs' evidence holds
// (read back from JSON, they are json.Number): each choke point's paths
// cut and each path's hops. The inputs are the JSON reports of the SA034
// fixture's scan, given as the reports of two clusters.
func TestMergeHTML(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	scan := cli(t, "", "scan", "-o", "json", "--fail-on", "none", "testdata/rules/SA034/fail-group-binding.yaml")
	if scan.code != exitClean {
		t.Fatalf("scan: exit %d: %s", scan.code, scan.err)
	}
	var inputs []string
	for _, cluster := range []string{"prod-eu", "prod-us"} {
		var rep map[string]any
		if err := json.Unmarshal([]byte(scan.out), &rep); err != nil {
			t.Fatal(err)
		}
		rep["source"] = map[string]any{"mode": "cluster", "context": cluster}
		for _, f := range rep["findings"].([]any) {
			f.(map[string]any)["location"] = map[string]any{"cluster": cluster}
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, cluster+".json")
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, name)
	}
	page := filepath.Join(dir, "fleet.html")
	if r := cli(t, "", append([]string{"merge", "-o", "html=" + page, "--fail-on", "none"}, inputs...)...); r.code != exitClean || r.err != "" {
		t.Fatalf("merge: exit %d: %s", r.code, r.err)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	var cuts []string
	for _, m := range regexp.MustCompile(`<td class="element">(.*?)</td><td>\w+</td><td class="num cuts">(\d+)</td>`).FindAllStringSubmatch(string(b), -1) {
		cuts = append(cuts, m[1]+" "+m[2])
	}
	// Each cluster's choke points, both clusters' alike.
	wantCuts := []string{
		"ClusterRoleBinding operator-admin 2", "ClusterRoleBinding operator-admin 2",
		"Role ops/deployer 2", "Role ops/deployer 2",
		"RoleBinding ops/ci-deploys 2", "RoleBinding ops/ci-deploys 2",
	}
	if diff := cmp.Diff(wantCuts, cuts); diff != "" {
		t.Errorf("choke points (-want +got)\n%s", diff)
	}
	hops := regexp.MustCompile(`<td><span class="sink">[\w-]+</span></td><td class="num">(\d+)</td>`).FindAllStringSubmatch(string(b), -1)
	if len(hops) != 4 {
		t.Fatalf("%d paths in the summary, want 4 (two in each cluster)", len(hops))
	}
	for _, m := range hops {
		if m[1] != "1" {
			t.Errorf("a path of %s hops, want 1 (each takes the operator's token)", m[1])
		}
	}
}

// merge --help names every format -o takes.
func TestMergeHelpFormats(t *testing.T) {
	r := cli(t, "", "merge", "--help")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{"report format: table, json, sarif or html, optionally =FILE", "table, JSON, SARIF or HTML", "merge -o html=fleet.html reports/*.json"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("merge --help lacks %q:\n%s", want, r.out)
		}
	}
}
