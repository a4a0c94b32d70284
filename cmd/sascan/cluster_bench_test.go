//go:build integration

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/sascan/sascan/scanner"
)

// seed creates about n objects in the test API server (once): ConfigMaps,
// ServiceAccounts, Opaque Secrets and RoleBindings (to view, each naming a
// ServiceAccount the seed created) over 20 namespaces.
func seed(b *testing.B, n int) {
	b.Helper()
	cfg, _, _ := liveClients(&testing.T{})
	cfg.QPS, cfg.Burst = 1000, 2000
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	if l, err := cs.CoreV1().ConfigMaps("bench-0").List(ctx, metav1.ListOptions{Limit: 1}); err == nil && len(l.Items) > 0 {
		return
	}
	created := 0
	for i := 0; created < n; i++ {
		ns := fmt.Sprintf("bench-%d", i%20)
		if i < 20 {
			_, _ = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		}
		name := fmt.Sprintf("obj-%d", i)
		var err error
		switch i % 10 {
		case 0, 1, 2, 3, 4, 5:
			_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"app.yaml": strings.Repeat("key: value\n", 20)}}, metav1.CreateOptions{})
		case 6, 7:
			_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		case 8:
			_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: map[string]string{"password": "x"}}, metav1.CreateOptions{})
		case 9:
			_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
				// The ServiceAccount created two objects earlier, in its own
				// namespace: a grant to an existing account.
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: fmt.Sprintf("obj-%d", i-2), Namespace: fmt.Sprintf("bench-%d", (i-2)%20)}},
			}, metav1.CreateOptions{})
		}
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			b.Fatalf("seed: %v", err)
		}
		created++
	}
}

// BenchmarkClusterScan compares `sascan cluster -o json` with a bare
// paginated client-go list of the same resources, over 5k+ objects.
func BenchmarkClusterScan(b *testing.B) {
	seed(b, 5000)
	b.Run("sascan", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var errb bytes.Buffer
			code := run(context.Background(), []string{"cluster", "-o", "json", "--fail-on", "none", "--qps", "200", "--burst", "400"},
				streams{In: bytes.NewReader(nil), Out: io.Discard, Err: &errb})
			if code != exitClean {
				b.Fatalf("exit %d: %s", code, errb.String())
			}
		}
	})
	b.Run("client-go-list", func(b *testing.B) {
		cfg, _, _ := liveClients(&testing.T{})
		cfg.QPS, cfg.Burst = 200, 400
		dyn := dynamic.NewForConfigOrDie(cfg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			total := 0
			for _, r := range scanner.Resources {
				opts := metav1.ListOptions{Limit: 500}
				for {
					l, err := dyn.Resource(r.GVR).List(context.Background(), opts)
					if err != nil {
						b.Fatal(err)
					}
					total += len(l.Items)
					if l.GetContinue() == "" {
						break
					}
					opts.Continue = l.GetContinue()
				}
			}
			if total < 5000 {
				b.Fatalf("listed %d objects", total)
			}
		}
	})
}
