package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Uses: which rules of which binding allowed an account's requests, and
// how many requests; a binding that names the account twice (by name and
// by its namespace's group) counts its requests once, and a binding in
// another namespace, which allows none of them, is left out. DirectUses:
// the same of the bindings that name the account itself.
func TestUses(t *testing.T) {
	m := Build(invOf([]map[string]any{
		sa("app", "web"),
		clusterRole("reader", nil,
			rule([]any{""}, []any{"pods"}, []any{"get", "list"}),
			rule([]any{""}, []any{"secrets"}, []any{"get"}),
			rule([]any{"apps"}, []any{"deployments"}, []any{"get"})),
		binding("RoleBinding", "app", "twice", "ClusterRole", "reader",
			subject("ServiceAccount", "web", "app"), subject("Group", "system:serviceaccounts:app", "")),
		binding("ClusterRoleBinding", "", "authenticated", "ClusterRole", "reader", subject("Group", "system:authenticated", "")),
		binding("RoleBinding", "other", "elsewhere", "ClusterRole", "reader", subject("ServiceAccount", "web", "app")),
	}), Options{})
	attrs := []Attributes{
		{Verb: "get", Resource: "pods", Namespace: "app"},
		{Verb: "list", Resource: "pods", Namespace: "app"},
		{Verb: "get", Resource: "secrets", Namespace: "app"},
		{Verb: "delete", Resource: "pods", Namespace: "app"},
	}
	counts := []int64{3, 4, 5, 100}
	type use struct {
		Binding  string
		Rules    []int
		Requests int64
	}
	var got []use
	for _, u := range m.Uses(ServiceAccount("app", "web"), attrs, counts) {
		got = append(got, use{u.Binding.Kind + " " + u.Binding.Namespace + "/" + u.Binding.Name, u.Rules, u.Requests})
	}
	want := []use{
		{"RoleBinding app/twice", []int{0, 1}, 12},
		{"ClusterRoleBinding /authenticated", []int{0, 1}, 12},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uses (-want +got):\n%s", diff)
	}
	// DirectUses leaves out what only a group's binding allowed.
	got = nil
	for _, u := range m.DirectUses(ServiceAccount("app", "web"), attrs, counts) {
		got = append(got, use{u.Binding.Kind + " " + u.Binding.Namespace + "/" + u.Binding.Name, u.Rules, u.Requests})
	}
	if diff := cmp.Diff(want[:1], got); diff != "" {
		t.Errorf("direct uses (-want +got):\n%s", diff)
	}
}
