//go:build integration

// Live tests against a real kube-apiserver, etcd and kube-controller-manager
// started by hack/kube/up.sh (make test-integration). KUBECONFIG must point
// at that control plane's admin kubeconfig.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/sascan/sascan/internal/kubetest"
)

func liveClients(t *testing.T) (*rest.Config, *kubernetes.Clientset, dynamic.Interface) {
	t.Helper()
	cfg := kubetest.Config(t)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cs, dyn
}

var gvrs = map[string]schema.GroupVersionResource{
	"Namespace":          {Version: "v1", Resource: "namespaces"},
	"ServiceAccount":     {Version: "v1", Resource: "serviceaccounts"},
	"Secret":             {Version: "v1", Resource: "secrets"},
	"ConfigMap":          {Version: "v1", Resource: "configmaps"},
	"Pod":                {Version: "v1", Resource: "pods"},
	"Service":            {Version: "v1", Resource: "services"},
	"Deployment":         {Group: "apps", Version: "v1", Resource: "deployments"},
	"DaemonSet":          {Group: "apps", Version: "v1", Resource: "daemonsets"},
	"CronJob":            {Group: "batch", Version: "v1", Resource: "cronjobs"},
	"Role":               {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"},
	"RoleBinding":        {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
	"ClusterRole":        {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	"ClusterRoleBinding": {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
	"CSIDriver":          {Group: "storage.k8s.io", Version: "v1", Resource: "csidrivers"},
}

// apply creates every object of a manifest file (namespaces first) and
// returns their identities.
func apply(t *testing.T, dyn dynamic.Interface, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, doc := range strings.Split(string(data), "\n---") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		gvr, ok := gvrs[u.GetKind()]
		if !ok {
			t.Fatalf("%s: kind %s not handled by the test", path, u.GetKind())
		}
		ns := u.GetNamespace()
		if ns == "" && u.GetKind() != "Namespace" && !strings.HasPrefix(u.GetKind(), "Cluster") && u.GetKind() != "CSIDriver" {
			ns = "default"
		}
		if ns != "" {
			_, _ = dyn.Resource(gvrs["Namespace"]).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}, metav1.CreateOptions{})
		}
		var err2 error
		if ns != "" {
			_, err2 = dyn.Resource(gvr).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{})
		} else {
			_, err2 = dyn.Resource(gvr).Create(context.Background(), u, metav1.CreateOptions{})
		}
		if err2 != nil && !strings.Contains(err2.Error(), "already exists") {
			t.Fatalf("%s: create %s %s/%s: %v", path, u.GetKind(), ns, u.GetName(), err2)
		}
		// Remove the objects after the test: a fixture's control-plane pod
		// (lookup=false, say) would change what other tests see.
		name := u.GetName()
		t.Cleanup(func() {
			var err error
			if ns != "" && u.GetKind() != "Namespace" {
				err = dyn.Resource(gvr).Namespace(ns).Delete(context.Background(), name, metav1.DeleteOptions{})
			} else if u.GetKind() != "Namespace" {
				err = dyn.Resource(gvr).Delete(context.Background(), name, metav1.DeleteOptions{})
			}
			if err != nil && !strings.Contains(err.Error(), "not found") {
				t.Logf("delete %s %s/%s: %v", u.GetKind(), ns, name, err)
			}
		})
		ids = append(ids, u.GetKind()+" "+ns+"/"+u.GetName())
	}
	return ids
}

type liveFinding struct {
	RuleID   string `json:"ruleId"`
	Severity string `json:"severity"`
	Object   struct {
		Kind, Namespace, Name string
	} `json:"object"`
	Path     string         `json:"path"`
	Location map[string]any `json:"location"`
	Evidence map[string]any `json:"evidence"`
}

type liveReport struct {
	Findings   []liveFinding `json:"findings"`
	Incomplete []struct {
		Resource string   `json:"resource"`
		Rules    []string `json:"rules"`
	} `json:"incomplete"`
	Source struct {
		Mode, Context string
	} `json:"source"`
}

func clusterScan(t *testing.T, args ...string) (liveReport, result) {
	t.Helper()
	r := cli(t, "", append([]string{"cluster", "-o", "json", "--fail-on", "none"}, args...)...)
	var rep liveReport
	if r.code == exitClean {
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatalf("report: %v\n%s", err, r.out)
		}
	}
	return rep, r
}

// findingObjects is the set of objects the findings name, as findingKeys
// writes them.
func findingObjects(fs []liveFinding) map[string]bool {
	all := map[string]bool{}
	for _, f := range fs {
		all[f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name] = true
	}
	return all
}

func findingKeys(fs []liveFinding, objects map[string]bool, rulesFilter map[string]bool) []string {
	var out []string
	for _, f := range fs {
		id := f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
		if !objects[id] || (rulesFilter != nil && !rulesFilter[f.RuleID]) {
			continue
		}
		out = append(out, f.RuleID+" "+f.Severity+" "+id)
	}
	sort.Strings(out)
	return out
}

// TestLiveMatchesManifest applies rule fixtures to the API server and checks
// that the cluster scan reports the same (rule, severity, object) as the
// manifest scan of the same files, for the rules that read what the API
// stores unchanged.
func TestLiveMatchesManifest(t *testing.T) {
	repoRoot(t)
	_, _, dyn := liveClients(t)
	fixtures := []string{
		"testdata/rules/SA011/fail-rolebinding-edit.yaml",
		"testdata/rules/SA012/fail-namespace-group-secrets.yaml",
		"testdata/rules/SA013/fail-exec-get.yaml",
		"testdata/rules/SA015/fail-custom-aggregate.yaml",
		"testdata/rules/SA019/fail-host-network.yaml",
		"testdata/rules/SA021/fail-replicaset-controller.yaml",
		"testdata/rules/SA022/fail-two-days.yaml",
		"testdata/rules/SA026/fail-long-api-audience.yaml",
		"testdata/rules/SA032/fail-unauthenticated.yaml",
		"testdata/rules/SA010/fail-yes.yaml",
		"testdata/rules/SA009/fail-secrets-listed.yaml",
		"testdata/rules/SA017/fail-default-sa.yaml",
		"testdata/rules/SA027/fail-lookup-false.yaml",
		"testdata/rules/SA030/fail-absent.yaml",
	}
	// One kube-apiserver pod only (fixtures share the name); ClusterRoleBinding
	// subjects without namespace are rejected by the API (SA014 a).
	// Rules whose inputs the API stores as written. Not compared: SA020
	// (the API mirrors serviceAccount into serviceAccountName), SA016/SA018
	// (live pods carry the injected token volume), SA017 on implicit SAs.
	compared := map[string]bool{"SA009": true, "SA010": true, "SA011": true, "SA012": true, "SA013": true, "SA015": true, "SA019": true, "SA021": true, "SA022": true, "SA023": true, "SA024": true, "SA025": true, "SA026": true, "SA027": true, "SA028": true, "SA030": true, "SA032": true}
	objects := map[string]bool{}
	for _, f := range fixtures {
		for _, id := range apply(t, dyn, f) {
			objects[id] = true
		}
	}
	m := cli(t, "", append([]string{"scan", "-o", "json", "--fail-on", "none", "--kube-version", "1.37"}, fixtures...)...)
	var manifest liveReport
	if err := json.Unmarshal([]byte(m.out), &manifest); err != nil {
		t.Fatalf("manifest report: %v", err)
	}
	live, r := clusterScan(t)
	if r.code != exitClean {
		t.Fatalf("cluster scan exit %d: %s", r.code, r.err)
	}
	want := findingKeys(manifest.Findings, objects, compared)
	got := findingKeys(live.Findings, objects, compared)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("live findings differ from manifest findings\nmanifest:\n%s\nlive:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if len(want) < 8 {
		t.Errorf("only %d comparable findings: %v", len(want), want)
	}
	for _, f := range live.Findings {
		if f.Location["cluster"] != live.Source.Context || f.Location["file"] != nil {
			t.Fatalf("live finding location %v, want cluster %q", f.Location, live.Source.Context)
		}
	}
}

// TestLegacyTokenLifecycle creates a legacy token Secret, lets the token
// controller fill it, uses the token, and expects SA001 and SA005.
func TestLegacyTokenLifecycle(t *testing.T) {
	repoRoot(t)
	cfg, cs, _ := liveClients(t)
	ctx := context.Background()
	ns := "legacy-tokens"
	ensureServiceAccount(cs, ns, "robot")
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-token", Annotations: map[string]string{"kubernetes.io/service-account.name": "robot"}},
		Type:       corev1.SecretTypeServiceAccountToken,
	}, metav1.CreateOptions{})
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		t.Fatal(err)
	}
	var token string
	for i := 0; i < 60 && token == ""; i++ {
		s, err := cs.CoreV1().Secrets(ns).Get(ctx, "robot-token", metav1.GetOptions{})
		if err == nil {
			token = string(s.Data["token"])
		}
		if token == "" {
			time.Sleep(500 * time.Millisecond)
		}
	}
	if token == "" {
		t.Fatal("the token controller did not fill the Secret")
	}
	// Using the token makes the API server stamp the last-used label.
	use := rest.AnonymousClientConfig(cfg)
	use.BearerToken = token
	ucs := kubernetes.NewForConfigOrDie(use)
	_, _ = ucs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	labelled := false
	for i := 0; i < 40 && !labelled; i++ {
		s, err := cs.CoreV1().Secrets(ns).Get(ctx, "robot-token", metav1.GetOptions{})
		labelled = err == nil && s.Labels["kubernetes.io/legacy-token-last-used"] != ""
		if !labelled {
			time.Sleep(250 * time.Millisecond)
		}
	}
	if !labelled {
		t.Fatal("the API server did not set kubernetes.io/legacy-token-last-used")
	}
	rep, r := clusterScan(t, "-n", ns)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	got := findingKeys(rep.Findings, map[string]bool{"Secret " + ns + "/robot-token": true}, map[string]bool{"SA001": true, "SA005": true})
	want := []string{"SA001 high Secret legacy-tokens/robot-token", "SA005 medium Secret legacy-tokens/robot-token"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings %v, want %v", got, want)
	}
	if strings.Contains(r.out+r.err, token) || strings.Contains(r.out+r.err, strings.Split(token, ".")[2]) {
		t.Fatal("the report contains the token")
	}
}

// recorder is a reverse proxy in front of the API server that records
// every request, so tests can check what sascan asked for.
type recorder struct {
	mu       sync.Mutex
	requests []string
	// faults: requests whose path contains the key get a 503 while the
	// count lasts (a flaky API server); delays: they wait that long first
	// while the count lasts.
	faults map[string]int
	delays map[string]int
	delay  time.Duration
	// inject, when set, sees each request first (outside the lock) and
	// answers it itself by returning true.
	inject func(w http.ResponseWriter, r *http.Request) bool
}

func proxyKubeconfig(t *testing.T, cfg *rest.Config, token string) (string, *recorder) {
	t.Helper()
	target, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rp.Transport = &http.Transport{TLSClientConfig: tlsCfg}
	rec := &recorder{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.requests = append(rec.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" accept="+r.Header.Get("Accept"))
		inject := rec.inject
		rec.mu.Unlock()
		if inject != nil && inject(w, r) {
			return
		}
		rec.mu.Lock()
		for k, n := range rec.delays {
			if n > 0 && strings.Contains(r.URL.Path, k) {
				rec.delays[k] = n - 1
				d := rec.delay
				rec.mu.Unlock()
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				}
				rec.mu.Lock()
				break
			}
		}
		for k, n := range rec.faults {
			if n > 0 && strings.Contains(r.URL.Path, k) {
				rec.faults[k] = n - 1
				rec.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected","reason":"ServiceUnavailable","code":503}`)
				return
			}
		}
		rec.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	_ = tls.VersionTLS12
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: proxy, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: %q}}]
contexts: [{name: proxied, context: {cluster: proxy, user: u}}]
current-context: proxied
`, srv.URL, token)
	if err := os.WriteFile(kc, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc, rec
}

// TestNoSecretDataWithoutFlag checks that Secrets are only listed through
// the metadata API unless --read-secret-data is given.
func TestNoSecretDataWithoutFlag(t *testing.T) {
	repoRoot(t)
	cfg, _, _ := liveClients(t)
	kc, rec := proxyKubeconfig(t, cfg, cfg.BearerToken)
	if _, r := clusterScan(t, "--kubeconfig", kc); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	secretLists := 0
	for _, req := range rec.requests {
		if strings.Contains(req, "/secrets") {
			secretLists++
			if !strings.Contains(req, "as=PartialObjectMetadataList") {
				t.Errorf("secret values requested: %s", req)
			}
		}
	}
	if secretLists == 0 {
		t.Fatal("no Secret list seen")
	}
	rec.requests = nil
	if _, r := clusterScan(t, "--kubeconfig", kc, "--read-secret-data"); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	full := false
	for _, req := range rec.requests {
		full = full || (strings.Contains(req, "/secrets") && !strings.Contains(req, "PartialObjectMetadata"))
	}
	if !full {
		t.Error("--read-secret-data did not list Secret values")
	}
}

// TestPartialAccess scans with a ServiceAccount that may list everything
// but Secrets and expects an incomplete report, not a failure.
func TestPartialAccess(t *testing.T) {
	repoRoot(t)
	cfg, cs, _ := liveClients(t)
	ctx := context.Background()
	ns := "sascan-limited"
	ensureServiceAccount(cs, ns, "scanner")
	_, _ = cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "sascan-no-secrets"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"", "apps", "batch", "rbac.authorization.k8s.io", "storage.k8s.io", "networking.k8s.io"},
				Resources: []string{"namespaces", "serviceaccounts", "configmaps", "pods", "replicationcontrollers", "podtemplates", "services",
					"deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "ingresses",
					"roles", "rolebindings", "clusterroles", "clusterrolebindings", "csidrivers"},
				Verbs: []string{"list"}},
		},
	}, metav1.CreateOptions{})
	_, _ = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "sascan-no-secrets"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "sascan-no-secrets"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "scanner", Namespace: ns}},
	}, metav1.CreateOptions{})
	token := saToken(t, cs, ns, "scanner")
	kc, _ := proxyKubeconfig(t, cfg, token)
	rep, r := clusterScan(t, "--kubeconfig", kc)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var resources []string
	for _, inc := range rep.Incomplete {
		resources = append(resources, inc.Resource)
		// Every rule that reads Secrets: the token rules, and those whose
		// token attribution or account scope includes token Secrets.
		if inc.Resource == "secrets" {
			for _, id := range []string{"SA001", "SA004", "SA008", "SA013", "SA016"} {
				if !contains(inc.Rules, id) {
					t.Errorf("incomplete secrets entry names rules %v, without %s", inc.Rules, id)
				}
			}
			if contains(inc.Rules, "SA026") {
				t.Errorf("incomplete secrets entry names SA026 (CSIDrivers only): %v", inc.Rules)
			}
		}
	}
	if !contains(resources, "secrets") {
		t.Fatalf("incomplete %v, want secrets", resources)
	}
	if !strings.Contains(r.err, "cannot list") {
		t.Errorf("no warning on stderr: %s", r.err)
	}
	if strings.Contains(r.out, token) {
		t.Fatal("token in output")
	}
}

func TestNamespaceFilterAndBadCredentials(t *testing.T) {
	repoRoot(t)
	cfg, _, _ := liveClients(t)
	rep, r := clusterScan(t, "-n", "legacy-tokens")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, f := range rep.Findings {
		if f.Object.Namespace != "" && f.Object.Namespace != "legacy-tokens" && f.Object.Namespace != "kube-system" {
			t.Errorf("finding outside -n: %s %s/%s", f.RuleID, f.Object.Namespace, f.Object.Name)
		}
	}
	kc, _ := proxyKubeconfig(t, cfg, "not-a-valid-token")
	_, bad := clusterScan(t, "--kubeconfig", kc)
	if bad.code != exitError || !strings.Contains(bad.err, "provide credentials") {
		t.Fatalf("bad credentials: exit %d stderr %s", bad.code, bad.err)
	}
	_, unreachable := clusterScan(t, "--kubeconfig", writeKubeconfig(t, "https://127.0.0.1:1"), "--request-timeout", "2s")
	if unreachable.code != exitError {
		t.Fatalf("unreachable: exit %d", unreachable.code)
	}
}

func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	var b bytes.Buffer
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n", server)
	if err := os.WriteFile(kc, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestClusterSARIF validates SARIF of a live scan with the SARIF multitool
// and GitHub's ingestion rules.
func TestClusterSARIF(t *testing.T) {
	root := repoRoot(t)
	tool, ok := sarifValidator(t, root)
	if !ok {
		t.Skip("../shared/tools/validate-sarif not present")
	}
	out := filepath.Join(t.TempDir(), "cluster.sarif")
	if r := cli(t, "", "cluster", "-o", "sarif", "--output-file", out, "--fail-on", "none"); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	b, _ := os.ReadFile(out)
	if !bytes.Contains(b, []byte(`"fullyQualifiedName"`)) || !bytes.Contains(b, []byte(`"uri": "cluster/`)) {
		t.Fatal("cluster SARIF lacks logical or physical locations")
	}
	res, err := exec.Command(tool, out).CombinedOutput()
	if err != nil || !bytes.Contains(res, []byte(" 0 error(s)")) {
		t.Fatalf("validate-sarif: %v\n%s", err, res)
	}
}

// TestTransientErrorsAreRetried: a burst of 503s on some lists is retried
// within the budget and the scan reports what a clean scan reports; past
// the budget the scan fails with exit 2 rather than a partial report.
func TestTransientErrorsAreRetried(t *testing.T) {
	repoRoot(t)
	cfg, _, _ := liveClients(t)
	clean, r := clusterScan(t)
	if r.code != exitClean {
		t.Fatalf("clean scan: exit %d: %s", r.code, r.err)
	}
	kc, rec := proxyKubeconfig(t, cfg, cfg.BearerToken)
	rec.faults = map[string]int{"/secrets": 3, "/pods": 2, "/clusterrolebindings": 4}
	flaky, r := clusterScan(t, "--kubeconfig", kc)
	if r.code != exitClean {
		t.Fatalf("flaky scan: exit %d: %s", r.code, r.err)
	}
	for path, left := range rec.faults {
		if left != 0 {
			t.Fatalf("%d injected failures on %s were never requested: the scan did not retry", left, path)
		}
	}
	all := findingObjects(clean.Findings)
	if a, b := findingKeys(clean.Findings, all, nil), findingKeys(flaky.Findings, all, nil); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("findings differ after retries:\nclean %d, flaky %d", len(a), len(b))
	}
	rec.faults = map[string]int{"/serviceaccounts": 100}
	if _, r := clusterScan(t, "--kubeconfig", kc); r.code != exitError || !strings.Contains(r.err, "serviceaccounts") {
		t.Fatalf("persistent 503: exit %d stderr %s", r.code, r.err)
	}
}

// TestSlowResponsesAreRetried: responses slower than --request-timeout are
// retried and the scan completes.
func TestSlowResponsesAreRetried(t *testing.T) {
	repoRoot(t)
	cfg, _, _ := liveClients(t)
	kc, rec := proxyKubeconfig(t, cfg, cfg.BearerToken)
	rec.delay = 3 * time.Second
	rec.delays = map[string]int{"/secrets": 2}
	start := time.Now()
	if _, r := clusterScan(t, "--kubeconfig", kc, "--request-timeout", "1s"); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if rec.delays["/secrets"] != 0 {
		t.Fatal("the slow responses were not requested")
	}
	secrets := 0
	for _, req := range rec.requests {
		if strings.Contains(req, "/secrets") {
			secrets++
		}
	}
	// Two Secret lists (token and other types) plus a retry per slow answer.
	if secrets < 4 {
		t.Errorf("%d Secret requests: the timed-out lists were not retried", secrets)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("scan took %v", time.Since(start))
	}
}

// TestSIGTERMStopsAScan: a terminated cluster scan exits 2 promptly and
// writes no report.
func TestSIGTERMStopsAScan(t *testing.T) {
	root := repoRoot(t)
	cfg, _, _ := liveClients(t)
	kc, rec := proxyKubeconfig(t, cfg, cfg.BearerToken)
	rec.delay = 30 * time.Second
	rec.delays = map[string]int{"/secrets": 100}
	// The signal goes when the scan is waiting on its first Secrets list,
	// not after a guessed sleep.
	listing := make(chan struct{})
	var once sync.Once
	rec.inject = func(_ http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/secrets") {
			once.Do(func() { close(listing) })
		}
		return false
	}
	bin := filepath.Join(t.TempDir(), "sascan")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/sascan").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(bin, "cluster", "--kubeconfig", kc, "-o", "json", "--output-file", report)
	cmd.Dir = root
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-listing:
	case <-time.After(60 * time.Second):
		t.Fatal("the scan never listed Secrets")
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if time.Since(start) > 5*time.Second {
		t.Errorf("stopping took %v", time.Since(start))
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit: %v, want %d", err, exitError)
	}
	if _, err := os.Stat(report); err == nil {
		t.Fatal("a report was written for an interrupted scan")
	}
}

// TestLeastPrivilegeRole scans with a token of the deploy/ ServiceAccount:
// everything the rules need is listed (no incomplete resource), and the
// role grants no get on Secrets. RBAC cannot grant a metadata-only list, so
// `list secrets` could still read values; sascan does not without
// --read-secret-data.
func TestLeastPrivilegeRole(t *testing.T) {
	repoRoot(t)
	cfg, cs, dyn := liveClients(t)
	apply(t, dyn, "deploy/rbac.yaml")
	ctx := context.Background()
	token := saToken(t, cs, "sascan", "sascan")
	kc, _ := proxyKubeconfig(t, cfg, token)
	rep, r := clusterScan(t, "--kubeconfig", kc)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, inc := range rep.Incomplete {
		if inc.Resource != "secret values" {
			t.Errorf("incomplete with the deploy/ role: %s", inc.Resource)
		}
	}
	if len(rep.Findings) == 0 {
		t.Error("no findings with the deploy/ role")
	}
	limited := rest.AnonymousClientConfig(cfg)
	limited.BearerToken = token
	lcs := kubernetes.NewForConfigOrDie(limited)
	if _, err := lcs.CoreV1().Secrets("kube-system").Get(ctx, "anything", metav1.GetOptions{}); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("get secrets with the deploy/ role: %v, want forbidden", err)
	}
}

// ensureServiceAccount creates a namespace and a ServiceAccount in it, if
// they are not there yet.
func ensureServiceAccount(cs *kubernetes.Clientset, ns, name string) {
	ctx := context.Background()
	_, _ = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	_, _ = cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
}

// saToken requests a ten-minute token for a ServiceAccount.
func saToken(t *testing.T, cs *kubernetes.Clientset, ns, name string) string {
	t.Helper()
	exp := int64(600)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(context.Background(), name, &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// faultOnce answers the first request matching match with fault, then lets
// every request through; it counts the requests it matched.
type faultOnce struct {
	mu      sync.Mutex
	match   func(r *http.Request) bool
	fault   func(w http.ResponseWriter)
	fired   bool
	matched int
}

func (f *faultOnce) inject(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.match(r) {
		return false
	}
	f.matched++
	if f.fired {
		return false
	}
	f.fired = true
	f.fault(w)
	return true
}

func continued(path string) func(r *http.Request) bool {
	return func(r *http.Request) bool {
		return strings.HasSuffix(r.URL.Path, path) && r.URL.Query().Get("continue") != ""
	}
}

// TestPaginationFaults: with small pages, a connection dropped in the middle
// of a paginated list, an expired continue token (410) and a 429 with
// Retry-After each end in a complete scan whose findings equal a clean
// scan's.
func TestPaginationFaults(t *testing.T) {
	repoRoot(t)
	cfg, _, _ := liveClients(t)
	clean, r := clusterScan(t, "--chunk-size", "5")
	if r.code != exitClean {
		t.Fatalf("clean scan: exit %d: %s", r.code, r.err)
	}
	all := findingObjects(clean.Findings)
	want := strings.Join(findingKeys(clean.Findings, all, nil), "\n")
	status := func(code int, reason, msg string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"reason":%q,"code":%d}`, msg, reason, code)
		}
	}
	tests := []struct {
		name  string
		fault *faultOnce
		// wantRestart: the list starts again from the first page.
		wantRestart bool
	}{
		// client-go replays a GET whose connection dropped, so this checks the
		// outcome (same findings, the page fetched again), whichever layer
		// retries; the 503 test above needs sascan's own retry.
		{"dropped connection mid-pagination", &faultOnce{match: continued("/clusterroles"), fault: func(w http.ResponseWriter) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}}, false},
		{"expired continue token", &faultOnce{match: continued("/clusterroles"), fault: status(http.StatusGone, "Expired", "The provided continue parameter is too old to display a consistent list result.")}, true},
		{"429 with Retry-After", &faultOnce{match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/serviceaccounts") }, fault: func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			status(http.StatusTooManyRequests, "TooManyRequests", "injected throttling")(w)
		}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc, rec := proxyKubeconfig(t, cfg, cfg.BearerToken)
			rec.inject = tc.fault.inject
			got, r := clusterScan(t, "--kubeconfig", kc, "--chunk-size", "5")
			if r.code != exitClean {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			if !tc.fault.fired || tc.fault.matched < 2 {
				t.Fatalf("fault fired %v, matching requests %d: the failed request was not retried", tc.fault.fired, tc.fault.matched)
			}
			if fmt.Sprint(got.Incomplete) != fmt.Sprint(clean.Incomplete) {
				t.Errorf("incomplete: %+v, the clean scan: %+v", got.Incomplete, clean.Incomplete)
			}
			if g := strings.Join(findingKeys(got.Findings, all, nil), "\n"); g != want {
				t.Errorf("findings differ from the clean scan:\n--- clean\n%s\n--- faulty\n%s", want, g)
			}
			firstPages := 0
			for _, req := range rec.requests {
				if strings.Contains(req, "/clusterroles?") && !strings.Contains(req, "continue=") {
					firstPages++
				}
			}
			if tc.wantRestart && firstPages < 2 {
				t.Errorf("%d first-page ClusterRole lists: the expired list was not started again", firstPages)
			}
			if !tc.wantRestart && firstPages != 1 {
				t.Errorf("%d first-page ClusterRole lists, want 1", firstPages)
			}
		})
	}
}

// TestLiveBaselineIsTheBootstrapPolicy: the live cluster's bootstrap
// bindings (system:cluster-trust-bundle-discovery among them) are the
// baseline every ServiceAccount holds, so a workload with no RBAC of its
// own gets SA016, and no bootstrap binding is an SA012 finding.
func TestLiveBaselineIsTheBootstrapPolicy(t *testing.T) {
	repoRoot(t)
	_, _, dyn := liveClients(t)
	apply(t, dyn, "cmd/sascan/testdata/live/default-sa-app.yaml")
	rep, r := clusterScan(t, "--enable", "SA016,SA012,SA018")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var got []string
	for _, f := range rep.Findings {
		bootstrap := f.RuleID == "SA012" && strings.HasPrefix(f.Object.Name, "system:")
		if f.Object.Namespace == "live-baseline" || bootstrap {
			got = append(got, f.RuleID+" "+f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name)
		}
	}
	want := []string{"SA016 Deployment live-baseline/web", "SA018 Deployment live-baseline/web"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	// A group added to a bootstrap binding is a finding: the binding's own
	// bootstrap label does not approve it.
	_, cs, _ := liveClients(t)
	ctx := context.Background()
	crb, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, "cluster-admin", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orig := crb.Subjects
	crb.Subjects = append(append([]rbacv1.Subject(nil), orig...), rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts:live-baseline"})
	if _, err := cs.RbacV1().ClusterRoleBindings().Update(ctx, crb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, "cluster-admin", metav1.GetOptions{}); err == nil {
			c.Subjects = orig
			_, _ = cs.RbacV1().ClusterRoleBindings().Update(ctx, c, metav1.UpdateOptions{})
		}
	})
	rep, r = clusterScan(t, "--enable", "SA012")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var sa012 []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Object.Name, "system:") || f.Object.Name == "cluster-admin" {
			sa012 = append(sa012, f.Severity+" "+f.Object.Kind+" "+f.Object.Name)
		}
	}
	if diff := cmp.Diff([]string{"critical ClusterRoleBinding cluster-admin"}, sa012); diff != "" {
		t.Errorf("SA012 with a group added to cluster-admin (-want +got):\n%s", diff)
	}
}

// TestNamespaceFilterConcludesNothingFromWhatItDidNotList: ClusterRoleBindings
// are listed cluster-wide, ServiceAccounts only in the namespaces -n keeps,
// so a filtered scan must not call live-ci/robot missing; the whole scan
// still reports the account that really is missing (ghost), and so does a
// scan that lists live-ci.
func TestNamespaceFilterConcludesNothingFromWhatItDidNotList(t *testing.T) {
	repoRoot(t)
	_, _, dyn := liveClients(t)
	apply(t, dyn, "cmd/sascan/testdata/live/filtered.yaml")
	missing := func(args ...string) []string {
		t.Helper()
		rep, r := clusterScan(t, append([]string{"--enable", "SA014"}, args...)...)
		if r.code != exitClean {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		var got []string
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Object.Name, "live-ci-") {
				got = append(got, f.Object.Name)
			}
		}
		return got
	}
	if got := missing("-n", "live-a"); len(got) != 0 {
		t.Errorf("-n live-a: SA014 on %v, want none (live-ci was not listed)", got)
	}
	if got := missing("--exclude-namespace", "live-ci"); len(got) != 0 {
		t.Errorf("--exclude-namespace live-ci: SA014 on %v, want none", got)
	}
	for _, args := range [][]string{nil, {"-n", "live-ci"}} {
		if diff := cmp.Diff([]string{"live-ci-ghost"}, missing(args...)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", args, diff)
		}
	}
}

// TestLiveAttackPath: the path a manifest scan finds is found in a live
// cluster too, from the objects the API server returns (the Pod as the
// ServiceAccount admission mutated it, the bootstrap cluster-admin role),
// and its SARIF code flow names the objects by logical location.
func TestLiveAttackPath(t *testing.T) {
	repoRoot(t)
	_, _, dyn := liveClients(t)
	apply(t, dyn, "cmd/sascan/testdata/live/attack-path.yaml")
	rep, r := clusterScan(t, "--enable", "SA033")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Object.Namespace == "live-path-ci" {
			got = append(got, fmt.Sprintf("%s %s %s/%s %v %v", f.Severity, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Evidence["sink"], f.Evidence["tokens"]))
		}
	}
	sort.Strings(got)
	want := []string{
		"critical Pod live-path-ci/runner cluster-admin [live-path-ci/bot live-path-ops/operator]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attack paths (-want +got):\n%s", diff)
	}
	out := filepath.Join(t.TempDir(), "paths.sarif")
	if r := cli(t, "", "cluster", "--enable", "SA033", "--fail-on", "none", "-o", "sarif", "--output-file", out); r.code != exitClean {
		t.Fatalf("sarif: exit %d: %s", r.code, r.err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/live-path-ci/Pod/runner", "/live-path-ops/RoleBinding/ci-deploys", "//ClusterRoleBinding/live-path-operator-admin"} {
		if !strings.Contains(string(b), name+`"`) {
			t.Errorf("SARIF code flow lacks the logical location %s", name)
		}
	}
}
