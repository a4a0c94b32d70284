package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/scanner"
)

func build(t *testing.T, compute bool, objs ...map[string]any) *Model {
	t.Helper()
	raws := make([]scanner.RawObject, len(objs))
	for i, o := range objs {
		raws[i] = scanner.RawObject{Value: o}
	}
	mode := scanner.ModeManifest
	if !compute {
		mode = scanner.ModeCluster
	}
	return Build(scanner.Build(raws, scanner.BuildOptions{Mode: mode}), Options{ComputeAggregation: compute})
}

// invOf is the manifest inventory of objs.
func invOf(objs []map[string]any) *scanner.Inventory {
	raws := make([]scanner.RawObject, len(objs))
	for i, o := range objs {
		raws[i] = scanner.RawObject{Value: o}
	}
	return scanner.Build(raws, scanner.BuildOptions{Mode: scanner.ModeManifest})
}

func sa(ns, name string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": name, "namespace": ns}}
}

func clusterRole(name string, labels map[string]any, rules ...map[string]any) map[string]any {
	md := map[string]any{"name": name}
	if labels != nil {
		md["labels"] = labels
	}
	rs := []any{}
	for _, r := range rules {
		rs = append(rs, r)
	}
	return map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": md, "rules": rs}
}

func aggregatedRole(name string, labels map[string]any, selectors ...map[string]any) map[string]any {
	r := clusterRole(name, labels)
	sels := []any{}
	for _, s := range selectors {
		sels = append(sels, s)
	}
	r["aggregationRule"] = map[string]any{"clusterRoleSelectors": sels}
	return r
}

func rule(groups, resources, verbs []any) map[string]any {
	return map[string]any{"apiGroups": groups, "resources": resources, "verbs": verbs}
}

func binding(kind, ns, name, roleKind, role string, subjects ...map[string]any) map[string]any {
	md := map[string]any{"name": name}
	if ns != "" {
		md["namespace"] = ns
	}
	ss := []any{}
	for _, s := range subjects {
		ss = append(ss, s)
	}
	return map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": md,
		"roleRef":  map[string]any{"apiGroup": Group, "kind": roleKind, "name": role},
		"subjects": ss,
	}
}

func subject(kind, name, ns string) map[string]any {
	s := map[string]any{"kind": kind, "name": name}
	if ns != "" {
		s["namespace"] = ns
	}
	return s
}

// grantNames lists "<binding>#<subject index>" for each grant.
func grantNames(gs []Grant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Binding.Name+"#"+string(rune('0'+g.Subject)))
	}
	return out
}

func TestSubjectsMatchAsTheAuthorizerDoes(t *testing.T) {
	m := build(t, true,
		sa("web", "app"),
		// A RoleBinding's ServiceAccount subject defaults to its namespace.
		binding("RoleBinding", "web", "rb-default-ns", "ClusterRole", "view", subject("ServiceAccount", "app", "")),
		// A ClusterRoleBinding's ServiceAccount subject without a namespace names nobody.
		binding("ClusterRoleBinding", "", "crb-no-ns", "ClusterRole", "view", subject("ServiceAccount", "app", "")),
		// A User subject spelled as the ServiceAccount's username is that account.
		binding("RoleBinding", "other", "rb-user", "ClusterRole", "view", subject("User", "system:serviceaccount:web:app", "")),
		// Groups: all ServiceAccounts, the namespace's, all authenticated; not another namespace's.
		binding("ClusterRoleBinding", "", "crb-groups", "ClusterRole", "view",
			subject("Group", "system:serviceaccounts", ""), subject("Group", "system:serviceaccounts:other", ""),
			subject("Group", "system:authenticated", ""), subject("Group", "system:serviceaccounts:web", "")),
		// Names differ only in case: no match (exact, case-sensitive).
		binding("RoleBinding", "web", "rb-case", "ClusterRole", "view", subject("ServiceAccount", "App", "")),
	)
	got := grantNames(m.GrantsTo(ServiceAccount("web", "app")))
	want := []string{"rb-default-ns#0", "rb-user#0", "crb-groups#0", "crb-groups#3", "crb-groups#2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"other/default", "web/App", "web/app", "web/default"}, m.ServiceAccounts); diff != "" {
		t.Errorf("service accounts (-want +got):\n%s", diff)
	}
}

func TestAggregationIsTransitiveAndOverwritesOwnRules(t *testing.T) {
	secrets := rule([]any{""}, []any{"secrets"}, []any{"get"})
	nodes := rule([]any{""}, []any{"nodes"}, []any{"get"})
	top := aggregatedRole("top", nil, map[string]any{"matchLabels": map[string]any{"to-top": "true"}})
	top["rules"] = []any{nodes} // overwritten by the controller
	objs := []map[string]any{
		top,
		aggregatedRole("mid", map[string]any{"to-top": "true"}, map[string]any{"matchLabels": map[string]any{"to-mid": "true"}}),
		clusterRole("leaf", map[string]any{"to-mid": "true", "to-top": "false"}, secrets),
		// A cycle back to top converges.
		aggregatedRole("cyc", map[string]any{"to-mid": "true"}, map[string]any{"matchLabels": map[string]any{"to-top": "true"}}),
		// matchExpressions with the API's semantics.
		aggregatedRole("expr", nil, map[string]any{"matchExpressions": []any{
			map[string]any{"key": "to-mid", "operator": "In", "values": []any{"true"}},
			map[string]any{"key": "to-top", "operator": "NotIn", "values": []any{"true"}},
		}}),
	}
	m := build(t, true, objs...)
	want := []Rule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: []string{}, NonResourceURLs: []string{}}}
	for _, name := range []string{"top", "mid", "cyc", "expr"} {
		if diff := cmp.Diff(want, m.Roles["ClusterRole/"+name].Rules); diff != "" {
			t.Errorf("%s rules (-want +got):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff([]string{"cyc", "leaf"}, m.Roles["ClusterRole/expr"].Selects); diff != "" {
		t.Errorf("expr selects (-want +got):\n%s", diff)
	}
	// A live cluster's aggregated roles hold what the controller wrote.
	live := build(t, false, objs...)
	if diff := cmp.Diff([]Rule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get"}, ResourceNames: []string{}, NonResourceURLs: []string{}}}, live.Roles["ClusterRole/top"].Rules); diff != "" {
		t.Errorf("live top rules (-want +got):\n%s", diff)
	}
}

func TestRuleMatching(t *testing.T) {
	r := func(groups, resources, verbs, names []string) Rule {
		return Rule{APIGroups: groups, Resources: resources, Verbs: verbs, ResourceNames: names}
	}
	core := []string{""}
	tests := []struct {
		name string
		rule Rule
		a    Attributes
		want bool
	}{
		{"exact", r(core, []string{"pods"}, []string{"get"}, nil), Attributes{Verb: "get", Resource: "pods"}, true},
		{"pods does not cover pods/exec", r(core, []string{"pods"}, []string{"create"}, nil), Attributes{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"pods/* is a literal", r(core, []string{"pods/*"}, []string{"create"}, nil), Attributes{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"*/exec covers pods/exec", r(core, []string{"*/exec"}, []string{"create"}, nil), Attributes{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"*/exec does not cover pods", r(core, []string{"*/exec"}, []string{"create"}, nil), Attributes{Verb: "create", Resource: "pods"}, false},
		{"* covers subresources", r(core, []string{"*"}, []string{"create"}, nil), Attributes{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"group must match", r([]string{"apps"}, []string{"pods"}, []string{"get"}, nil), Attributes{Verb: "get", Resource: "pods"}, false},
		{"wildcard group and verb", r([]string{"*"}, []string{"deployments"}, []string{"*"}, nil), Attributes{Verb: "patch", Group: "apps", Resource: "deployments"}, true},
		{"resourceNames narrow", r(core, []string{"secrets"}, []string{"get"}, []string{"one"}), Attributes{Verb: "get", Resource: "secrets", Name: "two"}, false},
		{"resourceNames allow the name", r(core, []string{"secrets"}, []string{"get"}, []string{"one"}), Attributes{Verb: "get", Resource: "secrets", Name: "one"}, true},
		{"resourceNames and no name", r(core, []string{"secrets"}, []string{"list"}, []string{"one"}), Attributes{Verb: "list", Resource: "secrets"}, false},
		{"non-resource exact", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, Attributes{Verb: "get", Path: "/healthz"}, true},
		{"non-resource prefix", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/apis/*"}}, Attributes{Verb: "get", Path: "/apis/apps/v1"}, true},
		{"non-resource other", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, Attributes{Verb: "get", Path: "/livez"}, false},
		{"resource rule on a path", r([]string{"*"}, []string{"*"}, []string{"*"}, nil), Attributes{Verb: "get", Path: "/healthz"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rule.Allows(tc.a); got != tc.want {
				t.Errorf("Allows(%+v) = %v, want %v", tc.a, got, tc.want)
			}
		})
	}
}

func TestBindingScope(t *testing.T) {
	m := build(t, true,
		clusterRole("np", nil, rule([]any{""}, []any{"nodes/proxy", "pods"}, []any{"get"}), map[string]any{"verbs": []any{"get"}, "nonResourceURLs": []any{"/metrics"}}),
		binding("RoleBinding", "obs", "rb", "ClusterRole", "np", subject("ServiceAccount", "mon", "")),
	)
	u := ServiceAccount("obs", "mon")
	for _, tc := range []struct {
		a    Attributes
		want int
	}{
		{Attributes{Verb: "get", Resource: "pods", Namespace: "obs"}, 1},
		{Attributes{Verb: "get", Resource: "pods", Namespace: "web"}, 0},
		// A RoleBinding grants nothing cluster-wide, nor non-resource URLs.
		{Attributes{Verb: "get", Resource: "nodes", Subresource: "proxy"}, 0},
		{Attributes{Verb: "get", Path: "/metrics"}, 0},
	} {
		if got := len(m.Allows(u, tc.a)); got != tc.want {
			t.Errorf("Allows(%+v): %d grants, want %d", tc.a, got, tc.want)
		}
	}
}

func TestServiceAccountGroups(t *testing.T) {
	for g, want := range map[string]bool{
		"system:serviceaccounts": true, "system:authenticated": true, "system:serviceaccounts:web": true,
		"system:serviceaccounts:": false, "system:serviceaccounts:a:b": false, "system:unauthenticated": false, "system:masters": false,
	} {
		if got := IsServiceAccountGroup(g); got != want {
			t.Errorf("IsServiceAccountGroup(%q) = %v, want %v", g, got, want)
		}
	}
}
