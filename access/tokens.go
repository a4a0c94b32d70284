package access

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/sascan/sascan/internal/spread"
	"github.com/sascan/sascan/scanner"
)

// DefaultTokenPath is where the ServiceAccount admission plugin mounts a
// pod's token.
const DefaultTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount"

// PodSpec is who one pod spec of the inventory runs as and which of its
// containers hold that ServiceAccount's token.
type PodSpec struct {
	// Object is the workload's inventory id, Kind and Name its own.
	Object int
	Kind   string
	Name   string
	// Shadowed: a later object of the input has the workload's identity,
	// so this copy is not what the cluster would run.
	Shadowed bool
	// Namespace is the workload's; ServiceAccount the account's name, Key
	// "ns/name".
	Namespace      string
	ServiceAccount string
	Key            string
	// Static: a mirror pod or a kubeadm control-plane static pod, which
	// runs with no ServiceAccount credential.
	Static bool
	// Automount is the effective automountServiceAccountToken: the pod's,
	// else its ServiceAccount's, else true (or the configured assumption
	// when the scan lacks the ServiceAccount).
	Automount bool
	// Containers are init, regular and ephemeral containers in that order,
	// as the inventory located them.
	Containers []Container
	// Injected lists the indexes in spec.volumes of the volume the
	// admission plugin injects (kube-api-access-*), as a live or exported
	// Pod carries it.
	Injected []int
	// SecretRefs are the Secrets the pod spec names, volumes first, then
	// each container's env and envFrom.
	SecretRefs []SecretRef
	// Host is what of its node the pod spec reaches.
	Host Host
	// Exposure lists the Services that select its pods, sorted by name.
	Exposure []Exposure
	// ProjectedTokens are the serviceAccountToken sources of the projected
	// volumes it declares itself (the injected volume left out), in order.
	ProjectedTokens []ProjectedToken
}

// ProjectedToken is one serviceAccountToken source of a projected volume:
// the volume's index in spec.volumes and the source's in its sources.
type ProjectedToken struct{ Volume, Source int }

// Host is what of the node a pod spec reaches beyond its containers: where
// a compromise of the pod, and of the token it holds, spreads.
type Host struct {
	// Privileged: a container (of any kind) sets securityContext.privileged.
	Privileged bool
	// Namespaces are the host namespaces the pod shares, of hostNetwork,
	// hostPID and hostIPC in that order.
	Namespaces []string
	// Path: a volume is a hostPath volume.
	Path bool
	// Capabilities are the Linux capabilities its containers add
	// (securityContext.capabilities.add), upper-cased, sorted, each once.
	Capabilities []string
}

// host reads what of its node pod spec spec reaches.
func host(spec map[string]any) Host {
	var h Host
	for _, ns := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		if spec[ns] == true {
			h.Namespaces = append(h.Namespaces, ns)
		}
	}
	vs, _ := spec["volumes"].([]any)
	for _, v := range vs {
		vm, _ := v.(map[string]any)
		if hp, ok := vm["hostPath"]; ok && hp != false {
			h.Path = true
		}
	}
	for _, field := range containerFields {
		cs, _ := spec[field].([]any)
		for _, raw := range cs {
			c, _ := raw.(map[string]any)
			sc, _ := c["securityContext"].(map[string]any)
			if sc["privileged"] == true {
				h.Privileged = true
			}
			caps, _ := sc["capabilities"].(map[string]any)
			add, _ := caps["add"].([]any)
			for _, a := range add {
				if name, ok := a.(string); ok {
					h.Capabilities = append(h.Capabilities, strings.ToUpper(name))
				}
			}
		}
	}
	slices.Sort(h.Capabilities)
	h.Capabilities = slices.Compact(h.Capabilities)
	return h
}

// SecretRef is one Secret a pod spec names: a volume (a secret volume or a
// projected volume's secret source) or a container's env entry
// (valueFrom.secretKeyRef) or envFrom entry (secretRef).
type SecretRef struct {
	Secret string
	// Volume is the index in spec.volumes, or -1; Mounted says whether a
	// container mounts that volume.
	Volume  int
	Mounted bool
	// Container is the index in Containers, or -1; Field is env or
	// envFrom and Index the entry's index there.
	Container int
	Field     string
	Index     int
}

// Container is one container of a pod spec and how it holds the token.
type Container struct {
	Field string // initContainers, containers or ephemeralContainers
	Index int
	// Auto: the admission plugin mounts the token (automount on, the
	// plugin enabled, nothing already mounted at DefaultTokenPath), or the
	// container mounts the volume it injected (a live or exported Pod).
	Auto bool
	// Projected: the container mounts a projected token volume of the
	// pod's own.
	Projected bool
}

// HoldsToken reports whether the workload holds its ServiceAccount's
// token in some container (a static pod never does). A shadowed copy is
// judged like any other: whether it runs is Runs.
func (ps PodSpec) HoldsToken() bool {
	if ps.Static {
		return false
	}
	for _, c := range ps.Containers {
		if c.HoldsToken() {
			return true
		}
	}
	return false
}

// Runs reports whether the workload is what the cluster runs and holds a
// token there: not a shadowed copy, and HoldsToken.
func (ps PodSpec) Runs() bool { return !ps.Shadowed && ps.HoldsToken() }

// HoldsToken reports whether the container holds a token; ephemeral
// containers never get one.
func (c Container) HoldsToken() bool {
	return c.Field != "ephemeralContainers" && (c.Auto || c.Projected)
}

// TokenOptions steer how tokens are attributed.
type TokenOptions struct {
	// AssumeAutomount is the automount of a pod whose ServiceAccount the
	// scan does not hold and that sets none itself.
	AssumeAutomount bool
}

var controlPlaneComponents = map[string]bool{"kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true, "etcd": true}

// podSpecs resolves every pod spec of inv.
func podSpecs(inv *scanner.Inventory, opts TokenOptions) []PodSpec {
	automount := map[string]*bool{} // declared ServiceAccounts: their setting, nil for none
	for _, o := range inv.Objects {
		if o.Shadowed || o.Group != "" || o.Kind != "ServiceAccount" {
			continue
		}
		v, _ := o.Raw["automountServiceAccountToken"].(bool)
		_, set := o.Raw["automountServiceAccountToken"].(bool)
		if set {
			automount[o.Namespace+"/"+o.Name] = &v
		} else {
			automount[o.Namespace+"/"+o.Name] = nil
		}
	}
	admission := admissionEnabled(inv)
	exposure := exposures(inv)
	out := make([]PodSpec, len(inv.PodSpecs))
	spread.Each(len(out), func(i int) {
		loc := inv.PodSpecs[i]
		o := inv.Objects[loc.Object]
		spec, _ := scanner.Dig(o.Raw, loc.Path).(map[string]any)
		ps := PodSpec{Object: o.ID, Kind: o.Kind, Name: o.Name, Namespace: o.Namespace, ServiceAccount: serviceAccountName(spec), Shadowed: o.Shadowed}
		ps.Key = o.Namespace + "/" + ps.ServiceAccount
		ps.Static = static(o)
		if v, ok := spec["automountServiceAccountToken"].(bool); ok {
			ps.Automount = v
		} else if sa, known := automount[ps.Key]; known {
			ps.Automount = sa == nil || *sa
		} else {
			ps.Automount = opts.AssumeAutomount
		}
		volumes := map[string][]map[string]any{}
		vs, _ := spec["volumes"].([]any)
		for j, v := range vs {
			vm, _ := v.(map[string]any)
			if name, ok := vm["name"].(string); ok {
				volumes[name] = append(volumes[name], vm)
			}
			if injectedVolume(vm) {
				ps.Injected = append(ps.Injected, j)
			}
		}
		autoOn := ps.Automount && admission
		mounted := map[string]bool{}
		var envRefs []SecretRef
		for _, field := range containerFields {
			cs, _ := spec[field].([]any)
			for j, raw := range cs {
				c, _ := raw.(map[string]any)
				ct := Container{Field: field, Index: j}
				envRefs = append(envRefs, containerSecretRefs(c, len(ps.Containers))...)
				defaultPath, injected := false, false
				mounts, _ := c["volumeMounts"].([]any)
				for _, m := range mounts {
					mm, _ := m.(map[string]any)
					if mm["mountPath"] == DefaultTokenPath {
						defaultPath = true
					}
					name, isName := mm["name"].(string)
					if isName {
						mounted[name] = true
					}
					for _, v := range volumes[name] {
						switch {
						case injectedVolume(v):
							injected = true
						case tokenVolume(v):
							ct.Projected = true
						}
					}
				}
				// The admission plugin mounts the token into init and
				// regular containers, not ephemeral ones.
				ct.Auto = field != "ephemeralContainers" && ((autoOn && !defaultPath) || injected)
				ps.Containers = append(ps.Containers, ct)
			}
		}
		for j, v := range vs {
			vm, _ := v.(map[string]any)
			if !slices.Contains(ps.Injected, j) {
				ps.ProjectedTokens = append(ps.ProjectedTokens, projectedTokens(vm, j)...)
			}
			name, isName := vm["name"].(string)
			for _, secret := range volumeSecrets(vm) {
				ps.SecretRefs = append(ps.SecretRefs, SecretRef{Secret: secret, Volume: j, Mounted: isName && mounted[name], Container: -1, Index: -1})
			}
		}
		ps.SecretRefs = append(ps.SecretRefs, envRefs...)
		ps.Host = host(spec)
		ps.Exposure = exposure[i]
		out[i] = ps
	})
	return out
}

// projectedTokens are the serviceAccountToken sources of volume v, the
// volume at index j: each source whose serviceAccountToken is an object,
// the only value the API server accepts there (tokenVolume).
func projectedTokens(v map[string]any, j int) []ProjectedToken {
	p, _ := v["projected"].(map[string]any)
	srcs, _ := p["sources"].([]any)
	var out []ProjectedToken
	for k, s := range srcs {
		sm, _ := s.(map[string]any)
		if _, ok := sm["serviceAccountToken"].(map[string]any); ok {
			out = append(out, ProjectedToken{Volume: j, Source: k})
		}
	}
	return out
}

// volumeSecrets are the Secrets a volume names: a secret volume's, and
// the secret sources of a projected volume (a volume has one source; one
// with both, which the API server refuses, names both).
func volumeSecrets(v map[string]any) []string {
	var out []string
	if sec, ok := v["secret"].(map[string]any); ok {
		if name, ok := sec["secretName"].(string); ok {
			out = append(out, name)
		}
	}
	proj, _ := v["projected"].(map[string]any)
	sources, _ := proj["sources"].([]any)
	for _, src := range sources {
		sm, _ := src.(map[string]any)
		sec, _ := sm["secret"].(map[string]any)
		if name, ok := sec["name"].(string); ok {
			out = append(out, name)
		}
	}
	return out
}

// containerSecretRefs are the Secrets a container's env and envFrom name;
// ci is the container's index in the pod spec's Containers.
func containerSecretRefs(c map[string]any, ci int) []SecretRef {
	var out []SecretRef
	env, _ := c["env"].([]any)
	for j, e := range env {
		em, _ := e.(map[string]any)
		vf, _ := em["valueFrom"].(map[string]any)
		ref, _ := vf["secretKeyRef"].(map[string]any)
		if name, ok := ref["name"].(string); ok {
			out = append(out, SecretRef{Secret: name, Volume: -1, Container: ci, Field: "env", Index: j})
		}
	}
	envFrom, _ := c["envFrom"].([]any)
	for j, e := range envFrom {
		em, _ := e.(map[string]any)
		ref, _ := em["secretRef"].(map[string]any)
		if name, ok := ref["name"].(string); ok {
			out = append(out, SecretRef{Secret: name, Volume: -1, Container: ci, Field: "envFrom", Index: j})
		}
	}
	return out
}

// admissionEnabled: the ServiceAccount admission plugin is on unless an
// observed kube-apiserver disables it.
func admissionEnabled(inv *scanner.Inventory) bool {
	for _, cp := range inv.ControlPlanes {
		if cp.Component != "kube-apiserver" {
			continue
		}
		for _, f := range cp.Flags["disable-admission-plugins"] {
			for _, p := range strings.Split(f.Value, ",") {
				if p == "ServiceAccount" {
					return false
				}
			}
		}
	}
	return true
}

// static: mirror pods, and the kubeadm control-plane static pods of a
// manifest set, run without any ServiceAccount credential.
func static(o *scanner.Object) bool {
	if o.Kind != "Pod" || o.Group != "" {
		return false
	}
	if _, ok := o.Annotations["kubernetes.io/config.mirror"]; ok {
		return true
	}
	md, _ := o.Raw["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	comp, _ := labels["component"].(string)
	return o.Namespace == "kube-system" && labels["tier"] == "control-plane" && controlPlaneComponents[comp]
}

// tokenVolume: a projected volume with a serviceAccountToken source.
func tokenVolume(v map[string]any) bool {
	return len(projectedTokens(v, 0)) > 0
}

// injectedVolume: the volume the admission plugin injects, kube-api-access-*
// with a 3607 s token at path "token".
func injectedVolume(v map[string]any) bool {
	name, _ := v["name"].(string)
	if !strings.HasPrefix(name, "kube-api-access-") {
		return false
	}
	for _, s := range projectedSources(v) {
		t, _ := s["serviceAccountToken"].(map[string]any)
		if t["path"] == "token" && isNumber(t["expirationSeconds"], 3607) {
			return true
		}
	}
	return false
}

func projectedSources(v map[string]any) []map[string]any {
	p, _ := v["projected"].(map[string]any)
	srcs, _ := p["sources"].([]any)
	out := make([]map[string]any, 0, len(srcs))
	for _, s := range srcs {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func isNumber(v any, n float64) bool {
	switch x := v.(type) {
	case int:
		return float64(x) == n
	case int64:
		return float64(x) == n
	case uint64:
		return float64(x) == n
	case float64:
		return x == n
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == n
	}
	return false
}

// containerFields are a pod spec's container lists, in the order the model
// lists their containers.
var containerFields = [...]string{"initContainers", "containers", "ephemeralContainers"}

// ContainerFields returns a pod spec's container lists, in the order the
// model lists their containers.
func ContainerFields() []string { return slices.Clone(containerFields[:]) }
