package rules

import (
	"sort"
	"strings"

	"github.com/sascan/sascan/scanner"
)

// podSpecPaths maps object IDs to the field path of their pod spec.
func podSpecPaths(inv *scanner.Inventory) map[int]string {
	out := make(map[int]string, len(inv.PodSpecs))
	for _, ps := range inv.PodSpecs {
		out[ps.Object] = strings.Join(ps.Path, ".")
	}
	return out
}

// controllerKinds are the owners pods fold onto.
var controllerKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "CronJob": true,
	"Job": true, "ReplicaSet": true, "ReplicationController": true,
}

// fold reports findings on pods that a controller in the same scan owns
// once, on the top-most owner, with the pods' names in evidence. Paths
// into the pod spec are rewritten to the owner's template.
func fold(raws []rawFinding, inv *scanner.Inventory, specPath map[int]string) []rawFinding {
	type key struct {
		object    int
		path, key string
	}
	out := make([]rawFinding, 0, len(raws))
	// index holds, per (object, path), the finding that folded findings
	// merge into: the owner's own finding, or the first folded one.
	index := map[key]int{}
	pods := map[key][]string{}
	var moved []rawFinding
	for _, f := range raws {
		if f.Object >= 0 && f.Object < len(inv.Objects) {
			if top, ok := topOwner(inv, inv.Objects[f.Object]); ok {
				owned := inv.Objects[f.Object]
				f.Path = ownerPath(f.Path, specPath[owned.ID], specPath[top.ID])
				f.Object = top.ID
				if owned.Kind == "Pod" {
					k := key{f.Object, f.Path, f.Key}
					pods[k] = append(pods[k], owned.Name)
				}
				moved = append(moved, f)
				continue
			}
		}
		k := key{f.Object, f.Path, f.Key}
		if _, ok := index[k]; !ok {
			index[k] = len(out)
		}
		out = append(out, f)
	}
	for _, f := range moved {
		k := key{f.Object, f.Path, f.Key}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, f)
			continue
		}
		if rank(f.Severity) > rank(out[i].Severity) {
			f.Evidence = mergeEvidence(f.Evidence, out[i].Evidence)
			out[i] = f
		}
	}
	for k, names := range pods {
		f := &out[index[k]]
		sort.Strings(names)
		f.Evidence = mergeEvidence(f.Evidence, map[string]any{"pods": names, "podCount": len(names)})
	}
	return out
}

// topOwner follows owner references from a pod (or a ReplicaSet or Job,
// which controllers also create) to the top-most controller in the scan.
func topOwner(inv *scanner.Inventory, o *scanner.Object) (*scanner.Object, bool) {
	if !ownedKinds[o.Kind] || len(o.Owners) == 0 {
		return nil, false
	}
	cur, seen := o, map[int]bool{o.ID: true}
	for len(cur.Owners) > 0 && !seen[cur.Owners[0]] {
		seen[cur.Owners[0]] = true
		cur = inv.Objects[cur.Owners[0]]
	}
	return cur, cur != o && controllerKinds[cur.Kind]
}

var ownedKinds = map[string]bool{"Pod": true, "ReplicaSet": true, "Job": true}

// ownerPath maps a path in the owned object's pod spec ("spec.containers[0]"
// in a pod) to the owner's pod template ("spec.template.spec.containers[0]").
func ownerPath(path, ownedSpec, ownerSpec string) string {
	switch {
	case ownerSpec == "" || ownedSpec == "":
		return path
	case path == ownedSpec:
		return ownerSpec
	case strings.HasPrefix(path, ownedSpec+".") || strings.HasPrefix(path, ownedSpec+"["):
		return ownerSpec + path[len(ownedSpec):]
	}
	return path
}

func mergeEvidence(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	return out
}

func rank(sev string) int {
	s, err := ParseSeverity(sev)
	if err != nil {
		return 0
	}
	return int(s)
}
