package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// --parallel-clusters bounds how many clusters are scanned at once: five
// contexts of one API server that holds each /version request until a
// second one arrives (or 2 s pass) never see more than two at a time, and
// do see two.
func TestFleetParallelClustersBound(t *testing.T) {
	var mu sync.Mutex
	inflight, most := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		most = max(most, inflight)
		mu.Unlock()
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := inflight
			mu.Unlock()
			if n >= 2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		// Time for more requests to arrive, were there no bound.
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}`, http.StatusForbidden)
	}))
	defer srv.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: %q}}]\nusers: [{name: u, user: {token: x}}]\ncontexts:\n", srv.URL)
	for i := range 5 {
		fmt.Fprintf(&b, "- {name: c%d, context: {cluster: c, user: u}}\n", i)
	}
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "cluster", "-q", "--kubeconfig", kc, "--all-contexts", "--parallel-clusters", "2")
	if r.code != exitError || !strings.HasPrefix(r.err, "sascan: no cluster could be scanned (c0: ") {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if most != 2 {
		t.Errorf("%d clusters scanned at once, want 2", most)
	}
}

// Progress lines of a fleet's clusters each carry the cluster's name and
// stay whole when the clusters write at once.
func TestPrefixWriter(t *testing.T) {
	var out strings.Builder
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		w := &prefixWriter{mu: &mu, w: &out, prefix: name + ": "}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(w, "listed pods: %d\n", 3)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	count := map[string]int{}
	for _, l := range lines {
		count[l]++
	}
	if len(lines) != 200 || count["a: listed pods: 3"] != 100 || count["b: listed pods: 3"] != 100 {
		t.Errorf("%d lines: %v", len(lines), count)
	}
}
