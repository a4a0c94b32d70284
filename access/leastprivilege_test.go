package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLeastPrivilege(t *testing.T) {
	baseline := []Rule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/version", "/api", "/api/*"}}}
	reqs := []Attributes{
		{Verb: "list", Resource: "pods", Namespace: "web"},
		{Verb: "get", Resource: "pods", Namespace: "web", Name: "p"},
		{Verb: "get", Resource: "configmaps", Namespace: "web", Name: "c"},
		{Verb: "list", Resource: "configmaps", Namespace: "web"},
		{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "web", Name: "p"},
		{Verb: "patch", Group: "apps", Resource: "deployments", Namespace: "web", Name: "d"},
		{Verb: "get", Group: "apps", Resource: "deployments", Namespace: "ops"},
		{Verb: "list", Resource: "nodes"},
		{Verb: "watch", Resource: "pods"},
		{Verb: "get", Path: "/metrics"},
		{Verb: "get", Path: "/version"}, // the baseline allows it
	}
	want := []GeneratedRole{
		{Kind: "ClusterRole", Rules: []Rule{
			{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}},
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"watch"}},
			{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}},
		}},
		{Kind: "Role", Namespace: "ops", Rules: []Rule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get"}}}},
		{Kind: "Role", Namespace: "web", Rules: []Rule{
			{APIGroups: []string{""}, Resources: []string{"configmaps", "pods"}, Verbs: []string{"get", "list"}},
			{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"patch"}},
		}},
	}
	got := LeastPrivilege(reqs, baseline)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Each request is allowed by the generated roles, and in its scope only.
	for _, a := range reqs[:10] {
		allowed := false
		for _, r := range got {
			b := &Binding{Scope: "*", Role: &Role{Rules: r.Rules}}
			if r.Kind == "Role" {
				b.Scope = r.Namespace
			}
			allowed = allowed || len(b.AllowingRules(a)) > 0
		}
		if !allowed {
			t.Errorf("%+v is not allowed by the generated roles", a)
		}
	}
	if len(LeastPrivilege(reqs[10:], baseline)) != 0 {
		t.Errorf("baseline requests need no role")
	}
}
