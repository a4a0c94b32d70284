package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A baseline knows the attack paths it saw: a pull request that adds a
// second workload and account reaching the same operator fails only on the
// new workload's path.
func TestBaselineKnowsAttackPaths(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	before, err := os.ReadFile(filepath.Join("testdata", "rules", "SA033", "fail-create-pods-then-cluster-admin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(mf, before, 0o644); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "baseline.json")
	if r := cli(t, "", "scan", "--enable", "SA033", "--fail-on", "none", "--write-baseline", base, mf); r.code != exitClean {
		t.Fatalf("writing the baseline: exit %d\n%s%s", r.code, r.out, r.err)
	}
	after := string(before) + `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bot2, namespace: ci}
---
apiVersion: v1
kind: Pod
metadata: {name: runner2, namespace: ci}
spec: {serviceAccountName: bot2, containers: [{name: c, image: registry.example/runner:1.0}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deploys2, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: bot2, namespace: ci}]
`
	if err := os.WriteFile(mf, []byte(after), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "scan", "--enable", "SA033", "-o", "json", "--baseline", base, mf)
	if r.code != exitFindings {
		t.Fatalf("want exit %d for the new paths, got %d\n%s", exitFindings, r.code, r.err)
	}
	var rep struct {
		Findings []struct {
			Object     struct{ Namespace, Name string }
			Evidence   struct{ Sink string }
			Suppressed *struct{ Kind string }
		}
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	var open, known []string
	for _, f := range rep.Findings {
		s := f.Object.Namespace + "/" + f.Object.Name + " " + f.Evidence.Sink
		if f.Suppressed != nil && f.Suppressed.Kind == "baseline" {
			known = append(known, s)
		} else {
			open = append(open, s)
		}
	}
	slices.Sort(open)
	slices.Sort(known)
	if want := "ci/runner2 cluster-admin"; strings.Join(open, ",") != want {
		t.Errorf("new paths %q, want %s", open, want)
	}
	if want := "ci/runner cluster-admin"; strings.Join(known, ",") != want {
		t.Errorf("known paths %q, want %s", known, want)
	}
}
