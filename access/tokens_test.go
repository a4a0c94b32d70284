package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pod(ns, name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": name, "namespace": ns}, "spec": spec}
}

func containers(cs ...map[string]any) []any {
	out := []any{}
	for _, c := range cs {
		out = append(out, c)
	}
	return out
}

// Who holds which token: automount precedence, the admission plugin's own
// volume, projected tokens, ephemeral containers, static pods.
func TestTokenHolding(t *testing.T) {
	injected := map[string]any{"name": "kube-api-access-x", "projected": map[string]any{"sources": []any{
		map[string]any{"serviceAccountToken": map[string]any{"expirationSeconds": 3607, "path": "token"}},
	}}}
	vault := map[string]any{"name": "vault", "projected": map[string]any{"sources": []any{
		map[string]any{"serviceAccountToken": map[string]any{"audience": "vault", "path": "t"}},
	}}}
	mount := func(name, path string) map[string]any {
		return map[string]any{"name": "c", "volumeMounts": []any{map[string]any{"name": name, "mountPath": path}}}
	}
	type got struct {
		Key               string
		Automount, Static bool
		Containers        []Container
		Injected          []int
	}
	for _, tc := range []struct {
		name string
		objs []map[string]any
		opts TokenOptions
		want got
	}{
		{"account unknown, assumed on", []map[string]any{pod("web", "p", map[string]any{"serviceAccountName": "ghost", "containers": containers(map[string]any{"name": "c"})})},
			TokenOptions{AssumeAutomount: true}, got{Key: "web/ghost", Automount: true, Containers: []Container{{Field: "containers", Auto: true}}}},
		{"account unknown, assumed off", []map[string]any{pod("web", "p", map[string]any{"serviceAccountName": "ghost", "containers": containers(map[string]any{"name": "c"})})},
			TokenOptions{}, got{Key: "web/ghost", Containers: []Container{{Field: "containers"}}}},
		{"account says no, pod says yes", []map[string]any{
			{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "app", "namespace": "web"}, "automountServiceAccountToken": false},
			pod("web", "p", map[string]any{"serviceAccountName": "app", "automountServiceAccountToken": true, "containers": containers(map[string]any{"name": "c"})}),
		}, TokenOptions{}, got{Key: "web/app", Automount: true, Containers: []Container{{Field: "containers", Auto: true}}}},
		{"live pod: the injected volume, a projected one, an ephemeral container", []map[string]any{pod("web", "p", map[string]any{
			"automountServiceAccountToken": false,
			"containers":                   containers(mount("kube-api-access-x", DefaultTokenPath), mount("vault", "/v")),
			"ephemeralContainers":          containers(mount("vault", "/v")),
			"volumes":                      []any{vault, injected},
		})}, TokenOptions{}, got{Key: "web/default", Containers: []Container{
			{Field: "containers", Index: 0, Auto: true},
			{Field: "containers", Index: 1, Projected: true},
			{Field: "ephemeralContainers", Index: 0, Projected: true},
		}, Injected: []int{1}}},
		{"own mount at the token path", []map[string]any{pod("web", "p", map[string]any{"containers": containers(mount("own", DefaultTokenPath)), "volumes": []any{map[string]any{"name": "own", "emptyDir": map[string]any{}}}})},
			TokenOptions{}, got{Key: "web/default", Automount: true, Containers: []Container{{Field: "containers"}}}},
		{"kubeadm static pod", []map[string]any{{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": "etcd-n1", "namespace": "kube-system", "labels": map[string]any{"tier": "control-plane", "component": "etcd"}},
			"spec":     map[string]any{"containers": containers(map[string]any{"name": "etcd"})}}},
			TokenOptions{}, got{Key: "kube-system/default", Automount: true, Static: true, Containers: []Container{{Field: "containers", Auto: true}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raws := make([]map[string]any, len(tc.objs))
			copy(raws, tc.objs)
			m := Build(invOf(raws), Options{ComputeAggregation: true, Tokens: tc.opts})
			if len(m.PodSpecs) != 1 {
				t.Fatalf("%d pod specs", len(m.PodSpecs))
			}
			ps := m.PodSpecs[0]
			if diff := cmp.Diff(tc.want, got{ps.Key, ps.Automount, ps.Static, ps.Containers, ps.Injected}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Only the ephemeral container's token does not count.
			holds := false
			for _, c := range tc.want.Containers {
				holds = holds || (c.Field != "ephemeralContainers" && (c.Auto || c.Projected))
			}
			if ps.HoldsToken() != (holds && !tc.want.Static) {
				t.Errorf("HoldsToken() = %v", ps.HoldsToken())
			}
		})
	}
}

// An ephemeral container gets no automounted token.
func TestEphemeralContainersGetNoAutomount(t *testing.T) {
	m := Build(invOf([]map[string]any{pod("web", "p", map[string]any{
		"containers":          containers(map[string]any{"name": "c"}),
		"ephemeralContainers": containers(map[string]any{"name": "debug"}),
	})}), Options{})
	want := []Container{{Field: "containers", Auto: true}, {Field: "ephemeralContainers"}}
	if diff := cmp.Diff(want, m.PodSpecs[0].Containers); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The Secrets a pod spec names: secret volumes and projected secret
// sources (mounted or not, named or not), env and envFrom of every
// container kind, in that order; values that are not names are not refs.
func TestSecretRefs(t *testing.T) {
	m := Build(invOf([]map[string]any{pod("web", "p", map[string]any{
		"volumes": []any{
			map[string]any{"name": "a", "secret": map[string]any{"secretName": "s-a"}},
			map[string]any{"name": "b", "projected": map[string]any{"sources": []any{
				map[string]any{"secret": map[string]any{"name": "s-b1"}},
				map[string]any{"configMap": map[string]any{"name": "cm"}},
				map[string]any{"secret": map[string]any{"name": "s-b2"}},
			}}},
			map[string]any{"secret": map[string]any{"secretName": "s-unnamed"}},
			map[string]any{"name": "c", "secret": map[string]any{"secretName": 7}},
		},
		"initContainers": containers(map[string]any{"name": "i", "envFrom": []any{
			map[string]any{"configMapRef": map[string]any{"name": "cm"}},
			map[string]any{"secretRef": map[string]any{"name": "s-init"}},
		}}),
		"containers": containers(map[string]any{"name": "c", "volumeMounts": []any{map[string]any{"name": "b", "mountPath": "/b"}}, "env": []any{
			map[string]any{"name": "X", "value": "x"},
			map[string]any{"name": "Y", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "s-env", "key": "k"}}},
		}}),
		"ephemeralContainers": containers(map[string]any{"name": "d", "volumeMounts": []any{map[string]any{"name": "a", "mountPath": "/a"}}}),
	})}), Options{})
	want := []SecretRef{
		{Secret: "s-a", Volume: 0, Mounted: true, Container: -1, Index: -1},
		{Secret: "s-b1", Volume: 1, Mounted: true, Container: -1, Index: -1},
		{Secret: "s-b2", Volume: 1, Mounted: true, Container: -1, Index: -1},
		{Secret: "s-unnamed", Volume: 2, Container: -1, Index: -1},
		{Secret: "s-init", Volume: -1, Container: 0, Field: "envFrom", Index: 1},
		{Secret: "s-env", Volume: -1, Container: 1, Field: "env", Index: 1},
	}
	if diff := cmp.Diff(want, m.PodSpecs[0].SecretRefs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHost: what of its node a pod spec reaches, from every kind of
// container; values that are not what the API server stores (a string
// "true", a capability that is not a string) reach nothing.
func TestHost(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec map[string]any
		want Host
	}{
		{"nothing", map[string]any{
			"hostNetwork": "true", "hostPID": false,
			"volumes":    []any{map[string]any{"name": "a", "emptyDir": map[string]any{}}, map[string]any{"name": "b", "hostPath": false}},
			"containers": containers(map[string]any{"name": "c", "securityContext": map[string]any{"privileged": "true", "capabilities": map[string]any{"add": []any{7}}}}),
		}, Host{}},
		{"everything", map[string]any{
			"hostIPC": true, "hostNetwork": true,
			"volumes":             []any{map[string]any{"name": "h", "hostPath": map[string]any{"path": "/"}}},
			"initContainers":      containers(map[string]any{"name": "i", "securityContext": map[string]any{"capabilities": map[string]any{"add": []any{"net_admin", "SYS_ADMIN"}}}}),
			"containers":          containers(map[string]any{"name": "c", "securityContext": map[string]any{"capabilities": map[string]any{"add": []any{"NET_ADMIN"}}}}),
			"ephemeralContainers": containers(map[string]any{"name": "d", "securityContext": map[string]any{"privileged": true}}),
		}, Host{Privileged: true, Namespaces: []string{"hostNetwork", "hostIPC"}, Path: true, Capabilities: []string{"NET_ADMIN", "SYS_ADMIN"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Build(invOf([]map[string]any{pod("web", "p", tc.spec)}), Options{})
			if diff := cmp.Diff(tc.want, m.PodSpecs[0].Host); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestProjectedTokens: the serviceAccountToken sources of the projected
// volumes a pod spec declares, by volume and source index; the volume the
// admission plugin injected and a source whose serviceAccountToken is not
// an object (false, null: the API server accepts only an object there) are
// not among them.
func TestProjectedTokens(t *testing.T) {
	injected := map[string]any{"name": "kube-api-access-x1", "projected": map[string]any{"sources": []any{
		map[string]any{"serviceAccountToken": map[string]any{"path": "token", "expirationSeconds": int64(3607)}},
	}}}
	own := map[string]any{"name": "vault", "projected": map[string]any{"sources": []any{
		map[string]any{"configMap": map[string]any{"name": "ca"}},
		"not a source",
		map[string]any{"serviceAccountToken": map[string]any{"audience": "vault", "path": "t"}},
		map[string]any{"serviceAccountToken": false},
		map[string]any{"serviceAccountToken": nil},
		map[string]any{"serviceAccountToken": map[string]any{"path": "u"}},
	}}}
	m := Build(invOf([]map[string]any{pod("web", "p", map[string]any{
		"volumes":    []any{injected, map[string]any{"name": "data", "emptyDir": map[string]any{}}, own},
		"containers": containers(map[string]any{"name": "c"}),
	})}), Options{})
	if diff := cmp.Diff([]ProjectedToken{{Volume: 2, Source: 2}, {Volume: 2, Source: 5}}, m.PodSpecs[0].ProjectedTokens); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
