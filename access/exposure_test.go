package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func service(ns, name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": name, "namespace": ns}, "spec": spec}
}

func ingress(ns, name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": map[string]any{"name": name, "namespace": ns}, "spec": spec}
}

func backend(svc string) map[string]any {
	return map[string]any{"service": map[string]any{"name": svc, "port": map[string]any{"number": 80}}}
}

func routes(svcs ...string) map[string]any {
	paths := []any{}
	for _, s := range svcs {
		paths = append(paths, map[string]any{"path": "/", "backend": backend(s)})
	}
	return map[string]any{"rules": []any{map[string]any{"http": map[string]any{"paths": paths}}}}
}

// TestExposure: the Services that select a pod spec's pods, as the
// endpoints controller would pick them, and the Ingresses that route to
// each; a Deployment is selected by its pod template's labels.
func TestExposure(t *testing.T) {
	labels := map[string]any{"app": "web", "tier": "front"}
	deployment := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web", "namespace": "shop", "labels": map[string]any{"team": "x"}},
		"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": map[string]any{"containers": containers(map[string]any{"name": "c"})}}},
	}
	for _, tc := range []struct {
		name string
		objs []map[string]any
		want []Exposure
	}{
		{"every label of the selector", []map[string]any{
			service("shop", "both", map[string]any{"type": "NodePort", "selector": map[string]any{"app": "web", "tier": "front"}}),
			service("shop", "one", map[string]any{"selector": map[string]any{"tier": "front"}}),
			service("shop", "wrong-value", map[string]any{"type": "NodePort", "selector": map[string]any{"app": "web", "tier": "back"}}),
			service("shop", "extra-label", map[string]any{"selector": map[string]any{"app": "web", "zone": "a"}}),
			service("shop", "object-labels", map[string]any{"selector": map[string]any{"team": "x"}}),
			service("shop", "empty", map[string]any{"type": "LoadBalancer", "selector": map[string]any{}}),
			service("shop", "none", map[string]any{"type": "LoadBalancer"}),
			service("other", "elsewhere", map[string]any{"type": "NodePort", "selector": map[string]any{"app": "web"}}),
		}, []Exposure{{Service: "both", Type: "NodePort"}, {Service: "one"}}},
		{"values of other types", []map[string]any{
			service("shop", "number", map[string]any{"selector": map[string]any{"app": 1}}),
			service("shop", "type", map[string]any{"type": 7, "selector": map[string]any{"app": "web"}}),
		}, []Exposure{{Service: "type"}}},
		{"the last definition, core only", []map[string]any{
			service("shop", "redefined", map[string]any{"type": "NodePort", "selector": map[string]any{"app": "web"}}),
			service("shop", "redefined", map[string]any{"selector": map[string]any{"app": "other"}}),
			service("shop", "moved", map[string]any{"selector": map[string]any{"app": "other"}}),
			service("shop", "moved", map[string]any{"type": "LoadBalancer", "selector": map[string]any{"app": "web"}}),
			{"apiVersion": "example.com/v1", "kind": "Service", "metadata": map[string]any{"name": "custom", "namespace": "shop"}, "spec": map[string]any{"selector": map[string]any{"app": "web"}}},
		}, []Exposure{{Service: "moved", Type: "LoadBalancer"}}},
		{"an Ingress defined again routes where its last definition does", []map[string]any{
			service("shop", "web", map[string]any{"selector": map[string]any{"app": "web"}}),
			ingress("shop", "www", routes("web")),
			ingress("shop", "www", routes("api")),
		}, []Exposure{{Service: "web"}}},
		{"ingresses of the namespace", []map[string]any{
			service("shop", "web", map[string]any{"selector": map[string]any{"app": "web"}}),
			ingress("shop", "b-rules", routes("api", "web", "web")),
			ingress("shop", "a-default", map[string]any{"defaultBackend": backend("web")}),
			ingress("other", "foreign", routes("web")),
			ingress("shop", "c-elsewhere", routes("api")),
		}, []Exposure{{Service: "web", Ingresses: []string{"a-default", "b-rules"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Build(invOf(append(tc.objs, deployment)), Options{})
			if diff := cmp.Diff(tc.want, m.PodSpecs[0].Exposure); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestExposureOfPod: a Pod is selected by its own labels; a selector value
// matches a label only when both are the same string (a number or a
// boolean never equals the string that spells it).
func TestExposureOfPod(t *testing.T) {
	p := pod("shop", "p", map[string]any{"containers": containers(map[string]any{"name": "c"})})
	p["metadata"].(map[string]any)["labels"] = map[string]any{"n": "1", "b": "true"}
	m := Build(invOf([]map[string]any{
		service("shop", "string", map[string]any{"selector": map[string]any{"n": "1"}}),
		service("shop", "number", map[string]any{"selector": map[string]any{"n": 1}}),
		service("shop", "boolean", map[string]any{"selector": map[string]any{"b": true}}),
		service("shop", "both", map[string]any{"type": "NodePort", "selector": map[string]any{"b": "true", "n": "1"}}),
		p,
	}), Options{})
	if diff := cmp.Diff([]Exposure{{Service: "both", Type: "NodePort"}, {Service: "string"}}, m.PodSpecs[0].Exposure); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
