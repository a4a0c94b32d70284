package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/access"
)

// accessTerm is the access model as the rules read it (input.access):
//
//	roles:           {roleKey: {object, rules, aggregated, selects, beyondBaseline}}
//	bindings:        {objectId: {role, known, scope, subjects: [{index, serviceAccount?, group?}], bootstrapGroups}}
//	direct:          {"ns/name": [[bindingId, subjectIndex]]}: grants naming a ServiceAccount
//	groups:          {group: [[bindingId, subjectIndex]]}: grants to ServiceAccount groups
//	serviceAccounts: ["ns/name"]: every ServiceAccount in scope, sorted
//	namespaces:      {ns: {serviceAccounts: n, tokenHolders: n, sample: ["ns/name"]}}: the accounts in
//	                 scope per namespace, and the workloads there that hold a token
//	tokenHolders:    the workloads that hold a ServiceAccount token
//	heldTokens:      {"ns/name": true}: the accounts whose token a pod spec
//	                 holds (shadowed copies included) or a token Secret names
//	sampleSize:      how many members a sample names
//	tokenGraph:      who acts as whom and where tokens sit, as a graph for
//	                 lib/paths (tokenGraphTerm)
//	tokenSources:    where tokens can be taken: [{serviceAccount, object, way}]
//	                 (tokenSourcesTerm)
//
// Rules appear once per role, never per binding or subject.
func accessTerm(m *access.Model) *ast.Term {
	roles := ast.NewObject()
	rules := newRuleTerms()
	for _, key := range sortedKeys(m.Roles) {
		r := m.Roles[key]
		roles.Insert(ast.StringTerm(key), ast.ObjectTerm(
			ast.Item(constTerm("object"), ast.InternedTerm(r.Object)),
			ast.Item(constTerm("rules"), rules.list(r.Rules)),
			ast.Item(constTerm("aggregated"), ast.InternedTerm(r.Aggregated)),
			ast.Item(constTerm("selects"), stringsTerm(r.Selects)),
			ast.Item(constTerm("beyondBaseline"), rules.list(r.BeyondBaseline)),
		))
	}
	bindings := ast.NewObject()
	direct := map[string][]*ast.Term{}
	groups := map[string][]*ast.Term{}
	for _, b := range m.Bindings {
		subjects := make([]*ast.Term, len(b.Subjects))
		for i, s := range b.Subjects {
			items := [][2]*ast.Term{ast.Item(constTerm("index"), ast.InternedTerm(i))}
			grant := ast.ArrayTerm(ast.InternedTerm(b.Object), ast.InternedTerm(i))
			if s.ServiceAccount != "" {
				items = append(items, ast.Item(constTerm("serviceAccount"), ast.StringTerm(s.ServiceAccount)))
				direct[s.ServiceAccount] = append(direct[s.ServiceAccount], grant)
			}
			if s.Group != "" && access.IsServiceAccountGroup(s.Group) {
				items = append(items, ast.Item(constTerm("group"), ast.StringTerm(s.Group)))
				groups[s.Group] = append(groups[s.Group], grant)
			}
			subjects[i] = ast.ObjectTerm(items...)
		}
		bindings.Insert(ast.InternedTerm(b.Object), ast.ObjectTerm(
			ast.Item(constTerm("role"), ast.StringTerm(b.RoleKey)),
			ast.Item(constTerm("known"), ast.InternedTerm(b.Role != nil)),
			ast.Item(constTerm("scope"), ast.StringTerm(b.Scope)),
			ast.Item(constTerm("subjects"), ast.ArrayTerm(subjects...)),
			ast.Item(constTerm("bootstrapGroups"), stringsTerm(b.BootstrapGroups)),
		))
	}
	accounts := make([]*ast.Term, len(m.ServiceAccounts))
	perNS := map[string][]string{}
	var nsOrder []string
	for i, k := range m.ServiceAccounts {
		accounts[i] = ast.StringTerm(k)
		ns, _, _ := strings.Cut(k, "/")
		if _, ok := perNS[ns]; !ok {
			nsOrder = append(nsOrder, ns)
		}
		perNS[ns] = append(perNS[ns], k)
	}
	holders := map[string]int{}
	total := 0
	// Each key is inserted once: replacing a key's value in an ast.Object
	// rehashes the whole object.
	heldKeys := map[string]bool{}
	for _, ps := range m.PodSpecs {
		if ps.HoldsToken() {
			holders[ps.Namespace]++
			total++
			heldKeys[ps.Key] = true
		}
	}
	for _, t := range m.TokenSecrets {
		heldKeys[t.ServiceAccount] = true
	}
	held := ast.NewObject()
	for _, k := range sortedKeys(heldKeys) {
		held.Insert(ast.StringTerm(k), ast.InternedTerm(true))
	}
	namespaces := ast.NewObject()
	for _, ns := range nsOrder {
		keys := perNS[ns]
		namespaces.Insert(ast.StringTerm(ns), ast.ObjectTerm(
			ast.Item(constTerm("serviceAccounts"), ast.InternedTerm(len(keys))),
			ast.Item(constTerm("tokenHolders"), ast.InternedTerm(holders[ns])),
			ast.Item(constTerm("sample"), stringsTerm(keys[:min(len(keys), SampleSize)])),
		))
	}
	return ast.ObjectTerm(
		ast.Item(constTerm("roles"), ast.NewTerm(roles)),
		ast.Item(constTerm("bindings"), ast.NewTerm(bindings)),
		ast.Item(constTerm("direct"), grantsObject(direct)),
		ast.Item(constTerm("groups"), grantsObject(groups)),
		ast.Item(constTerm("serviceAccounts"), ast.ArrayTerm(accounts...)),
		ast.Item(constTerm("namespaces"), ast.NewTerm(namespaces)),
		ast.Item(constTerm("sampleSize"), ast.InternedTerm(SampleSize)),
		ast.Item(constTerm("tokenHolders"), ast.InternedTerm(total)),
		ast.Item(constTerm("heldTokens"), ast.NewTerm(held)),
		ast.Item(constTerm("tokenGraph"), tokenGraphTerm(m)),
		ast.Item(constTerm("tokenSources"), tokenSourcesTerm(m)),
	)
}

// tokenGraphTerm is Kubernetes' part of the attack-path graph
// (policies/lib/paths.rego), successors by node:
//
//	sa:<ns>/<name>  -> group:<g> for each of its groups that a binding names,
//	                   binding:<id> for each binding that names it
//	group:<g>       -> binding:<id> for each binding that names the group
//	any:<ns>        -> sa:<key> for every ServiceAccount of the namespace
//	secret:<ns>     -> sa:<key> for each legacy token Secret there
//	exec:<ns>       -> sa:<key> for each workload there that holds a token
//	<pool>:*        -> <pool>:<ns> for every namespace that has one
//
// Pools hold only ServiceAccounts that exist (Model.Declared: a pod cannot
// run as a missing one, nor does the token controller fill a Secret for
// it) and workloads the cluster would run (not shadowed copies). What a
// binding's grant opens (binding -> pool) and which grants are sinks is the
// policies' decision; they add those edges.
func tokenGraphTerm(m *access.Model) *ast.Term {
	succ := map[string][]string{}
	add := func(from, to string) { succ[from] = append(succ[from], to) }
	grouped := map[string]bool{}
	for _, b := range m.Bindings {
		for _, s := range b.Subjects {
			node := fmt.Sprintf("binding:%d", b.Object)
			if s.ServiceAccount != "" {
				add("sa:"+s.ServiceAccount, node)
			}
			if s.Group != "" && access.IsServiceAccountGroup(s.Group) {
				add("group:"+s.Group, node)
				grouped[s.Group] = true
			}
		}
	}
	pool := func(kind, ns, key string) {
		p := kind + ":" + ns
		if _, ok := succ[p]; !ok {
			add(kind+":*", p)
		}
		add(p, "sa:"+key)
	}
	for _, k := range m.ServiceAccounts {
		ns, _, _ := strings.Cut(k, "/")
		for _, g := range []string{access.AllServiceAccounts, "system:serviceaccounts:" + ns, access.Authenticated} {
			if grouped[g] {
				add("sa:"+k, "group:"+g)
			}
		}
		if m.Declared[k] {
			pool("any", ns, k)
		}
	}
	for _, t := range m.TokenSecrets {
		if m.Declared[t.ServiceAccount] {
			pool("secret", t.Namespace, t.ServiceAccount)
		}
	}
	for _, ps := range m.PodSpecs {
		if ps.Runs() {
			pool("exec", ps.Namespace, ps.Key)
		}
	}
	o := ast.NewObject()
	for _, from := range sortedKeys(succ) {
		to := slices.Compact(slices.Sorted(slices.Values(succ[from])))
		o.Insert(ast.StringTerm(from), stringsTerm(to))
	}
	return ast.NewTerm(o)
}

// Token sources: where a ServiceAccount's token can be taken.
const (
	WayAutomounted = "automounted token"
	WayProjected   = "projected token volume"
	WayEveryNode   = "on every node"
	WayLegacy      = "legacy token Secret"
)

// tokenSourcesTerm lists where tokens can be taken, one entry per
// (ServiceAccount, object, way), sorted: {serviceAccount, object, way}. A
// workload the cluster would run holds its account's token automounted or
// in a projected volume (and on every node, for a DaemonSet); a legacy
// token Secret of an existing account holds one.
func tokenSourcesTerm(m *access.Model) *ast.Term {
	type source struct {
		sa     string
		object int
		way    string
	}
	seen := map[source]bool{}
	var list []source
	put := func(s source) {
		if !seen[s] {
			seen[s] = true
			list = append(list, s)
		}
	}
	for _, ps := range m.PodSpecs {
		if !ps.Runs() {
			continue
		}
		for _, c := range ps.Containers {
			if !c.HoldsToken() {
				continue
			}
			if c.Auto {
				put(source{ps.Key, ps.Object, WayAutomounted})
			}
			if c.Projected {
				put(source{ps.Key, ps.Object, WayProjected})
			}
		}
		if ps.Kind == "DaemonSet" {
			put(source{ps.Key, ps.Object, WayEveryNode})
		}
	}
	for _, t := range m.TokenSecrets {
		if m.Declared[t.ServiceAccount] {
			put(source{t.ServiceAccount, t.Object, WayLegacy})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.sa != b.sa {
			return a.sa < b.sa
		}
		if a.object != b.object {
			return a.object < b.object
		}
		return a.way < b.way
	})
	ts := make([]*ast.Term, len(list))
	for i, s := range list {
		ts[i] = ast.ObjectTerm(
			ast.Item(constTerm("serviceAccount"), ast.StringTerm(s.sa)),
			ast.Item(constTerm("object"), ast.InternedTerm(s.object)),
			ast.Item(constTerm("way"), ast.StringTerm(s.way)),
		)
	}
	return ast.ArrayTerm(ts...)
}

// SampleSize is how many members a finding names when it reports on a
// group of them (the rest are counted).
const SampleSize = 5

// ruleTerms converts lists of RBAC rules, one term for equal lists and
// equal rules: the roles of a cluster repeat the same rules namespace
// after namespace (one chart, one role per namespace), and a term is never
// changed once built. The key of a rule or list is its fields, each
// string length-prefixed.
type ruleTerms struct {
	lists, rules map[string]*ast.Term
}

func newRuleTerms() *ruleTerms {
	return &ruleTerms{lists: map[string]*ast.Term{}, rules: map[string]*ast.Term{}}
}

func (c *ruleTerms) list(rules []access.Rule) *ast.Term {
	var key []byte
	for _, r := range rules {
		key = r.AppendKey(key)
	}
	if t, ok := c.lists[string(key)]; ok {
		return t
	}
	ts := make([]*ast.Term, len(rules))
	for i, r := range rules {
		k := string(r.AppendKey(nil))
		if ts[i] = c.rules[k]; ts[i] == nil {
			ts[i] = ruleTerm(r)
			c.rules[k] = ts[i]
		}
	}
	t := ast.ArrayTerm(ts...)
	c.lists[string(key)] = t
	return t
}

func ruleTerm(r access.Rule) *ast.Term {
	return ast.ObjectTerm(
		ast.Item(constTerm("apiGroups"), stringsTerm(r.APIGroups)),
		ast.Item(constTerm("resources"), stringsTerm(r.Resources)),
		ast.Item(constTerm("verbs"), stringsTerm(r.Verbs)),
		ast.Item(constTerm("resourceNames"), stringsTerm(r.ResourceNames)),
		ast.Item(constTerm("nonResourceURLs"), stringsTerm(r.NonResourceURLs)),
	)
}

func grantsObject(m map[string][]*ast.Term) *ast.Term {
	o := ast.NewObject()
	for _, k := range sortedKeys(m) {
		o.Insert(ast.StringTerm(k), ast.ArrayTerm(m[k]...))
	}
	return ast.NewTerm(o)
}

func stringsTerm(list []string) *ast.Term {
	ts := make([]*ast.Term, len(list))
	for i, s := range list {
		ts[i] = ast.StringTerm(s)
	}
	return arrayTerm(ts)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
