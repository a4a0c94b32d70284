package access

import (
	"sort"
	"strings"
)

// Attributes are the parts of a request RBAC decides on, as in a
// SubjectAccessReview: a resource request (Resource set) or a non-resource
// one (Path set).
type Attributes struct {
	Verb        string
	Group       string
	Resource    string
	Subresource string
	Name        string
	Namespace   string // "" for a cluster-wide request
	Path        string // non-resource URL
}

// ResourceRequest reports whether a is about a resource.
func (a Attributes) ResourceRequest() bool { return a.Path == "" }

// Allows returns the grants that allow u to make request a, the way the
// API server's RBAC authorizer decides: every ClusterRoleBinding, and the
// RoleBindings of the request's namespace, whose subjects match u and
// whose role has a rule that covers the request. None means RBAC denies.
func (m *Model) Allows(u User, a Attributes) []Grant {
	var out []Grant
	for _, g := range m.GrantsTo(u) {
		if g.Binding.Allows(a) {
			out = append(out, g)
		}
	}
	return out
}

// Allows reports whether the binding's role covers request a in the
// binding's scope (its subjects aside).
func (b *Binding) Allows(a Attributes) bool {
	if b.Role == nil {
		return false
	}
	if b.Scope != "*" && (a.Namespace != b.Scope || !a.ResourceRequest()) {
		return false
	}
	for i := range b.Role.Rules {
		if b.Role.Rules[i].Allows(a) {
			return true
		}
	}
	return false
}

// Allows is the API server's rule match: verbs and API groups exactly or
// "*"; resources exactly, "*", or "*/<subresource>" (so "pods" does not
// cover "pods/exec" and "pods/*" is a literal); resourceNames, when set,
// must name the object; non-resource URLs exactly or by a trailing "*".
func (r *Rule) Allows(a Attributes) bool {
	if !has(r.Verbs, a.Verb) {
		return false
	}
	if !a.ResourceRequest() {
		for _, u := range r.NonResourceURLs {
			if u == "*" || u == a.Path || (strings.HasSuffix(u, "*") && strings.HasPrefix(a.Path, strings.TrimRight(u, "*"))) {
				return true
			}
		}
		return false
	}
	if !has(r.APIGroups, a.Group) {
		return false
	}
	combined := a.Resource
	if a.Subresource != "" {
		combined += "/" + a.Subresource
	}
	matched := false
	for _, res := range r.Resources {
		if res == "*" || res == combined ||
			(a.Subresource != "" && len(res) == len(a.Subresource)+2 && strings.HasPrefix(res, "*/") && strings.HasSuffix(res, a.Subresource)) {
			matched = true
			break
		}
	}
	if !matched {
		return false
	}
	if len(r.ResourceNames) == 0 {
		return true
	}
	for _, n := range r.ResourceNames {
		if n == a.Name {
			return true
		}
	}
	return false
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == "*" || x == v {
			return true
		}
	}
	return false
}

// Subjects that can: WhoCan lists the grants whose binding allows request
// a, over every binding (the subjects are the grants' own).
func (m *Model) WhoCan(a Attributes) []Grant {
	var out []Grant
	for _, b := range m.Bindings {
		if !b.Allows(a) {
			continue
		}
		for i := range b.Subjects {
			out = append(out, Grant{Binding: b, Subject: i})
		}
	}
	return out
}

// BindingUse is what a user's requests made of one binding that grants
// the user something: the indexes of the binding's role rules that
// allowed them, sorted, and how many requests those were.
type BindingUse struct {
	Binding  *Binding
	Rules    []int
	Requests int64
}

// Uses lists, for each binding that grants u something and allowed at
// least one of its requests (counts[i] requests of attrs[i]), which rules
// allowed them; by binding object id. A binding that names u twice (by
// name and by group) counts once.
func (m *Model) Uses(u User, attrs []Attributes, counts []int64) []BindingUse {
	return uses(m.GrantsTo(u), attrs, counts)
}

// DirectUses is Uses of the bindings that name u itself (as a
// ServiceAccount subject or by its username), not through a group: what
// a group's binding allowed is the group's, not copied to each member.
func (m *Model) DirectUses(u User, attrs []Attributes, counts []int64) []BindingUse {
	return uses(m.byUser[u.Name], attrs, counts)
}

func uses(grants []Grant, attrs []Attributes, counts []int64) []BindingUse {
	var out []BindingUse
	seen := map[*Binding]bool{}
	for _, g := range grants {
		b := g.Binding
		if seen[b] {
			continue
		}
		seen[b] = true
		rules := map[int]bool{}
		var requests int64
		for i, a := range attrs {
			idx := b.AllowingRules(a)
			for _, x := range idx {
				rules[x] = true
			}
			if len(idx) > 0 {
				requests += counts[i]
			}
		}
		if len(rules) == 0 {
			continue
		}
		use := BindingUse{Binding: b, Requests: requests}
		for x := range rules {
			use.Rules = append(use.Rules, x)
		}
		sort.Ints(use.Rules)
		out = append(out, use)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Binding.Object < out[j].Binding.Object })
	return out
}

// AllowingRules lists the indexes of the binding's role rules that cover
// request a in the binding's scope; none when the binding does not allow
// it.
func (b *Binding) AllowingRules(a Attributes) []int {
	if b.Role == nil || (b.Scope != "*" && (a.Namespace != b.Scope || !a.ResourceRequest())) {
		return nil
	}
	var out []int
	for i := range b.Role.Rules {
		if b.Role.Rules[i].Allows(a) {
			out = append(out, i)
		}
	}
	return out
}
