package rules

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// TestRuleTermsShared: equal lists of RBAC rules, and equal rules in
// different lists, are one term; a list of one rule is an array holding
// the rule's object, whichever came first; any difference in any field
// (including where a string ends) gives another term.
func TestRuleTermsShared(t *testing.T) {
	read := access.Rule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}
	write := access.Rule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create"}}
	c := newRuleTerms()
	one := c.list([]access.Rule{read})
	two := c.list([]access.Rule{read, write})
	if _, ok := one.Value.(*ast.Array); !ok {
		t.Fatalf("a list of one rule is %T, want an array", one.Value)
	}
	if again := c.list([]access.Rule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}}); again != one {
		t.Error("an equal list of one rule is another term")
	}
	if c.list([]access.Rule{read, write}) != two {
		t.Error("an equal list of two rules is another term")
	}
	if one.Value.(*ast.Array).Elem(0) != two.Value.(*ast.Array).Elem(0) {
		t.Error("the same rule in two lists is two terms")
	}
	if want := rulesValue(t, []access.Rule{read, write}); two.Value.Compare(want) != 0 {
		t.Errorf("list = %v, want %v", two, want)
	}
	for _, other := range []access.Rule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"getlist"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}, ResourceNames: []string{"a"}},
		{APIGroups: []string{"", "pods"}, Verbs: []string{"get", "list"}},
	} {
		if got := c.list([]access.Rule{other}); got == one || got.Value.Compare(one.Value) == 0 {
			t.Errorf("%+v: the term of %+v", other, read)
		}
	}
	if empty := c.list(nil); empty.Value.Compare(ast.NewArray()) != 0 {
		t.Errorf("no rules: %v", empty)
	}
}

func rulesValue(t *testing.T, rules []access.Rule) ast.Value {
	t.Helper()
	ts := make([]*ast.Term, len(rules))
	for i, r := range rules {
		ts[i] = ruleTerm(r)
	}
	return ast.NewArray(ts...)
}

// TestHostTermShared: pod specs that reach nothing of their node share one
// term; any reach gives a term of its own with it.
func TestHostTermShared(t *testing.T) {
	if hostTerm(access.Host{}) != hostTerm(access.Host{}) {
		t.Error("two pod specs that reach nothing have two host terms")
	}
	if got := hostTerm(access.Host{}).Value.String(); got != `{"capabilities": [], "hostPath": false, "namespaces": [], "privileged": false}` {
		t.Errorf("nothing reached: %s", got)
	}
	for _, h := range []access.Host{{Privileged: true}, {Path: true}, {Namespaces: []string{"hostPID"}}, {Capabilities: []string{"SYS_ADMIN"}}} {
		if got := hostTerm(h); got == noHost || got.Value.Compare(noHost.Value) == 0 {
			t.Errorf("%+v: the term of nothing reached", h)
		}
	}
}

// TestExposureTermShared: pod specs no Service selects share one term;
// each Service that does is {service, type, ingresses}.
func TestExposureTermShared(t *testing.T) {
	if exposureTerm(nil) != exposureTerm([]access.Exposure{}) {
		t.Error("two pod specs no Service selects have two exposure terms")
	}
	got := exposureTerm([]access.Exposure{{Service: "web", Type: "NodePort", Ingresses: []string{"www"}}, {Service: "api"}}).Value.String()
	if want := `[{"ingresses": ["www"], "service": "web", "type": "NodePort"}, {"ingresses": [], "service": "api", "type": ""}]`; got != want {
		t.Errorf("exposure = %s, want %s", got, want)
	}
}

// TestHeldTokens: the accounts whose token a running pod spec holds or a
// token Secret names; a static pod and a pod that mounts no token hold
// none.
func TestHeldTokens(t *testing.T) {
	pod := func(name, sa string, labels map[string]any, automount bool) scanner.RawObject {
		return scanner.RawObject{Value: map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": name, "namespace": "kube-system", "labels": labels},
			"spec":     map[string]any{"serviceAccountName": sa, "automountServiceAccountToken": automount, "containers": []any{map[string]any{"name": "c"}}}}}
	}
	inv := scanner.Build([]scanner.RawObject{
		pod("runs", "runner", nil, true),
		pod("kube-apiserver-node", "static", map[string]any{"tier": "control-plane", "component": "kube-apiserver"}, true),
		pod("no-token", "quiet", nil, false),
		{Value: map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
			"metadata": map[string]any{"name": "t", "namespace": "ops", "annotations": map[string]any{"kubernetes.io/service-account.name": "legacy"}}}},
		{Value: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "idle", "namespace": "ops"}}},
	}, scanner.BuildOptions{Mode: scanner.ModeManifest})
	held := accessTerm(access.Build(inv, access.Options{})).Get(ast.StringTerm("heldTokens"))
	if want := `{"kube-system/runner": true, "ops/legacy": true}`; held == nil || held.Value.String() != want {
		t.Errorf("heldTokens = %v, want %s", held, want)
	}
}

// TestKeyIndex: objects by kind, group and "namespace/name" ("/name" when
// cluster-scoped); the last definition of an identity only, and kinds of
// other groups apart; the implicit default ServiceAccount of a namespace
// (id 5) is there too.
func TestKeyIndex(t *testing.T) {
	obj := func(apiVersion, kind, ns, name string) scanner.RawObject {
		md := map[string]any{"name": name}
		if ns != "" {
			md["namespace"] = ns
		}
		return scanner.RawObject{Value: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": md}}
	}
	inv := scanner.Build([]scanner.RawObject{
		obj("v1", "ServiceAccount", "a", "x"),
		obj("rbac.authorization.k8s.io/v1", "Role", "a", "r"),
		obj("v1", "ServiceAccount", "a", "x"),
		obj("example.com/v1", "Role", "a", "r"),
		obj("rbac.authorization.k8s.io/v1", "ClusterRole", "", "admin"),
	}, scanner.BuildOptions{Mode: scanner.ModeManifest})
	objs := make([]*ast.Term, len(inv.Objects))
	for i := range objs {
		objs[i] = ast.InternedTerm(i)
	}
	got := keyIndex(inv, objs).Value.String()
	want := `{"ClusterRole": {"rbac.authorization.k8s.io": {"/admin": 4}}, "Role": {"example.com": {"a/r": 3}, "rbac.authorization.k8s.io": {"a/r": 1}}, "ServiceAccount": {"": {"a/default": 5, "a/x": 2}}}`
	if got != want {
		t.Errorf("index = %s, want %s", got, want)
	}
}
