package access

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/sascan/sascan/scanner"
)

// Exposure is a Service that selects a pod spec's pods, as the endpoints
// controller would: a core Service of the pod spec's namespace, not defined
// again later in the input, whose non-empty spec.selector matches every
// one of its labels on the pod template. Which Service types put the pods
// within reach of an attacker is the rules' decision.
type Exposure struct {
	Service string // the Service's name
	Type    string // its spec.type as written, "" when unset
	// Ingresses are the Ingresses of the namespace that route to the
	// Service (spec.defaultBackend or a rule's path), sorted, each once.
	Ingresses []string
}

// exposures finds the Services that select each pod spec of the inventory
// (same order as inv.PodSpecs). Services are indexed by namespace and by
// their selector's first key and value (its smallest key), so a pod spec
// looks only at the Services whose first selector entry is one of its
// labels, not at every Service of its namespace.
func exposures(inv *scanner.Inventory) [][]Exposure {
	type service struct {
		name, typ string
		selector  map[string]any
	}
	byLabel := map[string][]service{}
	routes := map[string][]string{} // "ns/service" -> Ingress names
	for _, o := range inv.Objects {
		if o.Shadowed {
			continue
		}
		switch {
		case o.Kind == "Service" && o.Group == "":
			spec, _ := o.Raw["spec"].(map[string]any)
			sel, _ := spec["selector"].(map[string]any)
			if len(sel) == 0 {
				continue
			}
			typ, _ := spec["type"].(string)
			first := slices.Min(slices.Collect(maps.Keys(sel)))
			k := labelKey(o.Namespace, first, sel[first])
			byLabel[k] = append(byLabel[k], service{o.Name, typ, sel})
		case o.Kind == "Ingress":
			for _, svc := range ingressServices(o.Raw) {
				k := o.Namespace + "/" + svc
				routes[k] = append(routes[k], o.Name)
			}
		}
	}
	for k, names := range routes {
		slices.Sort(names)
		routes[k] = slices.Compact(names)
	}
	out := make([][]Exposure, len(inv.PodSpecs))
	if len(byLabel) == 0 {
		return out
	}
	for i, loc := range inv.PodSpecs {
		o := inv.Objects[loc.Object]
		meta := loc.Meta
		if meta == nil {
			meta = []string{"metadata"}
		}
		labels, _ := scanner.Dig(o.Raw, append(slices.Clip(meta), "labels")).(map[string]any)
		var found []Exposure
		for k, v := range labels {
			for _, s := range byLabel[labelKey(o.Namespace, k, v)] {
				if selects(s.selector, labels) {
					found = append(found, Exposure{Service: s.name, Type: s.typ, Ingresses: routes[o.Namespace+"/"+s.name]})
				}
			}
		}
		slices.SortFunc(found, func(a, b Exposure) int { return strings.Compare(a.Service, b.Service) })
		out[i] = found
	}
	return out
}

// selects reports whether every key of selector has its value in labels.
func selects(selector, labels map[string]any) bool {
	for k, v := range selector {
		l, ok := labels[k]
		if !ok || canonical(l) != canonical(v) {
			return false
		}
	}
	return true
}

// labelKey indexes a Service by one selector entry, and looks one up by a
// pod label.
func labelKey(ns, k string, v any) string {
	return ns + "\x00" + k + "\x00" + canonical(v)
}

// canonical is v as a string that is equal for equal values: a string is
// itself, anything else (a label value Kubernetes would refuse) its JSON
// text, so a number or a boolean never equals the string that spells it.
func canonical(v any) string {
	if s, ok := v.(string); ok {
		return "s" + s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return "j" + string(b)
}

// ingressServices are the Service names an Ingress routes to: its default
// backend's and each rule path's.
func ingressServices(raw map[string]any) []string {
	spec, _ := raw["spec"].(map[string]any)
	var out []string
	if name, ok := scanner.Dig(spec, []string{"defaultBackend", "service", "name"}).(string); ok {
		out = append(out, name)
	}
	rules, _ := spec["rules"].([]any)
	for _, r := range rules {
		paths, _ := scanner.Dig(r, []string{"http", "paths"}).([]any)
		for _, p := range paths {
			if name, ok := scanner.Dig(p, []string{"backend", "service", "name"}).(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}
