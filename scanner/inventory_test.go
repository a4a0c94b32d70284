package scanner

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func buildFrom(t *testing.T, src string) *Inventory {
	t.Helper()
	m, err := LoadManifests(context.Background(), []string{"-"}, LoadOptions{Stdin: strings.NewReader(src)})
	if err != nil || len(m.Errors) > 0 {
		t.Fatalf("load: %v %v", err, m.Errors)
	}
	return Build(m.Objects, BuildOptions{Mode: ModeManifest, DefaultNamespace: "dev", Builtins: true})
}

func TestBuildNormalizes(t *testing.T) {
	inv := buildFrom(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: []}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb, namespace: ignored}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: explicit}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: cj, namespace: explicit}
spec: {jobTemplate: {spec: {template: {spec: {containers: []}}}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-abc
  namespace: dev
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web}]
spec: {containers: []}
`)
	type row struct {
		Group, Kind, Namespace, Name string
		Origin                       Origin
		Anchor                       int
		Owners                       []int
	}
	var got []row
	for _, o := range inv.Objects {
		if o.Origin == OriginBuiltin {
			continue
		}
		got = append(got, row{o.Group, o.Kind, o.Namespace, o.Name, o.Origin, o.Anchor, o.Owners})
	}
	want := []row{
		{"apps", "Deployment", "dev", "web", OriginManifest, -1, nil},
		{"rbac.authorization.k8s.io", "ClusterRoleBinding", "", "crb", OriginManifest, -1, nil},
		{"", "Namespace", "", "payments", OriginManifest, -1, nil},
		{"", "ServiceAccount", "explicit", "default", OriginManifest, -1, nil},
		{"batch", "CronJob", "explicit", "cj", OriginManifest, -1, nil},
		{"", "Pod", "dev", "web-abc", OriginManifest, -1, []int{0}},
		{"", "ServiceAccount", "dev", "default", OriginImplicit, -1, nil},
		{"", "ServiceAccount", "payments", "default", OriginImplicit, 2, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	var specs []string
	for _, ps := range inv.PodSpecs {
		specs = append(specs, inv.Objects[ps.Object].Kind+":"+strings.Join(ps.Path, "."))
	}
	if diff := cmp.Diff([]string{"Deployment:spec.template.spec", "CronJob:spec.jobTemplate.spec.template.spec", "Pod:spec"}, specs); diff != "" {
		t.Errorf("pod specs (-want +got):\n%s", diff)
	}
	builtins := map[string]bool{}
	for _, o := range inv.Objects {
		if o.Origin == OriginBuiltin {
			builtins[o.Name] = true
		}
	}
	for _, n := range []string{"cluster-admin", "admin", "edit", "view", "system:aggregate-to-edit", "system:discovery"} {
		if !builtins[n] {
			t.Errorf("built-in ClusterRole %s missing", n)
		}
	}
}

func TestUserClusterRoleReplacesBuiltin(t *testing.T) {
	inv := buildFrom(t, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view}\nrules: []\n")
	n := 0
	for _, o := range inv.Objects {
		if o.Kind == "ClusterRole" && o.Name == "view" {
			n++
			if o.Origin != OriginManifest {
				t.Errorf("view origin %s", o.Origin)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d view roles", n)
	}
}

func TestControlPlaneFlags(t *testing.T) {
	inv := buildFrom(t, `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver-node1, namespace: kube-system}
spec:
  containers:
  - name: apiserver
    command:
    - /usr/local/bin/kube-apiserver
    - --service-account-key-file=/a.pub
    - --service-account-lookup
    - --service-account-key-file
    - /b.pub
    - --feature-gates=A=true,B=false
    args: ["--service-account-issuer=https://x", "--profiling", "false-positional"]
  - name: sidecar
    command: [sh, -c, "sleep 1"]
`)
	if len(inv.ControlPlanes) != 1 {
		t.Fatalf("%d control planes", len(inv.ControlPlanes))
	}
	cp := inv.ControlPlanes[0]
	if cp.Component != "kube-apiserver" || cp.Path != "spec.containers[0]" {
		t.Errorf("component %s path %s", cp.Component, cp.Path)
	}
	want := map[string][]Flag{
		"service-account-key-file": {
			{Value: "/a.pub", Path: "spec.containers[0].command[1]"},
			{Value: "/b.pub", Path: "spec.containers[0].command[3]"},
		},
		"service-account-lookup": {{Value: "true", Bare: true, Path: "spec.containers[0].command[2]"}},
		"feature-gates":          {{Value: "A=true,B=false", Path: "spec.containers[0].command[5]"}},
		"service-account-issuer": {{Value: "https://x", Path: "spec.containers[0].args[0]"}},
		"profiling":              {{Value: "true", Bare: true, Path: "spec.containers[0].args[1]"}},
	}
	if diff := cmp.Diff(want, cp.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

func TestLocator(t *testing.T) {
	src := `# comment
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations:
      "kubernetes.io/x.y": "1"
  spec:
    containers:
    - name: c
      env:
      - {name: A, value: b}
`
	m, err := LoadManifests(context.Background(), []string{"-"}, LoadOptions{Stdin: strings.NewReader(src)})
	if err != nil {
		t.Fatal(err)
	}
	src0 := m.Objects[0].Source
	cases := map[string][2]int{
		"":                                {5, 3},
		"spec.containers[0].env[0]":       {15, 9},
		"spec.containers[0].env[0].value": {15, 19},
		`metadata.annotations["kubernetes.io/x.y"]`: {10, 7},
		"spec.containers[0].missing.deeper":         {13, 7},
		"spec.containers[7]":                        {12, 5},
		"stringData.config:users[0].user.token":     {5, 3},
	}
	var refs []FieldRef
	for path := range cases {
		refs = append(refs, FieldRef{Source: src0, Path: path})
	}
	// The same references again, so one document serves several.
	refs = append(refs, refs...)
	for i, pos := range Locate(refs) {
		path := refs[i].Path
		if want := cases[path]; [2]int{pos.Line, pos.Column} != want {
			t.Errorf("Locate(%q) = %d:%d, want %d:%d", path, pos.Line, pos.Column, want[0], want[1])
		}
	}
	if got := Locate([]FieldRef{{Source: nil, Path: "x"}}); got[0] != (Position{}) {
		t.Errorf("Locate(no source) = %v, want zero", got[0])
	}
}

func TestParsePathRoundTrip(t *testing.T) {
	for _, p := range []string{
		"spec.template.spec.containers[0].env[1].value",
		`metadata.annotations["kubernetes.io/service-account.name"]`,
		"subjects[0]",
	} {
		if got := FormatPath(ParsePath(p)); got != p {
			t.Errorf("round trip %q -> %q", p, got)
		}
	}
}

// An owner reference links by uid when an object has that uid, else by
// kind and name in the referring object's namespace (the last definition
// of a repeated identity); references keep their order, and one that
// names nothing in the inventory links nothing.
func TestLinkOwners(t *testing.T) {
	inv := buildFrom(t, `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: a, uid: u-1}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: a}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: other, namespace: a, uid: u-2}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: b, uid: u-3}
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: a
  ownerReferences:
  - {kind: ReplicaSet, name: rs, uid: u-2}
  - {kind: ReplicaSet, name: rs}
  - {kind: ReplicaSet, name: rs, uid: u-missing}
  - {kind: ReplicaSet, name: gone}
  - {kind: Deployment, name: rs}
---
apiVersion: v1
kind: Pod
metadata:
  name: q
  namespace: b
  ownerReferences: [{kind: ReplicaSet, name: other}, {kind: ReplicaSet, name: x, uid: u-3}]
`)
	got := map[string][]int{}
	for _, o := range inv.Objects {
		if o.Kind == "Pod" {
			got[o.Name] = o.Owners
		}
	}
	want := map[string][]int{"p": {2, 1, 1}, "q": {3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
}
