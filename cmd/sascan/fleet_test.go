package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unreachableKubeconfig has the contexts given, all pointing at a port
// nothing listens on.
func unreachableKubeconfig(t *testing.T, contexts ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: x}}]\ncontexts:\n")
	for _, c := range contexts {
		fmt.Fprintf(&b, "- {name: %s, context: {cluster: c, user: u}}\n", c)
	}
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

func TestFleetFlags(t *testing.T) {
	kc := unreachableKubeconfig(t, "a", "b")
	var many []string
	for i := range 21 {
		many = append(many, "--context", fmt.Sprintf("c%02d", i))
	}
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"--all-contexts and --context", []string{"--all-contexts", "--context", "a"}, "--all-contexts and --context exclude each other"},
		{"--cluster-name in a fleet", []string{"--context", "a", "--context", "b", "--cluster-name", "x"}, "--cluster-name names one cluster; the clusters of a fleet scan are named by their contexts"},
		{"a context twice", []string{"--context", "a", "--context", "b", "--context", "a"}, "--context a is given twice"},
		{"no parallelism", []string{"--all-contexts", "--parallel-clusters", "0"}, "--parallel-clusters must be at least 1"},
		{"SARIF of more clusters than GitHub takes", append([]string{"-o", "sarif"}, many...), "--output sarif: 21 contexts: more clusters than the 20 runs GitHub code scanning accepts in one SARIF file; scan at most 20 at a time (or write -o json per group and sascan merge them)"},
		{"a kubeconfig without contexts", []string{"--all-contexts", "--kubeconfig", unreachableKubeconfig(t)}, "--all-contexts: the kubeconfig has no context"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"cluster", "--kubeconfig", kc}, tc.args...)
			r := cli(t, "", args...)
			if want := "sascan: " + tc.err + "\n"; r.code != exitError || r.err != want || r.out != "" {
				t.Errorf("exit %d\nstderr %q\nwant   %q", r.code, r.err, want)
			}
		})
	}
}

// When no cluster of a fleet can be scanned the exit code is 2, no report
// is written, and the error names every cluster and why (also under -q,
// which hides the warnings).
func TestFleetNothingScanned(t *testing.T) {
	kc := unreachableKubeconfig(t, "b", "a")
	refused := `cluster: get /version from https://127.0.0.1:1: Get "https://127.0.0.1:1/version?timeout=30s": dial tcp 127.0.0.1:1: connect: connection refused`
	for _, args := range [][]string{{"--all-contexts"}, {"--context", "b", "--context", "a", "--context", "gone"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := cli(t, "", append([]string{"cluster", "-q", "-o", "json", "--kubeconfig", kc}, args...)...)
			want := "sascan: no cluster could be scanned (a: " + refused + "; b: " + refused
			if len(args) > 1 {
				want += `; gone: cluster: context "gone" does not exist`
			}
			want += ")\n"
			if r.code != exitError || r.err != want || r.out != "" {
				t.Errorf("exit %d\nstderr %q\nwant   %q\nstdout %q", r.code, r.err, want, r.out)
			}
		})
	}
}
