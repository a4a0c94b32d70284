//go:build integration

package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

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
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			bareList(b, 5000)
		}
	})
}

// A seedShape is what seedLarge makes of each group of ten objects in
// one namespace: kinds[j] is the kind of the group's object j ("Pod",
// "ServiceAccount" (always j = 3), "Secret", "ConfigMap", "RoleBinding"),
// over namespaces namespaces. In every groupEvery-th group the binding at
// j = 8 names the namespace's ServiceAccount group instead of the group's
// account; in every clusterEvery-th (when set) the one at j = 9 is a
// ClusterRoleBinding of view to all ServiceAccounts.
type seedShape struct {
	namespaces, groupEvery, clusterEvery int
	kinds                                [10]string
}

// seedShapes are the shapes SASCAN_BENCH_SHAPE names: mix (the default:
// workloads, Secrets and ConfigMaps, a fifth RoleBindings, one in twenty
// of them to a group) and rbac-heavy (ten times the namespaces, 60 %
// RoleBindings, one in six to a group, ClusterRoleBindings to every
// ServiceAccount).
var seedShapes = map[string]seedShape{
	"mix": {namespaces: 100, groupEvery: 10,
		kinds: [10]string{"Pod", "Pod", "Pod", "ServiceAccount", "Secret", "Secret", "ConfigMap", "ConfigMap", "RoleBinding", "RoleBinding"}},
	"rbac-heavy": {namespaces: 1000, groupEvery: 1, clusterEvery: 100,
		kinds: [10]string{"Pod", "Pod", "Secret", "ServiceAccount", "RoleBinding", "RoleBinding", "RoleBinding", "RoleBinding", "RoleBinding", "RoleBinding"}},
}

// benchShape is SASCAN_BENCH_SHAPE's shape (mix when unset).
func benchShape(b *testing.B) (string, seedShape) {
	name := cmp.Or(os.Getenv("SASCAN_BENCH_SHAPE"), "mix")
	shape, ok := seedShapes[name]
	if !ok {
		b.Fatalf("SASCAN_BENCH_SHAPE=%s: want mix or rbac-heavy", name)
	}
	return name, shape
}

// seedLarge creates n objects (SASCAN_BENCH_OBJECTS, default 100,000) of
// a shape in the test API server, once: Pods running as ServiceAccounts of
// their namespace (a fifth as default), the ServiceAccounts, Opaque
// Secrets, ConfigMaps, and bindings to view.
func seedLarge(b *testing.B, n int, shapeName string, shape seedShape) {
	b.Helper()
	cfg, _, _ := liveClients(&testing.T{})
	cfg.QPS, cfg.Burst = 5000, 10000
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	done := fmt.Sprintf("seeded-%s-%d", shapeName, n)
	if _, err := cs.CoreV1().ConfigMaps("large-0").Get(ctx, done, metav1.GetOptions{}); err == nil {
		return
	}
	for i := range shape.namespaces {
		ns := fmt.Sprintf("large-%d", i)
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !strings.Contains(err.Error(), "already exists") {
			b.Fatal(err)
		}
		// Pods need the namespace's default ServiceAccount (admission).
		if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !strings.Contains(err.Error(), "already exists") {
			b.Fatal(err)
		}
	}
	// Objects come in groups of ten in one namespace; the group's
	// ServiceAccount (index 3) is created first, as admission checks that a
	// pod's account exists.
	create := func(first bool) error {
		var g errgroup.Group
		g.SetLimit(32)
		for i := range n {
			if (i%10 == 3) != first {
				continue
			}
			g.Go(func() error { return seedOne(ctx, cs, i, shape) })
		}
		return g.Wait()
	}
	for _, first := range []bool{true, false} {
		if err := create(first); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := cs.CoreV1().ConfigMaps("large-0").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: done}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
}

// seedOne creates object i of seedLarge.
func seedOne(ctx context.Context, cs *kubernetes.Clientset, i int, shape seedShape) error {
	ns := fmt.Sprintf("large-%d", (i/10)%shape.namespaces)
	name := fmt.Sprintf("obj-%d", i)
	sa := fmt.Sprintf("obj-%d", (i/10)*10+3) // the account of this group of ten
	var err error
	switch shape.kinds[i%10] {
	case "Pod":
		if i%5 == 0 {
			sa = "default"
		}
		_, err = cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{ServiceAccountName: sa, Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1.0"}}}}, metav1.CreateOptions{})
	case "ServiceAccount":
		_, err = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	case "Secret":
		_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: map[string]string{"password": "x"}}, metav1.CreateOptions{})
	case "ConfigMap":
		_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"app.yaml": strings.Repeat("key: value\n", 10)}}, metav1.CreateOptions{})
	default:
		group, j := i/10, i%10
		view := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}
		subject := rbacv1.Subject{Kind: "ServiceAccount", Name: sa, Namespace: ns}
		if shape.clusterEvery > 0 && group%shape.clusterEvery == 0 && j == 9 {
			_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "large-" + name},
				RoleRef: view, Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts"}}}, metav1.CreateOptions{})
			break
		}
		if group%shape.groupEvery == 0 && j == 8 {
			subject = rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts:" + ns}
		}
		_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef: view, Subjects: []rbacv1.Subject{subject}}, metav1.CreateOptions{})
	}
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("seed %s/%s: %w", ns, name, err)
	}
	return nil
}

// BenchmarkClusterScanLarge: `sascan cluster -o json` as a process under
// the CronJob's GOMEMLIMIT=900MiB over at least 100,000 objects, beside a
// bare paginated list of the same resources. It reports the scan's peak
// RSS (MB-peak-rss) and its time over the bare list's (x-list); the targets
// are 1 GiB and 1.3x (deploy/cronjob.yaml is sized from them).
func BenchmarkClusterScanLarge(b *testing.B) {
	n := 100_000
	if s := os.Getenv("SASCAN_BENCH_OBJECTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	shapeName, shape := benchShape(b)
	seedLarge(b, n, shapeName, shape)
	bin := filepath.Join(b.TempDir(), "sascan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	var list time.Duration
	b.Run("client-go-list", func(b *testing.B) {
		for b.Loop() {
			bareList(b, n)
		}
		list = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("sascan", func(b *testing.B) {
		var rss int64
		for b.Loop() {
			cmd := exec.Command(bin, "cluster", "-o", "json", "--fail-on", "none", "--qps", "200", "--burst", "400")
			cmd.Env = append(os.Environ(), "GOMEMLIMIT=900MiB")
			cmd.Stdout = io.Discard
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Run(); err != nil {
				b.Fatalf("%v: %s", err, errb.String())
			}
			rss = max(rss, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
		}
		b.ReportMetric(float64(rss)/1024, "MB-peak-rss")
		if list > 0 {
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(list), "x-list")
		}
	})
}

// bareList lists every resource a scan lists, paginated, with a dynamic
// client (JSON), and fails unless it saw at least want objects.
func bareList(b *testing.B, want int) {
	b.Helper()
	cfg, _, _ := liveClients(&testing.T{})
	cfg.QPS, cfg.Burst = 200, 400
	dyn := dynamic.NewForConfigOrDie(cfg)
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
	if total < want {
		b.Fatalf("listed %d objects, want at least %d", total, want)
	}
}
