package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Pods owned (through a ReplicaSet) by a Deployment in the same scan are
// reported once, on the Deployment, with the pod names in evidence.
func TestPodsFoldOntoTopOwner(t *testing.T) {
	_, e := manifestEngine(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "export.yaml")
	pod := func(name string) string {
		return `---
apiVersion: v1
kind: Pod
metadata:
  name: ` + name + `
  namespace: web
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, uid: rs-1}]
spec:
  serviceAccount: legacy
  containers: [{name: c, image: nginx}]
`
	}
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web, uid: d-1}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      serviceAccount: legacy
      containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7d9f
  namespace: web
  uid: rs-1
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1}]
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      serviceAccount: legacy
      containers: [{name: c, image: nginx}]
` + pod("web-7d9f-b") + pod("web-7d9f-a") + `---
apiVersion: v1
kind: Pod
metadata: {name: standalone, namespace: web}
spec:
  serviceAccount: legacy
  containers: [{name: c, image: nginx}]
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	fs, _ := scanFiles(t, e, path)
	var got []string
	var pods any
	for _, f := range fs {
		if f.RuleID != "SA020" {
			continue
		}
		got = append(got, formatFinding(f))
		if f.Object.Kind == "Deployment" {
			pods = f.Evidence["pods"]
		}
	}
	want := []string{
		"SA020 low Deployment web/web confidence=certain line=9 path=spec.template.spec.serviceAccount",
		"SA020 low Pod web/standalone confidence=certain line=51 path=spec.serviceAccount",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"web-7d9f-a", "web-7d9f-b"}, pods); diff != "" {
		t.Errorf("pods in evidence (-want +got):\n%s", diff)
	}
}

// Two findings of one rule on the same object and path that no pod folding
// produced (SA013 reporting two ServiceAccounts on the binding that grants
// both) stay two findings.
func TestFoldKeepsDistinctFindings(t *testing.T) {
	_, e := manifestEngine(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "crb.yaml")
	src := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-proxy}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: np}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-proxy}
subjects:
- {kind: ServiceAccount, name: a, namespace: obs}
- {kind: ServiceAccount, name: b, namespace: obs}
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	fs, _ := scanFiles(t, e, path)
	var sas []string
	for _, f := range fs {
		if f.RuleID == "SA013" {
			sas = append(sas, f.Evidence["serviceAccount"].(string))
		}
	}
	if diff := cmp.Diff([]string{"obs/a", "obs/b"}, sas); diff != "" {
		t.Errorf("SA013 findings (-want +got):\n%s", diff)
	}
}
