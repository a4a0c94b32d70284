//go:build integration

package scanner

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/sascan/sascan/internal/kubetest"
)

// TestLiveTypedListEqualsJSON creates the objects of every rule fixture in
// the test API server (each fixture file in its own namespace, cluster-scoped
// names prefixed) and checks that listing every scanned resource as
// protobuf and converting gives, object for object, the map a JSON list
// gives. make test-integration runs it after the command's live tests, so
// it also compares the objects they left.
func TestLiveTypedListEqualsJSON(t *testing.T) {
	cfg := kubetest.Config(t)
	cfg.QPS, cfg.Burst = 500, 1000
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	byKind := map[string]Resource{}
	for _, r := range Resources {
		byKind[r.Kind] = r
	}
	files := fixtureFiles(t)
	// Fresh names each run: deleted namespaces stay terminating.
	run := time.Now().Unix() % 100000
	created := 0
	type ref struct {
		r      Resource
		ns, nm string
	}
	var made []ref
	// Leave the shared test cluster as it was: fixture RBAC objects would
	// change what other tests' ServiceAccounts are granted. (Without a
	// namespace controller the emptied namespaces stay, terminating.)
	t.Cleanup(func() {
		// Namespaces first: once terminating, the controllers stop adding
		// their default ServiceAccount and root CA ConfigMap to them.
		sort.SliceStable(made, func(i, j int) bool { return made[i].r.Kind == "Namespace" && made[j].r.Kind != "Namespace" })
		for _, m := range made {
			ri := dyn.Resource(m.r.GVR)
			if m.ns != "" {
				_ = ri.Namespace(m.ns).Delete(ctx, m.nm, metav1.DeleteOptions{})
			} else {
				_ = ri.Delete(ctx, m.nm, metav1.DeleteOptions{})
			}
		}
	})
	for i, f := range files {
		m, err := LoadManifests(ctx, []string{f}, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ns := fmt.Sprintf("typed-list-%d-%d", run, i)
		nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if _, err := dyn.Resource(byKind["Namespace"].GVR).Create(ctx, nsObj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		made = append(made, ref{byKind["Namespace"], "", ns},
			// What the controllers add to every namespace.
			ref{byKind["ServiceAccount"], ns, "default"}, ref{byKind["ConfigMap"], ns, "kube-root-ca.crt"})
		for _, o := range m.Objects {
			kind, _ := o.Value["kind"].(string)
			r, ok := byKind[kind]
			if !ok || kind == "Namespace" {
				continue
			}
			md, _ := o.Value["metadata"].(map[string]any)
			if md == nil {
				continue
			}
			ri := dyn.Resource(r.GVR)
			var err error
			obj := &unstructured.Unstructured{Object: o.Value}
			if r.Namespaced {
				md["namespace"] = ns
				_, err = ri.Namespace(ns).Create(ctx, obj, metav1.CreateOptions{})
			} else {
				md["name"] = fmt.Sprintf("%s-%v", ns, md["name"])
				_, err = ri.Create(ctx, obj, metav1.CreateOptions{})
			}
			if err == nil || apierrors.IsAlreadyExists(err) {
				created++
				name, _ := md["name"].(string)
				if r.Namespaced {
					made = append(made, ref{r, ns, name})
				} else {
					made = append(made, ref{r, "", name})
				}
			}
		}
	}
	if created < 100 {
		t.Fatalf("only %d fixture objects were accepted by the API server", created)
	}
	typed, err := newTypedClients(cfg)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, r := range Resources {
		got, err := typed.list(ctx, r, "", "", 500, false)
		if err != nil {
			t.Fatalf("typed list %s: %v", r.GVR.Resource, err)
		}
		l, err := dyn.Resource(r.GVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("JSON list %s: %v", r.GVR.Resource, err)
		}
		want := map[string]map[string]any{}
		for _, it := range l.Items {
			obj := it.Object
			obj["apiVersion"], obj["kind"] = r.GVR.GroupVersion().String(), r.Kind
			trimServerFields(obj)
			want[version(obj)] = obj
		}
		for _, g := range got {
			w, ok := want[version(g)]
			if !ok {
				continue // changed between the two lists by another test
			}
			compared++
			if !reflect.DeepEqual(w, g) {
				t.Errorf("%s %s: protobuf list differs from JSON list at %s", r.Kind, version(g), firstDiff("", w, g))
			}
		}
	}
	t.Logf("created %d fixture objects; compared %d objects", created, compared)
	if compared < created {
		t.Errorf("compared %d objects, fewer than the %d created", compared, created)
	}
}

func fixtureFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	dirs, err := os.ReadDir("../testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		fs, _ := os.ReadDir("../testdata/rules/" + d.Name())
		for _, f := range fs {
			out = append(out, "../testdata/rules/"+d.Name()+"/"+f.Name())
		}
	}
	sort.Strings(out)
	return out
}

// version names one state of one object: uid and resourceVersion.
func version(obj map[string]any) string {
	md, _ := obj["metadata"].(map[string]any)
	return fmt.Sprintf("%v@%v", md["uid"], md["resourceVersion"])
}

// firstDiff describes where two decoded objects first differ.
func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %T vs %T", path, a, b)
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		for k := range keys {
			if !reflect.DeepEqual(x[k], y[k]) {
				return firstDiff(path+"."+k, x[k], y[k])
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		for i := range x {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])
			}
		}
	}
	return fmt.Sprintf("%s: %#v (JSON) vs %#v (protobuf)", path, a, b)
}
