package access

import (
	"slices"
	"sort"
	"strings"
)

// GeneratedRole is a role that allows exactly a set of requests, at RBAC's
// granularity: a Role per namespace for namespaced requests, a ClusterRole
// for requests across namespaces, of cluster-scoped resources and of
// non-resource URLs. Names are not narrowed (resourceNames): a list,
// watch or create request names no object.
type GeneratedRole struct {
	Kind      string // Role or ClusterRole
	Namespace string // a Role's
	Rules     []Rule
}

// LeastPrivilege returns the roles that allow requests and nothing else,
// leaving out the requests the baseline already allows (discovery, what
// every authenticated user holds). Rules are merged where the API group
// and verbs agree; the output is sorted (ClusterRole first, then Roles by
// namespace) and does not depend on the order of requests.
func LeastPrivilege(requests []Attributes, baseline []Rule) []GeneratedRole {
	type scope struct{ kind, ns string }
	type target struct{ group, resource string }
	verbs := map[scope]map[target]map[string]bool{}
	paths := map[string]map[string]bool{} // path -> verbs
	for _, a := range requests {
		if coveredBy(baseline, a) {
			continue
		}
		if !a.ResourceRequest() {
			if paths[a.Path] == nil {
				paths[a.Path] = map[string]bool{}
			}
			paths[a.Path][a.Verb] = true
			continue
		}
		s := scope{"ClusterRole", ""}
		if a.Namespace != "" {
			s = scope{"Role", a.Namespace}
		}
		res := a.Resource
		if a.Subresource != "" {
			res += "/" + a.Subresource
		}
		if verbs[s] == nil {
			verbs[s] = map[target]map[string]bool{}
		}
		t := target{a.Group, res}
		if verbs[s][t] == nil {
			verbs[s][t] = map[string]bool{}
		}
		verbs[s][t][a.Verb] = true
	}
	var out []GeneratedRole
	scopes := make([]scope, 0, len(verbs))
	for s := range verbs {
		scopes = append(scopes, s)
	}
	if len(paths) > 0 {
		if _, ok := verbs[scope{"ClusterRole", ""}]; !ok {
			scopes = append(scopes, scope{"ClusterRole", ""})
		}
	}
	sort.Slice(scopes, func(i, j int) bool {
		if scopes[i].kind != scopes[j].kind {
			return scopes[i].kind == "ClusterRole"
		}
		return scopes[i].ns < scopes[j].ns
	})
	for _, s := range scopes {
		// Resources of one group with the same verbs share a rule.
		merged := map[string][]string{} // group + "\x00" + verbs -> resources
		for t, vs := range verbs[s] {
			k := t.group + "\x00" + strings.Join(sortedSet(vs), ",")
			merged[k] = append(merged[k], t.resource)
		}
		var rules []Rule
		for k, res := range merged {
			group, vs, _ := strings.Cut(k, "\x00")
			slices.Sort(res)
			rules = append(rules, Rule{APIGroups: []string{group}, Resources: res, Verbs: strings.Split(vs, ",")})
		}
		sort.Slice(rules, func(i, j int) bool {
			a, b := rules[i], rules[j]
			if a.APIGroups[0] != b.APIGroups[0] {
				return a.APIGroups[0] < b.APIGroups[0]
			}
			return a.Resources[0] < b.Resources[0]
		})
		if s.kind == "ClusterRole" {
			byVerbs := map[string][]string{}
			for p, vs := range paths {
				k := strings.Join(sortedSet(vs), ",")
				byVerbs[k] = append(byVerbs[k], p)
			}
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range byVerbs {
					if !yield(k) {
						return
					}
				}
			}) {
				ps := byVerbs[k]
				slices.Sort(ps)
				rules = append(rules, Rule{NonResourceURLs: ps, Verbs: strings.Split(k, ",")})
			}
		}
		out = append(out, GeneratedRole{Kind: s.kind, Namespace: s.ns, Rules: rules})
	}
	return out
}

func coveredBy(rules []Rule, a Attributes) bool {
	for i := range rules {
		if rules[i].Allows(a) {
			return true
		}
	}
	return false
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
