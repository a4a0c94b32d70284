package scanner

import (
	"sort"
	"strings"
	"sync"

	"github.com/sascan/sascan/internal/spread"
)

// Origin says where an inventory object came from.
type Origin string

const (
	OriginManifest Origin = "manifest" // read from a file or stdin
	OriginCluster  Origin = "cluster"  // listed from a live API server
	OriginImplicit Origin = "implicit" // the default ServiceAccount the controller creates
	OriginBuiltin  Origin = "builtin"  // a bootstrap ClusterRole from the bundled snapshot
)

// Mode is how the inventory was observed.
type Mode string

const (
	ModeManifest Mode = "manifest"
	ModeCluster  Mode = "cluster"
)

// Object is one normalized Kubernetes object.
type Object struct {
	ID         int
	APIVersion string
	Group      string
	Kind       string
	Namespace  string // "" for cluster-scoped kinds
	Name       string
	Origin     Origin
	Owners     []int // IDs of owners present in the inventory
	Raw        map[string]any
	Source     *Source // nil unless read from a manifest
	// Anchor is an object whose location stands in for this one when it has
	// no source of its own (an implicit ServiceAccount points at its Namespace).
	Anchor int
	// Shadowed is set when a later object in the input has the same
	// identity (group, kind, namespace, name): as with `kubectl apply` of the
	// files in order, the last definition is the one that counts.
	Shadowed bool
	// Annotations of the object and, for workloads, of its pod template;
	// kept when Raw is released after conversion for the rules.
	Annotations         map[string]any
	TemplateAnnotations map[string]any
}

// ReleaseRaw drops the object's raw form once the rules' input holds it;
// its identity, source and annotations stay. It bounds the memory of
// large scans.
func (o *Object) ReleaseRaw() {
	o.Raw = nil
}

// PodSpec locates a pod spec inside an object.
type PodSpec struct {
	Object int
	Path   []string // from the object root to the PodSpec
	Meta   []string // from the object root to the pod template metadata; nil for a Pod
}

// Flag is one occurrence of a command-line flag.
type Flag struct {
	Value string
	Bare  bool   // written without "=value"
	Path  string // field path of the token, e.g. spec.containers[0].command[3]
}

// ControlPlane is one kube-apiserver, kube-controller-manager or
// kube-scheduler container with its parsed flags.
type ControlPlane struct {
	Object    int
	Component string
	Path      string // field path of the container
	Flags     map[string][]Flag
}

// Inventory is the one normalized view every rule evaluates.
type Inventory struct {
	Mode          Mode
	Objects       []*Object
	PodSpecs      []PodSpec
	ControlPlanes []ControlPlane
}

// BuildOptions steer normalization.
type BuildOptions struct {
	Mode             Mode
	DefaultNamespace string // manifest mode: namespace for namespaced objects without one
	Builtins         bool   // add the bundled bootstrap ClusterRoles that the input lacks
	// KubeMinor picks the bootstrap policy of Kubernetes 1.<KubeMinor> for
	// Builtins (BootstrapPolicy); 0 is the newest bundled.
	KubeMinor int
}

// Build normalizes raw objects into an inventory: groups and namespaces
// resolved, implicit default ServiceAccounts added, pod specs and
// control-plane flags located, owner references linked.
func Build(raws []RawObject, opts BuildOptions) *Inventory {
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = "default"
	}
	inv := &Inventory{Mode: opts.Mode}
	origin := OriginManifest
	if opts.Mode == ModeCluster {
		origin = OriginCluster
	}
	// The loaded objects are independent of one another: made at once.
	inv.Objects = make([]*Object, len(raws))
	spread.Each(len(raws), func(i int) {
		inv.Objects[i] = newObject(i, raws[i].Value, origin, raws[i].Source, opts.DefaultNamespace)
	})
	if opts.Builtins {
		have := map[string]bool{}
		for _, o := range inv.Objects {
			if o.Kind == "ClusterRole" && o.Group == rbacGroup {
				have[o.Name] = true
			}
		}
		for _, r := range builtinClusterRoles(opts.KubeMinor) {
			if name, _ := meta(r, "name"); !have[name] {
				inv.add(r, OriginBuiltin, nil, "")
			}
		}
	}
	inv.addImplicitServiceAccounts()
	// Three passes that write different fields, at once.
	var wg sync.WaitGroup
	wg.Go(inv.markShadowed)
	wg.Go(inv.linkOwners)
	for _, o := range inv.Objects {
		inv.locatePodSpec(o)
	}
	wg.Wait()
	return inv
}

const rbacGroup = "rbac.authorization.k8s.io"

func (inv *Inventory) add(raw map[string]any, origin Origin, src *Source, defaultNS string) *Object {
	o := newObject(len(inv.Objects), raw, origin, src, defaultNS)
	inv.Objects = append(inv.Objects, o)
	return o
}

// newObject makes raw into the inventory's object numbered id.
func newObject(id int, raw map[string]any, origin Origin, src *Source, defaultNS string) *Object {
	apiVersion, _ := raw["apiVersion"].(string)
	kind, _ := raw["kind"].(string)
	group := ""
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		group = apiVersion[:i]
	}
	ns, _ := meta(raw, "namespace")
	name, _ := meta(raw, "name")
	if name == "" {
		name, _ = meta(raw, "generateName")
	}
	if clusterScoped(group, kind) {
		ns = ""
	} else if ns == "" {
		ns = defaultNS
	}
	md, _ := raw["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	return &Object{
		ID: id, APIVersion: apiVersion, Group: group, Kind: kind,
		Namespace: ns, Name: name, Origin: origin, Raw: raw, Source: src, Anchor: -1,
		Annotations: ann,
	}
}

func meta(raw map[string]any, key string) (string, bool) {
	m, _ := raw["metadata"].(map[string]any)
	s, ok := m[key].(string)
	return s, ok
}

// addImplicitServiceAccounts adds ServiceAccount "default" to every
// namespace that has objects or a Namespace manifest and no explicit one.
func (inv *Inventory) addImplicitServiceAccounts() {
	if inv.Mode == ModeCluster {
		return // the live list already holds what the controller created
	}
	explicit := map[string]bool{}
	anchor := map[string]int{}
	var order []string
	seen := map[string]bool{}
	note := func(ns string) {
		if ns != "" && !seen[ns] {
			seen[ns] = true
			order = append(order, ns)
		}
	}
	for _, o := range inv.Objects {
		if o.Origin == OriginBuiltin {
			continue
		}
		switch {
		case o.Kind == "ServiceAccount" && o.Group == "" && o.Name == "default":
			explicit[o.Namespace] = true
		case o.Kind == "Namespace" && o.Group == "":
			note(o.Name)
			if _, ok := anchor[o.Name]; !ok {
				anchor[o.Name] = o.ID
			}
		}
		note(o.Namespace)
	}
	sort.Strings(order)
	for _, ns := range order {
		if explicit[ns] {
			continue
		}
		o := inv.add(map[string]any{
			"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": map[string]any{"name": "default", "namespace": ns},
		}, OriginImplicit, nil, ns)
		if a, ok := anchor[ns]; ok {
			o.Anchor = a
		}
	}
}

func (inv *Inventory) markShadowed() {
	type id struct{ group, kind, ns, name string }
	last := make(map[id]int, len(inv.Objects))
	for _, o := range inv.Objects {
		k := id{o.Group, o.Kind, o.Namespace, o.Name}
		if prev, ok := last[k]; ok {
			inv.Objects[prev].Shadowed = true
		}
		last[k] = o.ID
	}
}

// linkOwners resolves metadata.ownerReferences to objects in the inventory
// (same namespace; by uid when both sides have one, else by kind and name).
// Only the identities some reference names are indexed.
func (inv *Inventory) linkOwners() {
	type key struct{ ns, kind, name string }
	type ownerRef struct {
		from *Object
		uid  string
		key  key
	}
	var refs []ownerRef
	wantKey := map[key]bool{}
	wantUID := map[string]bool{}
	for _, o := range inv.Objects {
		m, _ := o.Raw["metadata"].(map[string]any)
		list, _ := m["ownerReferences"].([]any)
		for _, r := range list {
			ref, _ := r.(map[string]any)
			uid, _ := ref["uid"].(string)
			kind, _ := ref["kind"].(string)
			name, _ := ref["name"].(string)
			or := ownerRef{o, uid, key{o.Namespace, kind, name}}
			refs = append(refs, or)
			wantKey[or.key] = true
			if uid != "" {
				wantUID[uid] = true
			}
		}
	}
	if len(refs) == 0 {
		return
	}
	byKey := map[key]int{}
	byUID := map[string]int{}
	for _, o := range inv.Objects {
		if k := (key{o.Namespace, o.Kind, o.Name}); wantKey[k] {
			byKey[k] = o.ID
		}
		if uid, _ := meta(o.Raw, "uid"); uid != "" && wantUID[uid] {
			byUID[uid] = o.ID
		}
	}
	for _, r := range refs {
		if id, ok := byUID[r.uid]; ok && r.uid != "" {
			r.from.Owners = append(r.from.Owners, id)
		} else if id, ok := byKey[r.key]; ok {
			r.from.Owners = append(r.from.Owners, id)
		}
	}
}

// podSpecPaths is the rule catalogue: where each workload kind keeps its PodSpec.
var podSpecPaths = map[string][2][]string{
	"Pod":                   {{"spec"}, nil},
	"PodTemplate":           {{"template", "spec"}, {"template", "metadata"}},
	"ReplicationController": {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"ReplicaSet":            {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"Deployment":            {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"StatefulSet":           {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"DaemonSet":             {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"Job":                   {{"spec", "template", "spec"}, {"spec", "template", "metadata"}},
	"CronJob":               {{"spec", "jobTemplate", "spec", "template", "spec"}, {"spec", "jobTemplate", "spec", "template", "metadata"}},
}

// PodSpecKeys lists the mapping keys on the way from a workload's root to
// its pod spec and pod template metadata.
func PodSpecKeys() []string {
	var out []string
	for _, p := range podSpecPaths {
		out = append(append(out, p[0]...), p[1]...)
	}
	return out
}

// WorkloadKinds are the kinds that hold a pod spec, sorted.
func WorkloadKinds() []string {
	out := make([]string, 0, len(podSpecPaths))
	for k := range podSpecPaths {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var podSpecGroups = map[string]map[string]bool{
	"Pod":                   {"": true},
	"PodTemplate":           {"": true},
	"ReplicationController": {"": true},
	"ReplicaSet":            {"apps": true, "extensions": true},
	"Deployment":            {"apps": true, "extensions": true},
	"StatefulSet":           {"apps": true},
	"DaemonSet":             {"apps": true, "extensions": true},
	"Job":                   {"batch": true},
	"CronJob":               {"batch": true},
}

func (inv *Inventory) locatePodSpec(o *Object) {
	paths, ok := podSpecPaths[o.Kind]
	if !ok || !podSpecGroups[o.Kind][o.Group] {
		return
	}
	spec, ok := Dig(o.Raw, paths[0]).(map[string]any)
	if !ok {
		return
	}
	inv.PodSpecs = append(inv.PodSpecs, PodSpec{Object: o.ID, Path: paths[0], Meta: paths[1]})
	if paths[1] != nil {
		tm, _ := Dig(o.Raw, paths[1]).(map[string]any)
		o.TemplateAnnotations, _ = tm["annotations"].(map[string]any)
	}
	inv.ControlPlanes = append(inv.ControlPlanes, controlPlanes(o.ID, strings.Join(paths[0], "."), spec)...)
}

// Dig walks map keys from v; nil when a key is missing or a value on the
// way is not a map.
func Dig(v any, path []string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// clusterScoped lists the built-in kinds that have no namespace.
func clusterScoped(group, kind string) bool {
	switch group + "/" + kind {
	case "/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
		rbacGroup + "/ClusterRole", rbacGroup + "/ClusterRoleBinding",
		"storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode",
		"storage.k8s.io/VolumeAttachment",
		"apiextensions.k8s.io/CustomResourceDefinition",
		"admissionregistration.k8s.io/MutatingWebhookConfiguration",
		"admissionregistration.k8s.io/ValidatingWebhookConfiguration",
		"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
		"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
		"apiregistration.k8s.io/APIService",
		"certificates.k8s.io/CertificateSigningRequest",
		"networking.k8s.io/IngressClass", "node.k8s.io/RuntimeClass",
		"scheduling.k8s.io/PriorityClass", "policy/PodSecurityPolicy",
		"flowcontrol.apiserver.k8s.io/FlowSchema",
		"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration":
		return true
	}
	return false
}
