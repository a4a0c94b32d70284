package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/report"
)

const accessManifests = `apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: build}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: build}
rules:
- {apiGroups: [""], resources: ["*/exec"], verbs: [create]}
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [registry]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-exec, namespace: build}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: ServiceAccount, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:build"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: build}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec: {serviceAccountName: ci, containers: [{name: c, image: alpine}]}
`

func TestAccessWhoCan(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // "subject | binding"
	}{
		{"subresource wildcard and group", []string{"create", "pods/exec", "-n", "build"},
			[]string{"ServiceAccount build/ci | RoleBinding build/ci-exec", "Group system:serviceaccounts:build | ClusterRoleBinding everyone-admin"}},
		{"the rule's name narrows", []string{"get", "secrets", "-n", "build", "--name", "other"},
			[]string{"Group system:serviceaccounts:build | ClusterRoleBinding everyone-admin"}},
		{"the named object", []string{"get", "secrets", "-n", "build", "--name", "registry"},
			[]string{"ServiceAccount build/ci | RoleBinding build/ci-exec", "Group system:serviceaccounts:build | ClusterRoleBinding everyone-admin"}},
		{"a RoleBinding grants nothing elsewhere", []string{"create", "pods", "--subresource", "exec", "-n", "web"},
			[]string{"Group system:serviceaccounts:build | ClusterRoleBinding everyone-admin"}},
		{"group-qualified resource", []string{"patch", "deployments.apps", "-n", "build"},
			[]string{"Group system:serviceaccounts:build | ClusterRoleBinding everyone-admin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"access", "who-can"}, tc.args...)
			r := cli(t, accessManifests, append(args, "-o", "json", "-")...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			var got report.WhoCan
			if err := json.Unmarshal([]byte(r.out), &got); err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, g := range got.Grants {
				s := g.Subject.Kind + " " + g.Subject.Name
				if g.Subject.Namespace != "" {
					s = g.Subject.Kind + " " + g.Subject.Namespace + "/" + g.Subject.Name
				}
				b := g.Binding.Kind + " " + g.Binding.Name
				if g.Binding.Namespace != "" {
					b = g.Binding.Kind + " " + g.Binding.Namespace + "/" + g.Binding.Name
				}
				lines = append(lines, s+" | "+b)
				// Every grant here reaches the runner's automounted token.
				if diff := cmp.Diff([]report.TokenHolder{{Kind: "Deployment", Namespace: "build", Name: "runner", ServiceAccount: "build/ci", Ways: []string{"automounted token"}}}, g.TokenHolders); diff != "" {
					t.Errorf("%s token holders (-want +got):\n%s", s, diff)
				}
			}
			if diff := cmp.Diff(tc.want, lines); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRequestFindsBuiltinGroups(t *testing.T) {
	for resource, want := range map[string]access.Attributes{
		"deployments":         {Verb: "get", Group: "apps", Resource: "deployments"},
		"deployments/scale":   {Verb: "get", Group: "apps", Resource: "deployments", Subresource: "scale"},
		"pods/exec":           {Verb: "get", Resource: "pods", Subresource: "exec"},
		"cronjobs.batch":      {Verb: "get", Group: "batch", Resource: "cronjobs"},
		"clusterrolebindings": {Verb: "get", Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
		"widgets.example.com": {Verb: "get", Group: "example.com", Resource: "widgets"},
		"/metrics":            {Verb: "get", Path: "/metrics"},
	} {
		if got := parseRequest("get", resource, "", "", ""); got != want {
			t.Errorf("%s: %+v, want %+v", resource, got, want)
		}
	}
}

func TestAccessServiceAccount(t *testing.T) {
	r := cli(t, accessManifests, "access", "sa", "build/ci", "-o", "json", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var got report.ServiceAccountAccess
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	type row struct{ Binding, Via, Tier, Caps string }
	var rows []row
	for _, g := range got.Grants {
		rows = append(rows, row{g.Binding.Kind + " " + g.Binding.Name, g.Via, g.PrivilegeTier, strings.Join(g.Capabilities, ",")})
	}
	want := []row{
		{"ClusterRoleBinding everyone-admin", "system:serviceaccounts:build", "T0", "P01 T0,P02 T2,P03 T0,P04 T0,P05 T0,P06 T0,P07 T0,P08 T0,P09 T0,P10 T0,P11 T0,P12 T0,P13 T0,P14 T0,P15 T0,P16 T2,P17 T2,P18 T2"},
		// resourceNames narrow reading Secrets to tier 2.
		{"RoleBinding ci-exec", "direct", "T1", "P03 T2,P05 T1"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
	if got.PrivilegeTier != "T0" || !got.InScan || len(got.TokenHolders) != 1 || got.TokenHolders[0].Name != "runner" {
		t.Errorf("got tier %s, in scan %v, holders %+v", got.PrivilegeTier, got.InScan, got.TokenHolders)
	}
	// The table names the same answer.
	tr := cli(t, accessManifests, "access", "sa", "build/ci", "-")
	for _, s := range []string{"privilege tier T0", "RoleBinding build/ci-exec", "Deployment build/runner (automounted token)"} {
		if !strings.Contains(tr.out, s) {
			t.Errorf("table lacks %q:\n%s", s, tr.out)
		}
	}
}

// -o html writes the answer as a page, to stdout or a file beside the table.
func TestAccessHTML(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sa.html")
	r := cli(t, accessManifests, "access", "sa", "build/ci", "-o", "table", "-o", "html="+file, "-")
	if r.code != 0 || !strings.Contains(r.out, "privilege tier T0") {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<h2 id="question">ServiceAccount build/ci</h2>`,
		`<tr data-tier="T0"><td><span class="tier tier-T0">T0</span></td><td>ClusterRoleBinding everyone-admin`,
		`<tr data-tier="T1"><td><span class="tier tier-T1">T1</span></td><td>RoleBinding build/ci-exec`,
		`<li>Deployment build/runner <span class="muted">(automounted token; ServiceAccount build/ci)</span></li>`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	r = cli(t, accessManifests, "access", "who-can", "create", "pods/exec", "-n", "build", "-o", "html", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, want := range []string{
		`<h2 id="question">Who can create pods/exec in namespace build</h2>`,
		`<tr><td>ServiceAccount build/ci</td><td>RoleBinding build/ci-exec`,
		`<tr><td>Group system:serviceaccounts:build</td><td>ClusterRoleBinding everyone-admin`,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestAccessBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"access", "sa", "no-slash", "-"},
		{"access", "who-can", "get", "pods"},
		{"access", "who-can", "get", "pods", "-o", "sarif", "-"},
		{"access", "who-can", "get", "pods", "-o", "json", "-o", "html", "-"},
		{"access", "sa", "a/b", "--cluster", "x.yaml"},
	} {
		if r := cli(t, accessManifests, args...); r.code != exitError {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, r.code, exitError, r.err)
		}
	}
}

func TestClusterNamespaceFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cluster", "-A", "-n", "web"}, "--all-namespaces and --namespace exclude each other"},
		{[]string{"cluster", "--all-namespaces=false"}, "--all-namespaces=false needs --namespace"},
	} {
		r := cli(t, "", tc.args...)
		if r.code != exitError || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, r.code, r.err, tc.want)
		}
	}
}
