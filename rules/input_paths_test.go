package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/scanner"
)

// Where tokens can be taken, as the access model's input says: each way a
// running workload holds its account's token, every node for a
// DaemonSet's, a legacy token Secret of an existing account; not a
// shadowed copy, not a Secret for a missing account, not a workload without
// a token.
func TestTokenSources(t *testing.T) {
	manifest := `
apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: apps}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: apps}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      serviceAccountName: agent
      containers:
      - name: c
        image: x
        volumeMounts: [{name: tok, mountPath: /t}]
      volumes:
      - name: tok
        projected: {sources: [{serviceAccountToken: {path: token}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: old, namespace: apps}
spec: {serviceAccountName: agent, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: old, namespace: apps}
spec: {serviceAccountName: agent, automountServiceAccountToken: false, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Secret
metadata: {name: agent-token, namespace: apps, annotations: {kubernetes.io/service-account.name: agent}}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata: {name: ghost-token, namespace: apps, annotations: {kubernetes.io/service-account.name: ghost}}
type: kubernetes.io/service-account-token
`
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := loadInventory(t, scanner.ModeManifest, path)
	model := NewModel(inv, fixtureParams)
	b, err := json.Marshal(mustJSON(t, tokenSourcesTerm(model)))
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"serviceAccount": "apps/agent", "object": float64(1), "way": "automounted token"},
		{"serviceAccount": "apps/agent", "object": float64(1), "way": "on every node"},
		{"serviceAccount": "apps/agent", "object": float64(1), "way": "projected token volume"},
		{"serviceAccount": "apps/agent", "object": float64(4), "way": "legacy token Secret"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("token sources (-want +got):\n%s", diff)
	}
	g, _ := json.Marshal(mustJSON(t, tokenGraphTerm(model)))
	var graph map[string][]string
	if err := json.Unmarshal(g, &graph); err != nil {
		t.Fatal(err)
	}
	wantGraph := map[string][]string{
		"any:*":       {"any:apps"},
		"any:apps":    {"sa:apps/agent", "sa:apps/default"},
		"exec:*":      {"exec:apps"},
		"exec:apps":   {"sa:apps/agent"},
		"secret:*":    {"secret:apps"},
		"secret:apps": {"sa:apps/agent"},
	}
	if diff := cmp.Diff(wantGraph, graph); diff != "" {
		t.Errorf("token graph (-want +got):\n%s", diff)
	}
}

func mustJSON(t *testing.T, term *ast.Term) any {
	t.Helper()
	v, err := ast.JSON(term.Value)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
