package rules

import (
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/scanner"
)

// What a rule reads decides which rules a resource the scan could not
// list affects. It is derived from the compiled policies: the kinds a rule
// and the library rules it depends on name in string literals, and the
// parts of the input they read, each standing for the kinds the scanner
// builds it from.
var (
	// inputSources maps input documents to the kinds they are built from.
	inputSources = map[string][]string{
		// Pod specs and who holds which token: workloads, the accounts
		// they run as (automount), token Secrets they mount.
		"podSpecs": append(scanner.WorkloadKinds(), "ServiceAccount", "Secret"),
		// The access model: RBAC, and every account in scope.
		"access": append([]string{"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "Secret"}, scanner.WorkloadKinds()...),
		// Control-plane flags come from static and mirror pods.
		"controlPlanes": {"Pod"},
	}
	// fieldSources maps fields of the input's normalized documents to the
	// kinds they are built from beyond their document's: a rule that reads
	// the field (as in ps.exposure) reads those kinds.
	fieldSources = map[string][]string{
		// The Services that select a pod spec's pods, and the Ingresses
		// that route to them.
		"exposure": {"Service", "Ingress"},
	}
)

// KindsRead returns the kinds of object each rule's evaluation may read,
// by rule ID, sorted.
func (e *Engine) KindsRead() map[string][]string {
	out := map[string][]string{}
	for _, r := range e.rules {
		kinds := map[string]bool{}
		for _, rule := range closure(e.compiler, append(r.refTerms(), ast.StringTerm("findings")), findingLibrary) {
			ast.WalkTerms(rule, func(t *ast.Term) bool {
				switch v := t.Value.(type) {
				case ast.String:
					if listedKinds[string(v)] {
						kinds[string(v)] = true
					}
				case ast.Ref:
					if len(v) > 1 && v[0].Equal(ast.InputRootDocument) {
						if key, ok := v[1].Value.(ast.String); ok {
							for _, k := range inputSources[string(key)] {
								kinds[k] = true
							}
						}
					}
					if len(v) > 1 && !v[0].Equal(ast.DefaultRootDocument) {
						for _, t := range v[1:] {
							if key, ok := t.Value.(ast.String); ok {
								for _, k := range fieldSources[string(key)] {
									kinds[k] = true
								}
							}
						}
					}
				}
				return false
			})
		}
		var list []string
		for k := range kinds {
			list = append(list, k)
		}
		sort.Strings(list)
		out[r.ID] = list
	}
	return out
}

// findingLibrary builds a finding and its allow-list reason: it reads only
// the finding's own object, so what it names is not what a rule reads.
var findingLibrary = []ast.Ref{ast.MustParseRef("data.sascan.lib.result"), ast.MustParseRef("data.sascan.lib.allowlist")}

// listedKinds are the kinds a live scan lists.
var listedKinds = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range scanner.Resources {
		m[r.Kind] = true
	}
	return m
}()

// closure lists the rules that define ref and every rule they depend on,
// not following into the packages skip.
func closure(c *ast.Compiler, ref ast.Ref, skip []ast.Ref) []*ast.Rule {
	seen := map[*ast.Rule]bool{}
	queue := c.GetRulesExact(ref)
	var out []*ast.Rule
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		if slices.ContainsFunc(skip, func(p ast.Ref) bool { return r.Module.Package.Path.HasPrefix(p) }) {
			continue
		}
		out = append(out, r)
		for d := range c.Graph.Dependencies(r) {
			if dr, ok := d.(*ast.Rule); ok && !seen[dr] {
				queue = append(queue, dr)
			}
		}
	}
	return out
}
