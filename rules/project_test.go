package rules

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/internal/gen"
	"github.com/sascan/sascan/scanner"
)

// builtinProjection is production's projection, for tests that build the
// input themselves.
var builtinProjection = sync.OnceValue(func() *Projection {
	cat, err := Load(LoadOptions{})
	if err != nil {
		panic(err)
	}
	return cat.Projection()
})

// TestProjectionKeepsFindings scans every fixture (in both modes), the
// corpus and dumps of every generator profile with the projected input
// (equal subterms shared) and with whole objects, each with its own terms:
// the findings must be the same, field for field.
func TestProjectionKeepsFindings(t *testing.T) {
	paths := projectionInputs(t, 3000, 7)
	total := 0
	for _, mode := range []scanner.Mode{scanner.ModeManifest, scanner.ModeCluster} {
		_, e := modeEngine(t, string(mode))
		if e.proj == nil {
			t.Fatal("the built-in catalogue has no projection")
		}
		whole := *e
		whole.proj, whole.unshared = nil, true
		for _, p := range paths {
			eval := func(e *Engine) []Finding {
				fs, err := e.Evaluate(context.Background(), loadInventory(t, mode, p), fixtureParams, EvalOptions{Cluster: "test"})
				if err != nil {
					t.Fatal(err)
				}
				return fs
			}
			want, got := eval(&whole), eval(e)
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
				t.Errorf("%s %s: findings differ (-whole objects +projected):\n%s", mode, p, diff)
			}
			total += len(want)
		}
	}
	// Each fixture again with the parameters its header asks for (Kubernetes
	// version, a complete corpus, its mode, its audit log), so the rules
	// that read audit logs and versions are compared too.
	_, manifest := modeEngine(t, ModeManifest)
	_, live := modeEngine(t, ModeCluster)
	audited := 0
	for _, fx := range loadFixtures(t) {
		e, mode := manifest, scanner.ModeManifest
		if fx.live {
			e, mode = live, scanner.ModeCluster
		}
		whole := *e
		whole.proj, whole.unshared = nil, true
		params := fx.params(t)
		eval := func(e *Engine) []Finding {
			fs, err := e.Evaluate(context.Background(), loadInventory(t, mode, fx.path), params, EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return fs
		}
		want, got := eval(&whole), eval(e)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
			t.Errorf("%s with its parameters: findings differ (-whole objects +projected):\n%s", fx.path, diff)
		}
		if params.Audit != nil {
			audited += len(want)
		}
		total += len(want)
	}
	if total < 5000 || audited < 10 {
		t.Fatalf("only %d findings, %d of them with an audit log: the comparison proves little", total, audited)
	}
}

// projectionInputs are the inputs the projection is checked on: every
// fixture, the corpus, and a dump of n objects of every generator profile.
func projectionInputs(t *testing.T, n int, seed uint64) []string {
	t.Helper()
	paths, _ := filepath.Glob("../testdata/rules/*")
	paths = append(paths, corpusDirs(t, sharedCorpus)...)
	for _, p := range gen.Profiles {
		file := filepath.Join(t.TempDir(), string(p)+".yaml")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := gen.WriteProfile(f, p, n, seed); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, file)
	}
	return paths
}

// TestProjectionKeepsWhatIDsReach: every object the input's documents
// hand the policies by id (roles, bindings, pod specs, token sources,
// control planes) is of a kind whose content the projection keeps, in the
// fixtures, the corpus and dumps of every generator profile.
func TestProjectionKeepsWhatIDsReach(t *testing.T) {
	paths := projectionInputs(t, 1000, 5)
	proj := builtinProjection()
	reached := map[string]bool{}
	for _, mode := range []scanner.Mode{scanner.ModeManifest, scanner.ModeCluster} {
		for _, p := range paths {
			inv := loadInventory(t, mode, p)
			m := NewModel(inv, fixtureParams)
			var ids []int
			for _, r := range m.Roles {
				ids = append(ids, r.Object)
			}
			for _, b := range m.Bindings {
				ids = append(ids, b.Object)
			}
			for _, ps := range m.PodSpecs {
				ids = append(ids, ps.Object)
			}
			for _, ts := range m.TokenSecrets {
				ids = append(ids, ts.Object)
			}
			for _, cp := range inv.ControlPlanes {
				ids = append(ids, cp.Object)
			}
			for _, id := range ids {
				kind := inv.Objects[id].Kind
				reached[kind] = true
				if !proj.readsContent(kind) {
					t.Errorf("%s %s: the input hands the policies %s %s by id, whose content the projection drops", mode, p, kind, inv.Objects[id].Name)
				}
			}
		}
	}
	for _, k := range []string{"ClusterRole", "ClusterRoleBinding", "Deployment", "Pod", "Role", "RoleBinding", "Secret"} {
		if !reached[k] {
			t.Errorf("no %s reached by id: the inputs prove little", k)
		}
	}
}

// TestProjectionLeavesOutUnreadFields pins what the projection does to one
// Deployment: fields no policy names go, free-form maps and arrays stay
// whole, and an object that may hold a token is not projected.
func TestProjectionLeavesOutUnreadFields(t *testing.T) {
	p := builtinProjection()
	raw := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "shop", "labels": map[string]any{"app": "web", "tier": "front"}},
		"spec": map[string]any{
			"replicas": int64(3),
			"template": map[string]any{"spec": map[string]any{
				"serviceAccountName": "web",
				"containers": []any{
					map[string]any{
						"name": "app", "image": "web:1",
						"readinessProbe": map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": int64(80)}},
						"resources":      map[string]any{"limits": map[string]any{"cpu": "1"}},
					},
					map[string]any{"name": "sidecar"},
				},
			}},
		},
	}
	got := p.prepare(raw)
	if got.err != nil || got.tokenCandidate {
		t.Fatalf("prepare: %+v", got)
	}
	// apiVersion, replicas, image and the probe are named by no policy
	// (the object's apiVersion is the input's obj.apiVersion); "resources"
	// is (RBAC rules), so the key stays, but not the limits under it.
	want := ast.MustParseTerm(`{
		"kind": "Deployment",
		"metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web", "tier": "front"}},
		"spec": {"template": {"spec": {
			"serviceAccountName": "web",
			"containers": [{"name": "app", "resources": {}}, {"name": "sidecar"}]
		}}}
	}`).Value
	if got.value.Compare(want) != 0 {
		t.Errorf("projected:\n%v\nwant:\n%v", got.value, want)
	}
	var nilProj *Projection
	if w := nilProj.prepare(raw); w.value.Compare(ast.MustInterfaceToValue(raw)) != 0 {
		t.Errorf("no projection: %v, want the whole object", w.value)
	}
	raw["spec"].(map[string]any)["note"] = map[string]any{"t": []any{"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln"}}
	if c := p.prepare(raw); !c.tokenCandidate || c.value.Compare(ast.MustInterfaceToValue(raw)) != 0 {
		t.Errorf("token candidate: %v (candidate %v), want the whole object", c.value, c.tokenCandidate)
	}
}

// TestProjectionLeavesOutUnreadKinds: an object of a kind no policy names
// and no input document is built from goes in without content, unless it
// may hold a token; a workload the policies do not name (its pod spec is
// read), a kind they name, every kind the input's documents are built
// from and every object without projection keep it.
// Under the projection an object's input term also leaves out the keys no
// policy reads (apiVersion, owners).
func TestProjectionLeavesOutUnreadKinds(t *testing.T) {
	p := builtinProjection()
	obj := func(kind string, spec map[string]any) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": "x", "namespace": "ns"}, "spec": spec}
	}
	pdb := obj("PodDisruptionBudget", map[string]any{"minAvailable": int64(1)})
	if got := p.prepare(pdb); got.err != nil || got.tokenCandidate || got.value.Compare(ast.NewObject()) != 0 {
		t.Errorf("PodDisruptionBudget: %+v, want no content", got)
	}
	var nilProj *Projection
	if got := nilProj.prepare(pdb); got.value.Compare(ast.MustInterfaceToValue(pdb)) != 0 {
		t.Errorf("PodDisruptionBudget without projection: %v, want the whole object", got.value)
	}
	leak := obj("PodDisruptionBudget", map[string]any{"note": "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln"})
	if got := p.prepare(leak); !got.tokenCandidate || got.value.Compare(ast.MustInterfaceToValue(leak)) != 0 {
		t.Errorf("PodDisruptionBudget with a token: %+v, want the whole object", got)
	}
	for _, kind := range []string{"StatefulSet", "ConfigMap"} {
		if p.fields[kind] == (kind == "StatefulSet") {
			t.Fatalf("the case of %s no longer holds: a policy names it: %v, want %v", kind, p.fields[kind], kind == "ConfigMap")
		}
		got := p.prepare(obj(kind, map[string]any{"serviceAccountName": "web"}))
		md := got.value.(ast.Object).Get(ast.StringTerm("metadata"))
		if md == nil || got.value.(ast.Object).Get(ast.StringTerm("spec")) == nil {
			t.Errorf("%s: %v, want its metadata and spec", kind, got.value)
		}
	}
	// A pod spec's exposure is built from the Ingresses of the inventory,
	// not from their terms: no policy names them, and they go in without
	// content.
	if p.fields["Ingress"] {
		t.Fatal("the case of Ingress no longer holds: a policy names it")
	}
	if got := p.prepare(obj("Ingress", map[string]any{"rules": []any{}})); got.value.Compare(ast.NewObject()) != 0 {
		t.Errorf("Ingress: %v, want no content", got.value)
	}
	// Every kind the input's documents are built from keeps its content.
	for _, kinds := range inputSources {
		for _, kind := range kinds {
			if !p.readsContent(kind) {
				t.Errorf("%s: the input's documents are built from it, but it goes in without content", kind)
			}
		}
	}

	inv := scanner.Build([]scanner.RawObject{{Value: pdb}}, scanner.BuildOptions{Mode: scanner.ModeManifest})
	keys := func(proj *Projection) []string {
		in, err := InputValue(inv, NewModel(inv, Params{}), Params{}, InputOptions{Projection: proj})
		if err != nil {
			t.Fatal(err)
		}
		o := in.(ast.Object).Get(ast.StringTerm("objects")).Value.(*ast.Array).Elem(0).Value.(ast.Object)
		var ks []string
		for _, k := range o.Keys() {
			ks = append(ks, string(k.Value.(ast.String)))
		}
		return ks
	}
	if diff := cmp.Diff([]string{"group", "id", "kind", "name", "namespace", "object", "origin", "shadowed"}, keys(p)); diff != "" {
		t.Errorf("object keys under the projection (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"apiVersion", "group", "id", "kind", "name", "namespace", "object", "origin", "owners", "shadowed"}, keys(nil)); diff != "" {
		t.Errorf("object keys without projection (-want +got):\n%s", diff)
	}
}

// TestSharedTerms: equal parts of objects are one term, different ones
// are not, and equal parts at different depths or under different keys
// do not get mixed up.
func TestSharedTerms(t *testing.T) {
	c := newTerms(builtinProjection(), true)
	pod := func(name, image string, mounts ...any) map[string]any {
		return map[string]any{"kind": "Pod", "metadata": map[string]any{"name": name, "labels": map[string]any{"app": "web"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": image, "volumeMounts": mounts}}}}
	}
	mount := func(name string) any { return map[string]any{"name": name, "mountPath": "/etc/" + name} }
	a, err := c.object(pod("a", "web:1", mount("config")))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.object(pod("b", "web:2", mount("config")))
	d, _ := c.object(pod("d", "web:1", mount("data")))
	containers := func(v ast.Value) *ast.Term {
		return v.(ast.Object).Get(ast.StringTerm("spec")).Value.(ast.Object).Get(ast.StringTerm("containers"))
	}
	labels := func(v ast.Value) *ast.Term {
		return v.(ast.Object).Get(ast.StringTerm("metadata")).Value.(ast.Object).Get(ast.StringTerm("labels"))
	}
	if containers(a) != containers(b) {
		t.Error("containers that differ only in a field no policy reads (image) are not shared")
	}
	if containers(a) == containers(d) || containers(a).Equal(containers(d)) {
		t.Error("containers with different volume mounts are shared")
	}
	if labels(a) != labels(d) {
		t.Error("equal label sets are not shared")
	}
	if a.Compare(b) == 0 {
		t.Error("pods with different names are equal")
	}
	// The same strings under different keys, and a list of one string
	// against the string, stay apart.
	x, _ := c.object(map[string]any{"kind": "a", "name": "b"})
	y, _ := c.object(map[string]any{"kind": "b", "name": "a"})
	z, _ := c.object(map[string]any{"kind": []any{"a"}, "name": "b"})
	if x.Compare(y) == 0 || x.Compare(z) == 0 {
		t.Errorf("distinct objects converted equal: %v %v %v", x, y, z)
	}
}

// A free-form map stays whole even when a value in it is not a scalar (an
// object the API server would refuse, which a manifest scan still reads):
// a selector must still see every label.
func TestProjectionKeepsFreeFormMapsWhole(t *testing.T) {
	raw := map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
			"labels": map[string]any{"app": "web", "build": map[string]any{"id": int64(1)}},
		}}}}
	got := builtinProjection().prepare(raw).value
	labels := got.(ast.Object).Get(ast.StringTerm("spec")).Value.(ast.Object).Get(ast.StringTerm("template")).Value.(ast.Object).Get(ast.StringTerm("metadata")).Value.(ast.Object).Get(ast.StringTerm("labels"))
	if want := ast.MustParseTerm(`{"app": "web", "build": {"id": 1}}`); labels == nil || !labels.Equal(want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}

// With user policies, or a policy that reads values whole, there is no
// projection.
func TestNoProjectionForUserPoliciesOrWholeReaders(t *testing.T) {
	dir := t.TempDir()
	policy := `# METADATA
# title: Images
# description: A user rule that reads container images.
# custom:
#   id: IMG-1
#   family: custom
#   severity: low
#   remediation: none
#   modes: [manifest, cluster]
package custom.images

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	some x in ps.containers
	x.c.image == "web:1"
	f := result.finding(ps.obj, "", "image web:1", {})
}
`
	if err := os.WriteFile(filepath.Join(dir, "images.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := Load(LoadOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if p := cat.Projection(); p != nil {
		t.Fatalf("projection with user policies: %v", p.fields)
	}
	e, err := NewEngine(context.Background(), cat, []*Rule{cat.Rule("IMG-1")})
	if err != nil {
		t.Fatal(err)
	}
	inv := scanner.Build([]scanner.RawObject{{Value: map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "namespace": "ns"},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "web:1"}}}}}},
		scanner.BuildOptions{Mode: scanner.ModeCluster})
	fs, err := e.Evaluate(context.Background(), inv, fixtureParams, EvalOptions{Cluster: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].RuleID != "IMG-1" || fs[0].Object.Name != "p" {
		t.Errorf("a user policy reading an image no built-in policy names: %+v", fs)
	}
	walker := map[string]*ast.Module{"w.rego": ast.MustParseModuleWithOpts("package x\n\nn := count([p | walk(input, [p, _])])\n", ast.ParserOptions{RegoVersion: ast.RegoV1})}
	if !readsWhole(walker) {
		t.Error("a module that calls walk does not read values whole")
	}
	if readsWhole(map[string]*ast.Module{"k.rego": ast.MustParseModuleWithOpts("package x\n\nn := object.get(input, \"a\", 1)\n", ast.ParserOptions{RegoVersion: ast.RegoV1})}) {
		t.Error("object.get reads values whole")
	}
}

// TestProjectionKeepsAccessAnswers: the conclusions `sascan access`
// answers from (every binding's capabilities and tier, every account's
// tier, every token holder) are the same over projected and whole objects,
// for the fixtures and a generated dump of each profile.
func TestProjectionKeepsAccessAnswers(t *testing.T) {
	cat, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proj := cat.Projection()
	if proj == nil {
		t.Fatal("the built-in catalogue has no projection")
	}
	paths, _ := filepath.Glob("../testdata/rules/*")
	for _, p := range gen.Profiles {
		file := filepath.Join(t.TempDir(), string(p)+".yaml")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := gen.WriteProfile(f, p, 2000, 11); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, file)
	}
	caps, holders := 0, 0
	for _, p := range paths {
		answer := func(proj *Projection, unshared bool) *Access {
			inv := loadInventory(t, scanner.ModeManifest, p)
			input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: proj, Unshared: unshared})
			if err != nil {
				t.Fatal(err)
			}
			a, err := EvaluateAccess(context.Background(), cat, input)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		want, got := answer(nil, true), answer(proj, false)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: access answers differ (-whole objects +projected):\n%s", p, diff)
		}
		for _, c := range want.Capabilities {
			caps += len(c)
		}
		for _, h := range want.Holders {
			holders += len(h)
		}
	}
	if caps < 1000 || holders < 500 {
		t.Fatalf("only %d capabilities and %d token holders compared: the comparison proves little", caps, holders)
	}
}
