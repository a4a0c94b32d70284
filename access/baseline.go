package access

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
)

// baselineGroups are the groups whose bootstrap grants every
// ServiceAccount holds: all authenticated users, all ServiceAccounts, and
// what even anonymous requests may do.
var baselineGroups = map[string]bool{Authenticated: true, AllServiceAccounts: true, "system:unauthenticated": true}

// Bootstrap is an RBAC bootstrap policy: the ClusterRoles and
// ClusterRoleBindings kube-apiserver creates at start-up.
type Bootstrap struct {
	roles    map[string][]Rule // by ClusterRole name
	bindings map[string]bootstrapBinding
}

type bootstrapBinding struct {
	role   string
	groups []string
}

// NewBootstrap reads a bootstrap policy's objects (ClusterRoles and
// ClusterRoleBindings as maps; other kinds are ignored).
func NewBootstrap(objs []map[string]any) *Bootstrap {
	b := &Bootstrap{roles: map[string][]Rule{}, bindings: map[string]bootstrapBinding{}}
	for _, o := range objs {
		md, _ := o["metadata"].(map[string]any)
		name, _ := md["name"].(string)
		switch o["kind"] {
		case "ClusterRole":
			b.roles[name] = rulesOf(o["rules"])
		case "ClusterRoleBinding":
			ref, _ := o["roleRef"].(map[string]any)
			role, _ := ref["name"].(string)
			bb := bootstrapBinding{role: role}
			subjects, _ := o["subjects"].([]any)
			for _, s := range subjects {
				sm, _ := s.(map[string]any)
				if sm["kind"] == "Group" {
					g, _ := sm["name"].(string)
					bb.groups = append(bb.groups, g)
				}
			}
			b.bindings[name] = bb
		}
	}
	return b
}

// baseline is what the bootstrap policy grants the baseline groups.
func (b *Bootstrap) baseline() []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, bb := range b.bindings {
		for _, g := range bb.groups {
			if baselineGroups[g] && !seen[bb.role] {
				seen[bb.role] = true
				out = append(out, b.roles[bb.role]...)
			}
		}
	}
	return out
}

// beyond returns the rules of rules that the baseline does not cover, by
// Kubernetes' own coverage check (the one its escalation prevention uses).
func beyond(baseline, rules []Rule) []Rule {
	owner := policyRules(baseline)
	var out []Rule
	for _, r := range rules {
		if ok, _ := validation.Covers(owner, policyRules([]Rule{r})); !ok {
			out = append(out, r)
		}
	}
	return out
}

func policyRules(rules []Rule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = rbacv1.PolicyRule{APIGroups: r.APIGroups, Resources: r.Resources, Verbs: r.Verbs, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}
