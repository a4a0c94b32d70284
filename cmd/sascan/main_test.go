package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	version = "test"
	commit = "test"
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// repoRoot makes the test run from the repository root, so paths in
// reports are the ones a user types.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "..", "..")
	t.Chdir(root)
	return root
}

type result struct {
	out, err string
	code     int
}

func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return result{out.String(), errb.String(), code}
}

const fixedNow = "--now=2026-07-01T00:00:00Z"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenFile(t, filepath.Join("cmd", "sascan", "testdata", "golden", name), got)
}

// goldenFile compares got with the file at path (from the repository
// root), or writes it there under -update.
func goldenFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/sascan -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", path, diff)
	}
}

func TestDemoReports(t *testing.T) {
	root := repoRoot(t)
	for _, f := range []struct{ format, file string }{{"table", "demo.txt"}, {"json", "demo.json"}, {"sarif", "demo.sarif"}} {
		t.Run(f.format, func(t *testing.T) {
			r := cli(t, "", "scan", "-o", f.format, fixedNow, "examples/demo")
			if r.code != exitFindings {
				t.Fatalf("exit %d, want 1; stderr: %s", r.code, r.err)
			}
			// The SARIF root is absolute; the golden file must not depend on
			// where the repository is checked out.
			golden(t, f.file, []byte(strings.ReplaceAll(r.out, "file://"+filepath.ToSlash(root)+"/", "file:///REPO/")))
			again := cli(t, "", "scan", "-o", f.format, fixedNow, "examples/demo")
			if again.out != r.out {
				t.Error("two runs over the same input differ")
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n bad: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"clean", []string{"scan", "testdata/rules/SA020/pass-equal.yaml", "--enable", "SA020"}, exitClean, ""},
		{"findings at high", []string{"scan", "testdata/rules/SA011/fail-rolebinding-edit.yaml"}, exitFindings, ""},
		{"fail-on none", []string{"scan", "--fail-on", "none", "testdata/rules/SA011/fail-rolebinding-edit.yaml"}, exitClean, ""},
		{"fail-on critical", []string{"scan", "--fail-on", "critical", "testdata/rules/SA011/fail-rolebinding-edit.yaml"}, exitClean, ""},
		{"fail-on low", []string{"scan", "--fail-on", "low", "testdata/rules/SA020/fail-only-deprecated.yaml"}, exitFindings, ""},
		{"min-severity hides", []string{"scan", "--min-severity", "critical", "--fail-on", "low", "testdata/rules/SA020/fail-only-deprecated.yaml"}, exitClean, ""},
		{"bad flag value", []string{"scan", "--fail-on", "severe", "examples/demo"}, exitError, `sascan: --fail-on: unknown severity "severe" (want none, info, low, medium, high or critical)` + "\n"},
		{"bad --min-severity", []string{"scan", "--min-severity", "severe", "examples/demo"}, exitError, `sascan: --min-severity: unknown severity "severe" (want none, info, low, medium, high or critical)` + "\n"},
		{"min-severity none", []string{"scan", "--min-severity", "none", "--fail-on", "NONE", "testdata/rules/SA020/fail-only-deprecated.yaml"}, exitClean, ""},
		{"unknown rule", []string{"scan", "--enable", "SA999", "examples/demo"}, exitError, `unknown rule ID "SA999"`},
		{"bad format", []string{"scan", "-o", "xml", "examples/demo"}, exitError, `unknown output format "xml"`},
		{"missing path", []string{"scan", filepath.Join(dir, "nope.yaml")}, exitError, "nope.yaml: read: no such file or directory"},
		{"invalid yaml", []string{"scan", bad, "testdata/rules/SA020/pass-equal.yaml"}, exitError, "bad.yaml:5: invalid YAML: did not find expected key\n"},
		{"no args", []string{"scan"}, exitError, "requires at least 1 arg"},
		{"too many objects", []string{"scan", "--max-objects", "10", "examples/demo"}, exitError, "more than --max-objects 10"},
		{"under the object limit", []string{"scan", "--max-objects", "10", "--fail-on", "none", "testdata/rules/SA011/fail-rolebinding-edit.yaml"}, exitClean, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...)
			if r.code != tc.code || !strings.Contains(r.err, tc.err) {
				t.Fatalf("exit %d stderr %q; want %d and %q", r.code, r.err, tc.code, tc.err)
			}
		})
	}
}

func TestInvalidFileStillRendersOthers(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("kind: Pod\n  x: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "scan", "-o", "json", bad, "testdata/rules/SA020/fail-only-deprecated.yaml")
	if r.code != exitError {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{`"ruleId": "SA020"`, `"errors": [`, `"file": "` + bad + `"`, `"line": 2`} {
		if !strings.Contains(r.out, want) {
			t.Errorf("report lacks %s:\n%s", want, r.out)
		}
	}
}

func TestStdin(t *testing.T) {
	repoRoot(t)
	src, err := os.ReadFile("testdata/rules/SA020/fail-differing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := cli(t, string(src), "scan", "-o", "json", "--enable", "SA020", "-")
	if r.code != exitClean || !strings.Contains(r.out, `"file": "<stdin>"`) || !strings.Contains(r.out, `"line": 7`) {
		t.Fatalf("exit %d out %s err %s", r.code, r.out, r.err)
	}
}

// TestNoSecretValueInOutput scans manifests holding a token in every place
// a token can sit and checks that no format, file or log carries it.
func TestNoSecretValueInOutput(t *testing.T) {
	root := repoRoot(t)
	tok := legacyJWT(t)
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Secret
metadata:
  name: leaked
  namespace: ci
  annotations: {kubernetes.io/service-account.name: deployer}
type: kubernetes.io/service-account-token
stringData: {token: "` + tok + `", password: "hunter2-not-a-token"}
---
apiVersion: v1
kind: Secret
metadata: {name: broken, namespace: ci}
type: kubernetes.io/service-account-token
stringData: {token: "` + tok + `"
`
	path := filepath.Join(dir, "leak.yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	payload := strings.Split(tok, ".")[1]
	for _, format := range []string{"table", "json", "sarif", "html"} {
		outFile := filepath.Join(dir, "report."+format)
		base := filepath.Join(dir, "baseline-"+format+".json")
		r := cli(t, "", "scan", "--log-level", "debug", "-o", format, "--output-file", outFile, "--write-baseline", base, path)
		if r.code != exitError {
			t.Fatalf("%s: exit %d (want 2: one Secret is not valid YAML); stderr %s", format, r.code, r.err)
		}
		written, _ := os.ReadFile(outFile)
		bl, _ := os.ReadFile(base)
		all := r.out + r.err + string(written) + string(bl)
		if !strings.Contains(string(written), "SA002") {
			t.Fatalf("%s report has no SA002 finding: %s", format, written)
		}
		for _, secret := range []string{tok, sig, payload, "hunter2-not-a-token"} {
			if strings.Contains(all, secret) {
				t.Errorf("%s output contains a secret value %.20s…", format, secret)
			}
		}
	}
	_ = root
}

func legacyJWT(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rules/SA002/fail-stringdata-token.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "token: "); ok {
			return strings.Trim(v, `"`)
		}
	}
	t.Fatal("no token in fixture")
	return ""
}

func TestSuppressions(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Pod
metadata:
  name: annotated
  namespace: web
  annotations: {ignore-check.sascan.io/SA020: "migrating in JIRA-1"}
spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: templated, namespace: web}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata:
      labels: {a: b}
      annotations: {ignore-check.sascan.io/SA020: "chart only exposes pod annotations"}
    spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: empty-reason
  namespace: web
  annotations: {ignore-check.sascan.io/SA020: ""}
spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: by-config, namespace: web}
spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: expired-exception, namespace: web}
spec: {serviceAccount: legacy, containers: [{name: c, image: x}]}
`
	mf := filepath.Join(dir, "m.yaml")
	cfg := filepath.Join(dir, "sascan.yaml")
	os.WriteFile(mf, []byte(manifest), 0o600)
	os.WriteFile(cfg, []byte(`failOn: low
exceptions:
- rule: SA020
  namespace: we*
  name: by-*
  reason: accepted risk
- rule: SA020
  kind: Pod
  name: expired-exception
  reason: was temporary
  expires: 2026-01-31
`), 0o600)
	r := cli(t, "", "scan", "--config", cfg, "--enable", "SA020", "-o", "json", fixedNow, mf)
	if r.code != exitFindings {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{
		`"kind": "annotation",` + "\n" + `        "reason": "migrating in JIRA-1"`,
		`"reason": "chart only exposes pod annotations"`,
		`"kind": "config",` + "\n" + `        "reason": "accepted risk"`,
		`"suppressed": 3`,
		`"findings": 2`,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, want := range []string{"annotation ignore-check.sascan.io/SA020 has no reason", "expired on 2026-01-31"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr lacks %q: %s", want, r.err)
		}
	}
	// A baseline of this run suppresses everything it had.
	base := filepath.Join(dir, "base.json")
	cli(t, "", "scan", "--config", cfg, "--enable", "SA020", fixedNow, "--write-baseline", base, mf)
	r2 := cli(t, "", "scan", "--config", cfg, "--enable", "SA020", "-o", "json", fixedNow, "--baseline", base, mf)
	if r2.code != exitClean || !strings.Contains(r2.out, `"kind": "baseline"`) {
		t.Fatalf("with baseline: exit %d\n%s", r2.code, r2.out)
	}
}

func TestConfigErrors(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("failOn: high\nsettings:\n  tokenTTL: {lowSeconds: 10, mediumSecs: 5}\n"), 0o600)
	r := cli(t, "", "scan", "--config", cfg, "examples/demo")
	want := "sascan: invalid config: " + cfg + `:3: unknown key "mediumSecs" in settings.tokenTTL (allowed: lowSeconds, mediumSeconds)` + "\n"
	if r.code != exitError || r.err != want {
		t.Fatalf("exit %d stderr %q; want 2 and %q", r.code, r.err, want)
	}
}

func TestUserPolicy(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "no_latest.rego"), []byte(`# METADATA
# title: Workload ServiceAccount named after the app
# description: Every workload must name a ServiceAccount other than default.
# related_resources:
# - ref: https://example.com/policy
# custom:
#   id: ACME-001
#   severity: high
#   family: acme
#   remediation: Set serviceAccountName.
#   modes: [manifest, cluster]
package custom.acme.named_sa

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	k8s.sa_name(ps.spec) == "default"
	f := result.finding(ps.obj, ps.path, "runs as default", {})
}
`), 0o600)
	r := cli(t, "", "scan", "-p", dir, "--enable", "ACME-001", "-o", "json", "testdata/rules/SA016/fail-default-sa-no-rbac.yaml")
	if r.code != exitFindings || !strings.Contains(r.out, `"ruleId": "ACME-001"`) || !strings.Contains(r.out, `"line": 9`) {
		t.Fatalf("exit %d out %s err %s", r.code, r.out, r.err)
	}
	r = cli(t, "", "rules", "-p", dir)
	if !strings.Contains(r.out, "ACME-001") {
		t.Fatalf("rules -p does not list the user rule:\n%s", r.out)
	}
}

func TestRulesAndExplain(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", "explain", "sa016")
	for _, want := range []string{"SA016  ServiceAccount token automounted where it is not needed", "Remediation:", "References:", "ignore-check.sascan.io/SA016"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.out)
		}
	}
	if r := cli(t, "", "explain", "SA999"); r.code != exitError {
		t.Errorf("explain SA999 exit %d", r.code)
	}
	r = cli(t, "", "rules", "-o", "markdown")
	want, err := os.ReadFile("docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	if r.out != string(want) {
		t.Error("docs/rules.md is stale: run `make docs`")
	}
	r = cli(t, "", "version", "-o", "json")
	if !strings.Contains(r.out, `"version": "test"`) || !strings.Contains(r.out, `"opa": "v1.`) {
		t.Errorf("version: %s", r.out)
	}
}

// TestSARIFValidates runs the SARIF multitool with GitHub's ingestion rules
// over SARIF for every fixture, the demo and the shared corpus.
func TestSARIFValidates(t *testing.T) {
	root := repoRoot(t)
	tool, ok := sarifValidator(t, root)
	if !ok {
		t.Skip("../shared/tools/validate-sarif not present")
	}
	if _, err := exec.LookPath("npm"); err != nil && !inCI() {
		t.Skip("npm not installed")
	}
	dir := t.TempDir()
	var files []string
	inputs := map[string][]string{
		"fixtures": {"testdata/rules"},
		"demo":     {"examples/demo"},
		"clean":    {"testdata/rules/SA020/pass-equal.yaml"},
	}
	if _, err := os.Stat(filepath.Join(root, "..", "shared", "corpus")); err == nil {
		inputs["corpus"] = []string{filepath.Join(root, "..", "shared", "corpus")}
	} else if inCI() {
		t.Fatalf("../shared/corpus not found: %v", err)
	}
	for name, paths := range inputs {
		out := filepath.Join(dir, name+".sarif")
		args := append([]string{"scan", "-o", "sarif", "--output-file", out, "--fail-on", "none"}, paths...)
		if name == "clean" {
			args = append(args, "--enable", "SA020")
		}
		if r := cli(t, "", args...); r.code != exitClean {
			t.Fatalf("%s: exit %d: %s", name, r.code, r.err)
		}
		files = append(files, out)
	}
	cmd := exec.Command(tool, files...)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("validate-sarif: %v\n%s", err, outb)
	}
	if !strings.Contains(string(outb), " 0 error(s)") {
		t.Fatalf("validate-sarif:\n%s", outb)
	}
}

// The shipped deploy/ manifests follow sascan's own advice.
func TestDeployManifestsAreClean(t *testing.T) {
	repoRoot(t)
	r := cli(t, "", "scan", "-o", "json", "--fail-on", "info", "deploy/")
	if r.code != exitClean || !strings.Contains(r.out, `"suppressed": 1`) {
		t.Fatalf("exit %d: %s", r.code, r.out)
	}
}

// One run writes several reports: the table to stdout, SARIF and JSON to
// files (-o FORMAT=FILE).
func TestSeveralOutputs(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	sarif, js := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json")
	r := cli(t, "", "scan", "-o", "table", "-o", "sarif="+sarif, "-o", "json="+js, fixedNow, "examples/demo")
	if r.code != exitFindings || !strings.Contains(r.out, "11 findings") {
		t.Fatalf("exit %d stdout %s", r.code, r.out)
	}
	for file, want := range map[string]string{sarif: `"version": "2.1.0"`, js: `"schemaVersion": "1"`} {
		b, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, lacks %s", file, err, want)
		}
	}
	if r := cli(t, "", "scan", "-o", "table", "-o", "json", "examples/demo"); r.code != exitError || !strings.Contains(r.err, "only one report can go to stdout") {
		t.Errorf("two stdout reports: exit %d %s", r.code, r.err)
	}
}

// -o html=FILE writes the HTML report beside the table; the same scan gives
// the same bytes.
func TestHTMLOutput(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	page := func(name string) string {
		t.Helper()
		file := filepath.Join(dir, name)
		r := cli(t, "", "scan", "-o", "table", "-o", "html="+file, fixedNow, "examples/demo")
		if r.code != exitFindings || !strings.Contains(r.out, "11 findings") {
			t.Fatalf("exit %d stdout %s stderr %s", r.code, r.out, r.err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	got := page("a.html")
	for _, want := range []string{
		"<!DOCTYPE html>",
		"sascan test · manifest · examples/demo · 11 objects scanned",
		`<strong>11</strong> findings, <span id="summary-suppressed">0</span> suppressed`,
		`data-severity="critical">2<`,
		`<script id="sascan-data" type="application/json">{"rules":{"SA001":`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if page("b.html") != got {
		t.Error("two runs over the same input differ")
	}
}

// Fingerprints hash rule, object identity and path: moving an object in its
// file, reformatting it, or adding other objects leaves them unchanged.
func TestFingerprintsAreStable(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	a := `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: web}
spec: {serviceAccount: legacy, containers: [{name: c, image: nginx}]}
`
	b := `# reformatted, moved below another object
apiVersion: v1
kind: ServiceAccount
metadata:
  name: other
  namespace: web
---
apiVersion: v1
kind: Pod
metadata:
  namespace: web
  name: p
spec:
  containers:
  - image: nginx
    name: c
  serviceAccount: legacy
`
	fp := func(src string) string {
		path := filepath.Join(dir, "m.yaml")
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		r := cli(t, "", "scan", "-o", "json", "--enable", "SA020", fixedNow, path)
		i := strings.Index(r.out, `"fingerprint": "`)
		if i < 0 {
			t.Fatalf("no finding: %s", r.out)
		}
		return r.out[i : i+50]
	}
	if x, y := fp(a), fp(b); x != y {
		t.Errorf("fingerprint changed: %s vs %s", x, y)
	}
}

// Helm-rendered streams: findings name the template file and the line in
// the rendered document; SARIF URIs are relative to --sarif-root (the chart).
func TestHelmSourceComments(t *testing.T) {
	repoRoot(t)
	stream := `---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: shop
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      serviceAccount: legacy
      containers: [{name: c, image: x}]
`
	r := cli(t, stream, "scan", "-o", "json", "--enable", "SA017,SA020", "--fail-on", "none", "-")
	for _, want := range []string{
		`"file": "shop/templates/deployment.yaml",` + "\n" + `        "line": 9,`,
		`"file": "shop/templates/serviceaccount.yaml",` + "\n" + `        "line": 4,`,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("report lacks %q:\n%s", want, r.out)
		}
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "shop"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	r = cli(t, stream, "scan", "-o", "sarif", "--sarif-root", "shop", "--enable", "SA020", "--fail-on", "none", "-")
	if !strings.Contains(r.out, `"uri": "templates/deployment.yaml"`) {
		t.Errorf("SARIF URI not relative to the chart:\n%s", r.out)
	}
}

// invokedAs makes programName see the program as path (os.Args[0]) for
// the rest of the test.
func invokedAs(t *testing.T, path string) {
	old := os.Args[0]
	os.Args[0] = path
	t.Cleanup(func() { os.Args[0] = old })
}

// Installed as kubectl-sascan, help, usage and errors show the kubectl
// form, and shell completion stays sascan's own.
func TestKubectlPlugin(t *testing.T) {
	tests := []struct {
		name    string
		program string
		args    []string
		code    int
		want    []string // in stdout
		notWant []string // not in stdout
		stderr  string   // exactly
	}{
		{"help", "/usr/local/bin/kubectl-sascan", []string{"--help"}, exitClean,
			[]string{"Usage:\n  kubectl sascan [command]\n", "  kubectl sascan scan ./manifests\n", "help for kubectl sascan\n", "version for kubectl sascan\n", `Use "kubectl sascan [command] --help"`},
			[]string{"kubectl [command]", "for kubectl\n"}, ""},
		{"subcommand usage", "kubectl-sascan", []string{"scan", "--help"}, exitClean,
			[]string{"Usage:\n  kubectl sascan scan [PATH|-]... [-k DIR]... [flags]\n", "  kubectl sascan scan deploy/\n"}, nil, ""},
		{"unknown command", "kubectl-sascan", []string{"bogus"}, exitError, nil, nil,
			"kubectl sascan: unknown command \"bogus\" for \"kubectl sascan\"\n"},
		{"unknown flag", "kubectl-sascan", []string{"scan", "--bogus"}, exitError, nil, nil,
			"kubectl sascan: unknown flag: --bogus\n"},
		{"bash completion is sascan's", "kubectl-sascan", []string{"completion", "bash"}, exitClean,
			[]string{"__start_sascan()", "complete -o default -F __start_sascan sascan"}, []string{"__start_kubectl", "-F __start_kubectl"}, ""},
		{"kubectl plugin completion script", "kubectl-sascan", []string{"completion", "kubectl-plugin"}, exitClean,
			[]string{kubectlCompleteScript}, nil, ""},
		{"plugin completion protocol", "kubectl-sascan", []string{"__complete", "sc"}, exitClean,
			[]string{"scan\tScan manifests: files, folders (recursively) or - for stdin\n:4\n"}, nil,
			"Completion ended with directive: ShellCompDirectiveNoFileComp\n"},
		{"as sascan", "/usr/bin/sascan", []string{"--help"}, exitClean,
			[]string{"Usage:\n  sascan [command]\n", "version for sascan\n"}, []string{"kubectl"}, ""},
		{"as sascan, errors", "sascan", []string{"bogus"}, exitError, nil, nil,
			"sascan: unknown command \"bogus\" for \"sascan\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			invokedAs(t, tc.program)
			r := cli(t, "", tc.args...)
			if r.code != tc.code || r.err != tc.stderr {
				t.Fatalf("exit %d stderr %q; want %d and %q", r.code, r.err, tc.code, tc.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(r.out, w) {
					t.Errorf("stdout has %q:\n%s", w, r.out)
				}
			}
		})
	}
}

// kubectl runs kubectl_complete-sascan with the words after "kubectl
// sascan"; the script hands them to kubectl-sascan __complete unchanged.
func TestKubectlCompleteScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "kubectl_complete-sascan")
	if err := os.WriteFile(script, []byte(kubectlCompleteScript), 0o755); err != nil {
		t.Fatal(err)
	}
	// A stand-in kubectl-sascan that prints its arguments one per line.
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(dir, "kubectl-sascan"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "scan", "--fail-on", "")
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("__complete\nscan\n--fail-on\n\n", string(out)); diff != "" {
		t.Errorf("arguments passed on (-want +got):\n%s", diff)
	}
}

// TestHugeDocument scans one ConfigMap of about 150 MB (75,000 keys) with a
// token in its last key: the scan completes and points at that key's line.
func TestHugeDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("a 150 MB document")
	}
	repoRoot(t)
	tok := legacyJWT(t)
	const keys = 75_000
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: a}\ndata:\n")
	filler := strings.Repeat("x", 2000)
	for i := range keys {
		fmt.Fprintf(&b, "  k%d: %s\n", i, filler)
	}
	fmt.Fprintf(&b, "  leaked: %s\n", tok)
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "scan", "-o", "json", "--fail-on", "critical", p)
	if r.code != exitFindings {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var got []string
	for _, f := range jsonFindings(t, r.out) {
		got = append(got, fmt.Sprintf("%s %s line=%d", f.RuleID, f.Path, f.Location.Line))
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("SA003 data.leaked line=%d", keys+5)}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if strings.Contains(r.out+r.err, tok) {
		t.Error("the token is in the output")
	}
}

// TestKustomize builds a base and an overlay in process: findings point at
// the base file and line that define each object, generated objects at
// their generator in the overlay's kustomization.yaml.
func TestKustomize(t *testing.T) {
	repoRoot(t)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"overlay", []string{"-k", "testdata/kustomize/overlay"}, exitFindings, []string{
			"SA001 high Secret prod/prod-deployer-token testdata/kustomize/overlay/kustomization.yaml:14",
			"SA011 high RoleBinding prod/prod-default-edit testdata/kustomize/base/rbac.yaml:16",
			"SA013 high ServiceAccount prod/default testdata/kustomize/base/rbac.yaml:7",
			"SA018 medium Deployment prod/prod-web testdata/kustomize/base/deployment.yaml:12",
		}},
		{"base, given as the kustomization file", []string{"-k", "testdata/kustomize/base/kustomization.yaml"}, exitFindings, []string{
			"SA011 high RoleBinding default/default-edit testdata/kustomize/base/rbac.yaml:16",
			"SA013 high ServiceAccount default/default testdata/kustomize/base/rbac.yaml:7",
			"SA018 medium Deployment default/web testdata/kustomize/base/deployment.yaml:12",
		}},
		{"an object renamed by a patch points at the kustomization", []string{"-k", "testdata/kustomize/renamed"}, exitFindings, []string{
			"SA011 high RoleBinding default/default-edit testdata/kustomize/base/rbac.yaml:16",
			"SA013 high ServiceAccount default/default testdata/kustomize/base/rbac.yaml:7",
			"SA018 medium Deployment default/api testdata/kustomize/renamed/kustomization.yaml:1",
		}},
		{"a kustomization that does not build, beside one that does", []string{"-k", "testdata/kustomize/broken", "-k", "testdata/kustomize/base"}, exitError, []string{
			"SA011 high RoleBinding default/default-edit testdata/kustomize/base/rbac.yaml:16",
			"SA013 high ServiceAccount default/default testdata/kustomize/base/rbac.yaml:7",
			"SA018 medium Deployment default/web testdata/kustomize/base/deployment.yaml:12",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", append([]string{"scan", "-o", "json"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.err)
			}
			var got []string
			for _, f := range jsonFindings(t, r.out) {
				got = append(got, fmt.Sprintf("%s %s %s %s/%s %s:%d", f.RuleID, f.Severity, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Location.File, f.Location.Line))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if tc.code == exitError && !strings.Contains(r.err, "testdata/kustomize/broken/kustomization.yaml: kustomize build: accumulating resources") {
				t.Errorf("stderr %q does not name the kustomization that failed", r.err)
			}
		})
	}
}

// jsonFinding is what tests compare of a JSON report's finding.
type jsonFinding struct {
	RuleID   string `json:"ruleId"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	Object   struct {
		Kind, Namespace, Name string
	} `json:"object"`
	Location struct {
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"location"`
}

func jsonFindings(t *testing.T, report string) []jsonFinding {
	t.Helper()
	var rep struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	return rep.Findings
}

// TestGitLabCodeQuality runs examples/gitlab/codequality.jq over a report:
// one Code Quality issue per unsuppressed finding, with GitLab's severities.
func TestGitLabCodeQuality(t *testing.T) {
	repoRoot(t)
	jq, err := exec.LookPath("jq")
	if err != nil {
		if inCI() {
			t.Fatal("jq not installed")
		}
		t.Skip("jq not installed")
	}
	dir := t.TempDir()
	manifest := filepath.Join(dir, "pod.yaml")
	if err := os.WriteFile(manifest, []byte(`apiVersion: v1
kind: Pod
metadata:
  name: quiet
  namespace: web
  annotations:
    ignore-check.sascan.io/SA018: "batch job, reviewed"
spec:
  containers: [{name: c, image: nginx}]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "scan", "-o", "json", "--fail-on", "none", manifest)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	cmd := exec.Command(jq, "-f", "examples/gitlab/codequality.jq")
	cmd.Stdin = strings.NewReader(r.out)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	type issue struct {
		Description string `json:"description"`
		CheckName   string `json:"check_name"`
		Fingerprint string `json:"fingerprint"`
		Severity    string `json:"severity"`
		Location    struct {
			Path  string `json:"path"`
			Lines struct {
				Begin int `json:"begin"`
			} `json:"lines"`
		} `json:"location"`
	}
	var got []issue
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var want []issue
	for _, f := range jsonFindings(t, r.out) {
		if f.RuleID == "SA018" {
			continue // suppressed by the annotation
		}
		var i issue
		i.CheckName, i.Location.Path, i.Location.Lines.Begin = f.RuleID, f.Location.File, f.Location.Line
		i.Severity = map[string]string{"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}[f.Severity]
		want = append(want, i)
	}
	if len(want) == 0 {
		t.Fatal("the scan found nothing to convert")
	}
	for i := range got {
		if got[i].Fingerprint == "" || !strings.HasPrefix(got[i].Description, got[i].CheckName+" ") {
			t.Errorf("issue %d: fingerprint %q description %q", i, got[i].Fingerprint, got[i].Description)
		}
		got[i].Fingerprint, got[i].Description = "", ""
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("code quality issues (-want +got):\n%s", diff)
	}
}

// inCI: the tests run under CI (CI=true), where what a developer's clone
// may lack (../shared, chromium, npm) must be there.
func inCI() bool {
	on, _ := strconv.ParseBool(os.Getenv("CI"))
	return on
}

// sarifValidator is ../shared/tools/validate-sarif: ok is false when a
// developer's clone lacks it; under CI its absence fails the test.
func sarifValidator(t *testing.T, root string) (string, bool) {
	t.Helper()
	tool := filepath.Join(root, "..", "shared", "tools", "validate-sarif")
	if _, err := os.Stat(tool); err != nil {
		if inCI() {
			t.Fatalf("validate-sarif not found: %v", err)
		}
		return "", false
	}
	return tool, true
}
