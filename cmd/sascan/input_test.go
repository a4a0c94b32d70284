package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A scan of nothing never passes for a clean scan without a word: empty
// stdin is exit 2, and a scan that read no Kubernetes object, or skipped a
// document that looks like one, says so on stderr.
func TestNoSilentEmptyScans(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noYAML := filepath.Join(dir, "no-yaml")
	write("no-yaml/README.md", "# not a manifest\n")
	empty := write("empty.yaml", "")
	values := write("values.yaml", "replicaCount: 2\n---\nimage: {tag: x}\n")
	typo := write("typo.yaml", "apiversion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\ntype: kubernetes.io/service-account-token\n---\nkind: Pod\nmetadata: {name: p}\n")
	clean := "testdata/rules/SA020/pass-equal.yaml"
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"empty stdin", "", []string{"scan", "-"}, exitError,
			"sascan: error: <stdin>: no input on stdin\nsascan: 1 input error(s): the scan is incomplete\n"},
		{"blank stdin beside a file", "\n\n", []string{"scan", "--enable", "SA020", "-", clean}, exitError,
			"sascan: error: <stdin>: no input on stdin\nsascan: 1 input error(s): the scan is incomplete\n"},
		{"stdin holding no object", "# Source: chart/templates/NOTES.txt\n", []string{"scan", "-"}, exitClean,
			"sascan: warning: no Kubernetes object scanned (files read: 1, YAML documents: 0; an object needs apiVersion and kind)\n"},
		{"a folder without YAML", "", []string{"scan", noYAML}, exitClean,
			"sascan: warning: no Kubernetes object scanned: no .yaml, .yml or .json file in the input\n"},
		{"an empty file", "", []string{"scan", empty}, exitClean,
			"sascan: warning: no Kubernetes object scanned (files read: 1, YAML documents: 0; an object needs apiVersion and kind)\n"},
		{"YAML that is not Kubernetes", "", []string{"scan", values}, exitClean,
			"sascan: warning: no Kubernetes object scanned (files read: 1, YAML documents: 2; an object needs apiVersion and kind)\n"},
		{"typos", "", []string{"scan", typo}, exitClean,
			"sascan: warning: " + typo + `:1: key "apiversion" is not "apiVersion" (keys are case-sensitive): not read as a Kubernetes object` + "\n" +
				"sascan: warning: " + typo + ":6: kind Pod without an apiVersion: not read as a Kubernetes object\n" +
				"sascan: warning: no Kubernetes object scanned (files read: 1, YAML documents: 2; an object needs apiVersion and kind)\n"},
		{"typos beside objects", "", []string{"scan", "--enable", "SA020", typo, clean}, exitClean,
			"sascan: warning: " + typo + `:1: key "apiversion" is not "apiVersion" (keys are case-sensitive): not read as a Kubernetes object` + "\n" +
				"sascan: warning: " + typo + ":6: kind Pod without an apiVersion: not read as a Kubernetes object\n"},
		{"--quiet hides the warnings", "", []string{"scan", "-q", typo}, exitClean, ""},
		{"--log-level error hides the warnings", "", []string{"scan", "--log-level", "error", empty}, exitClean, ""},
		{"--quiet keeps the error", "", []string{"scan", "-q", "-"}, exitError,
			"sascan: error: <stdin>: no input on stdin\nsascan: 1 input error(s): the scan is incomplete\n"},
		{"objects: no warning", "", []string{"scan", "--enable", "SA020", clean}, exitClean, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.stdin, tc.args...)
			if r.code != tc.code || r.err != tc.stderr {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d, stderr:\n%s", r.code, r.err, tc.code, tc.stderr)
			}
		})
	}
}
