package access

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"

	"github.com/sascan/sascan/internal/spread"
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

// covered reports whether the owner rules cover r, by Kubernetes' own
// coverage check (the one its escalation prevention uses).
func covered(owner []rbacv1.PolicyRule, r Rule) bool {
	ok, _ := validation.Covers(owner, policyRules([]Rule{r}))
	return ok
}

// beyondBaseline sets each role's BeyondBaseline: the rules of its Rules
// that the baseline does not cover (covered). Roles repeat rules (one
// role per namespace, the same rules in each): each distinct rule is
// checked once, the checks spread over the CPUs.
func beyondBaseline(baseline []Rule, roles map[string]*Role) {
	owner := policyRules(baseline)
	index := map[string]int{}        // a rule's key: its index in distinct
	ruleIndexes := map[*Role][]int{} // each role's rules: their indexes in distinct
	var distinct []Rule
	for _, role := range roles {
		for _, r := range role.Rules {
			k := ruleKey(r)
			i, ok := index[k]
			if !ok {
				i = len(distinct)
				index[k] = i
				distinct = append(distinct, r)
			}
			ruleIndexes[role] = append(ruleIndexes[role], i)
		}
	}
	isCovered := make([]bool, len(distinct))
	spread.Each(len(distinct), func(i int) { isCovered[i] = covered(owner, distinct[i]) })
	for _, role := range roles {
		role.BeyondBaseline = nil
		for j, i := range ruleIndexes[role] {
			if !isCovered[i] {
				role.BeyondBaseline = append(role.BeyondBaseline, role.Rules[j])
			}
		}
	}
}

// ruleKey is a key of r's content: equal keys, equal rules.
func ruleKey(r Rule) string {
	return string(r.AppendKey(nil))
}

func policyRules(rules []Rule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = rbacv1.PolicyRule{APIGroups: r.APIGroups, Resources: r.Resources, Verbs: r.Verbs, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}
