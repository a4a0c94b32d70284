package access

import (
	"reflect"
	"slices"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/sascan/sascan/scanner"
)

// aggregate fills each aggregated ClusterRole's Selects and, with compute
// set, its Rules: the de-duplicated union of the rules of every role it
// reaches through its selectors, following aggregated roles transitively
// (the controller's fixpoint; cycles end where a role is reached again).
func (m *Model) aggregate(inv *scanner.Inventory, compute bool) {
	var aggregated, all []*Role
	for _, r := range m.Roles {
		if r.Kind == "ClusterRole" {
			all = append(all, r)
			if r.Aggregated {
				aggregated = append(aggregated, r)
			}
		}
	}
	if len(aggregated) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	roleLabels := make([]labels.Set, len(all))
	for i, r := range all {
		roleLabels[i] = labelsOf(inv.Objects[r.Object].Raw)
	}
	for _, a := range aggregated {
		ar, _ := inv.Objects[a.Object].Raw["aggregationRule"].(map[string]any)
		sels, _ := ar["clusterRoleSelectors"].([]any)
		var selectors []labels.Selector
		for _, raw := range sels {
			if s, ok := selectorOf(raw); ok {
				selectors = append(selectors, s)
			}
		}
		for i, r := range all {
			if r == a {
				continue
			}
			for _, s := range selectors {
				if s.Matches(roleLabels[i]) {
					a.Selects = append(a.Selects, r.Name)
					break
				}
			}
		}
	}
	if !compute {
		return
	}
	union := map[*Role][]Rule{}
	for _, a := range aggregated {
		seen := map[string]bool{a.Name: true}
		queue := append([]string(nil), a.Selects...)
		var rules []Rule
		for len(queue) > 0 {
			name := queue[0]
			queue = queue[1:]
			if seen[name] {
				continue
			}
			seen[name] = true
			r := m.Roles[RoleKey("ClusterRole", "", name)]
			if r.Aggregated {
				queue = append(queue, r.Selects...)
				continue
			}
			for _, rule := range r.Rules {
				if !slices.ContainsFunc(rules, func(x Rule) bool { return reflect.DeepEqual(x, rule) }) {
					rules = append(rules, rule)
				}
			}
		}
		union[a] = rules
	}
	for a, rules := range union {
		a.Rules = rules
	}
}

func labelsOf(raw map[string]any) labels.Set {
	md, _ := raw["metadata"].(map[string]any)
	l, _ := md["labels"].(map[string]any)
	out := labels.Set{}
	for k, v := range l {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// selectorOf converts one clusterRoleSelectors entry with the API's own
// label-selector semantics; an entry the API would reject matches nothing.
func selectorOf(raw any) (labels.Selector, bool) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, false
	}
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ls); err != nil {
		return nil, false
	}
	s, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return nil, false
	}
	return s, true
}
