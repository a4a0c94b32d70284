//go:build integration

package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"

	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// TestLiveTokenLedger makes real requests to the test API server with a
// legacy token Secret's token, a pod-bound TokenRequest token, a stale
// bound token and the token of a pod that was replaced (SA040's boundary:
// what the API server accepts and what it logs), then scans the cluster with the API server's own audit log
// (hack/kube/up.sh: Metadata level, $SASCAN_KUBE_DIR/logs/audit.log) and
// checks the ledger's verdicts, and that access sa's least-privilege roles
// are accepted by the API server (a server-side dry run, as kubectl apply --dry-run=server does).
//
// A stale token needs an hour of wall time (its warnafter is iat+3607 s).
// Instead of waiting, or editing recorded lines, the test mints the token
// the kubelet would have been given two hours ago: the same claims as a
// TokenRequest bound to the pod (issuer, audience, pod, node and account
// UIDs), iat two hours back and warnafter one hour back, signed with the
// test control plane's ServiceAccount signing key. The API server accepts
// it and writes the stale-token annotation itself.
func TestLiveTokenLedger(t *testing.T) {
	repoRoot(t)
	cfg, cs, _ := liveClients(t)
	ctx := context.Background()
	ns := fmt.Sprintf("ledger-%d", time.Now().Unix())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}))
	for _, sa := range []string{"ci", "app", "quiet"} {
		must(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}))
	}
	for _, name := range []string{"ci-token", "ci-spare"} {
		must(cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{corev1.ServiceAccountNameKey: "ci"}},
			Type:       corev1.SecretTypeServiceAccountToken,
		}, metav1.CreateOptions{}))
	}
	role := func(name string, rules ...rbacv1.PolicyRule) {
		must(cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}))
		must(cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}},
		}, metav1.CreateOptions{}))
	}
	role("ci",
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}},
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}},
		rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"patch"}},
	)
	role("app", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"list"}})

	// A node and two pods on it (no kubelet: they stay Pending). quiet-0
	// gets the automounted token and makes no request; app-0 opts out and
	// its token comes from TokenRequest below.
	nodeName := ns + "-node"
	node, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}}, metav1.CreateOptions{})
	must(node, err)
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), nodeName, metav1.DeleteOptions{}) })
	off := false
	app, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app-0"},
		Spec: corev1.PodSpec{ServiceAccountName: "app", AutomountServiceAccountToken: &off, NodeName: nodeName,
			Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1.0"}}},
	}, metav1.CreateOptions{})
	must(app, err)
	must(cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "quiet-0"},
		Spec:       corev1.PodSpec{ServiceAccountName: "quiet", NodeName: nodeName, Containers: []corev1.Container{{Name: "quiet", Image: "registry.example/quiet:1.0"}}},
	}, metav1.CreateOptions{}))

	// The legacy token, once the token controller has filled the Secret.
	var legacy string
	for i := 0; i < 100 && legacy == ""; i++ {
		s, err := cs.CoreV1().Secrets(ns).Get(ctx, "ci-token", metav1.GetOptions{})
		must(s, err)
		legacy = string(s.Data["token"])
		if legacy == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if legacy == "" {
		t.Fatal("the token controller did not fill Secret ci-token")
	}
	client := func(token, agent string) *kubernetes.Clientset {
		c := rest.AnonymousClientConfig(cfg)
		c.BearerToken, c.UserAgent = token, agent
		return kubernetes.NewForConfigOrDie(c)
	}
	ci := client(legacy, "ledger-ci/1.0")
	must(ci.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}))
	must(ci.CoreV1().Pods(ns).Get(ctx, "app-0", metav1.GetOptions{}))
	if _, err := ci.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); err == nil {
		t.Fatal("ci may list secrets")
	}

	// A TokenRequest token bound to pod app-0 (and so to its node).
	exp := int64(600)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "app", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "app-0", UID: app.UID},
	}}, metav1.CreateOptions{})
	must(tr, err)
	must(client(tr.Status.Token, "app/2.0").CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}))

	// The stale token of the same pod (see above).
	sa, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "app", metav1.GetOptions{})
	must(sa, err)
	stale := staleBoundToken(t, ns, sa, app, node)
	must(client(stale, "app/1.0-old").CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}))

	// SA040: a TokenRequest token bound to pod gone-0 is used; the pod is
	// replaced (deleted, and created again under its name: another UID)
	// and the old token presented again. kube-apiserver checks the pod on
	// every request and refuses the token once its 10 s cache of
	// successful authentications has expired (a use it still accepts from
	// that cache lies within SA040's one-minute margin). The refusal is
	// logged as a 401 with no user and no claims: nothing ties it to the
	// token, so SA040 must stay silent, and the log must show exactly that.
	gonePod := func() *corev1.Pod {
		t.Helper()
		p, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "gone-0"},
			Spec: corev1.PodSpec{ServiceAccountName: "app", AutomountServiceAccountToken: &off,
				Containers: []corev1.Container{{Name: "gone", Image: "registry.example/app:1.0"}}},
		}, metav1.CreateOptions{})
		must(p, err)
		return p
	}
	gone := gonePod()
	trGone, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "app", &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "gone-0", UID: gone.UID},
	}}, metav1.CreateOptions{})
	must(trGone, err)
	goneClient := client(trGone.Status.Token, "gone/1.0")
	must(goneClient.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}))
	zero := int64(0)
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "gone-0", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := cs.CoreV1().Pods(ns).Get(ctx, "gone-0", metav1.GetOptions{}); apierrors.IsNotFound(err) {
			break
		}
		if i == 100 {
			t.Fatal("pod gone-0 is still there 10 s after its deletion")
		}
		time.Sleep(100 * time.Millisecond)
	}
	successor := gonePod()
	refusedAt := time.Time{}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		_, err := goneClient.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
		if apierrors.IsUnauthorized(err) {
			refusedAt = time.Now()
			break
		}
		if err != nil {
			t.Fatalf("the token of the replaced pod gone-0: %v, want 401", err)
		}
	}
	if refusedAt.IsZero() {
		t.Fatal("the API server still accepts the token of pod gone-0 30 s after it was replaced")
	}
	t.Logf("the token of gone-0 was refused %v after its successor was created", refusedAt.Sub(successor.CreationTimestamp.Time).Round(time.Second))

	logPath := filepath.Join(filepath.Dir(os.Getenv("KUBECONFIG")), "logs", "audit.log")
	// The log backend writes each event as its request completes; give
	// the last one a moment.
	time.Sleep(500 * time.Millisecond)
	checkGoneTokenLog(t, logPath, ns, gone, successor)

	r := cli(t, "", "cluster", "-o", "json", "--fail-on", "none", "--audit-log", logPath)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var rep struct {
		Findings []struct {
			liveFinding
			Confidence string `json:"confidence"`
			Message    string `json:"message"`
		} `json:"findings"`
		Audit struct {
			Evidence []string `json:"evidence"`
			Events   int      `json:"events"`
		} `json:"audit"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Object.Namespace != ns || !strings.HasPrefix(f.RuleID, "SA03") && f.RuleID != "SA016" && f.RuleID != "SA040" {
			continue
		}
		if f.RuleID < "SA035" && f.RuleID != "SA016" {
			continue
		}
		got = append(got, fmt.Sprintf("%s %s %s %s/%s %s", f.RuleID, f.Severity, f.Confidence, f.Object.Kind, f.Object.Name, f.Path))
	}
	sort.Strings(got)
	want := []string{
		"SA016 low certain Pod/quiet-0 spec",
		"SA035 medium certain Secret/ci-spare type",
		"SA036 medium certain Secret/ci-token type",
		"SA037 low certain Pod/quiet-0 spec",
		"SA038 low certain RoleBinding/ci subjects[0]",
		"SA039 medium certain Pod/app-0 ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings in %s (-want +got):\n%s", ns, diff)
	}
	for _, e := range []string{"legacy-token", "legacy-token-secret", "stale-token", "bound-token-claims", "credential-id"} {
		if !contains(rep.Audit.Evidence, e) {
			t.Errorf("the audit summary does not say the log holds %s: %v", e, rep.Audit.Evidence)
		}
	}
	for _, f := range rep.Findings {
		switch {
		case f.RuleID == "SA036" && f.Object.Namespace == ns:
			if diff := cmp.Diff([]any{"ledger-ci/1.0"}, f.Evidence["userAgents"]); diff != "" {
				t.Errorf("SA036 user agents (-want +got):\n%s", diff)
			}
			if f.Evidence["requests"] != float64(3) {
				t.Errorf("SA036: %v requests with the legacy token, want 3 (list, get, the refused list)", f.Evidence["requests"])
			}
		case f.RuleID == "SA039" && f.Object.Namespace == ns:
			claims, _ := f.Evidence["claims"].(map[string]any)
			if claims["pod"] != "app-0" || claims["podUID"] != string(app.UID) || claims["node"] != nodeName {
				t.Errorf("SA039 claims %v", claims)
			}
			if diff := cmp.Diff([]any{"app/1.0-old"}, f.Evidence["userAgents"]); diff != "" {
				t.Errorf("SA039 user agents (-want +got):\n%s", diff)
			}
		}
		checkNoSecret(t, f.RuleID, fmt.Sprint(f.Evidence)+f.Message, legacy, tr.Status.Token, stale)
	}
	checkNoSecret(t, "report", r.out+r.err, legacy, tr.Status.Token, stale)

	// Granted versus used, and a least-privilege role the API server takes.
	r = cli(t, "", "access", "sa", ns+"/ci", "--cluster", "-o", "json", "--audit-log", logPath)
	if r.code != exitClean {
		t.Fatalf("access sa: exit %d: %s", r.code, r.err)
	}
	var ans struct {
		Grants []struct {
			Binding   struct{ Name string }
			UsedRules []int
		}
		Usage struct {
			Used               []string
			LeastPrivilegeYAML string
		}
	}
	if err := json.Unmarshal([]byte(r.out), &ans); err != nil {
		t.Fatal(err)
	}
	usedRules := map[string][]int{}
	for _, g := range ans.Grants {
		if len(g.UsedRules) > 0 { // the discovery grants of the bootstrap policy: none used
			usedRules[g.Binding.Name] = g.UsedRules
		}
	}
	if len(ans.Grants) != 6 {
		t.Errorf("%d grants, want ci's RoleBinding and the five bootstrap discovery grants", len(ans.Grants))
	}
	if diff := cmp.Diff(map[string][]int{"ci": {0}}, usedRules); diff != "" {
		t.Errorf("used rules by binding (-want +got):\n%s", diff)
	}
	wantUsed := []string{"list pods in namespace " + ns + ": 1", "get pods app-0 in namespace " + ns + ": 1"}
	if diff := cmp.Diff(wantUsed, ans.Usage.Used); diff != "" {
		t.Errorf("used (-want +got):\n%s", diff)
	}
	wantYAML := `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: least-privilege-ci
  namespace: NS
rules:
- apiGroups:
  - ""
  resources:
  - pods
  verbs:
  - get
  - list
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: least-privilege-ci
  namespace: NS
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: least-privilege-ci
subjects:
- kind: ServiceAccount
  name: ci
  namespace: NS
`
	if diff := cmp.Diff(strings.ReplaceAll(wantYAML, "NS", ns), ans.Usage.LeastPrivilegeYAML); diff != "" {
		t.Errorf("least-privilege YAML (-want +got):\n%s", diff)
	}
	// The API server's own dry run (what kubectl apply --dry-run=server
	// asks for), through client-go, so the test needs no kubectl.
	_, _, dyn := liveClients(t)
	var created []string
	for _, doc := range strings.Split(ans.Usage.LeastPrivilegeYAML, "\n---\n") {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("least-privilege YAML: %v\n%s", err, doc)
		}
		gvr := rbacv1.SchemeGroupVersion.WithResource(strings.ToLower(u.GetKind()) + "s")
		var err error
		if u.GetNamespace() != "" {
			_, err = dyn.Resource(gvr).Namespace(u.GetNamespace()).Create(context.Background(), &u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		} else {
			_, err = dyn.Resource(gvr).Create(context.Background(), &u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		}
		if err != nil {
			t.Fatalf("server dry run of the least-privilege %s: %v", u.GetKind(), err)
		}
		created = append(created, u.GetKind()+" "+u.GetName())
	}
	if diff := cmp.Diff([]string{"Role least-privilege-ci", "RoleBinding least-privilege-ci"}, created); diff != "" {
		t.Errorf("dry-run created (-want +got):\n%s", diff)
	}
}

// checkGoneTokenLog reads the audit log as written: the requests in ns of
// user agent gone/1.0 (the token of the first pod gone-0) that the API
// server accepted carry that pod's name and UID in user.extra and none is
// later than its successor's creation plus the 10 s token cache (and a
// second of clock granularity); the refused one is a 401, written at
// ResponseStarted, with no user and no claims at all.
func checkGoneTokenLog(t *testing.T, path, ns string, gone, successor *corev1.Pod) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	accepted, refused := 0, 0
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, `"userAgent":"gone/1.0"`) || !strings.Contains(line, "/namespaces/"+ns+"/") {
			continue
		}
		var ev struct {
			Stage string
			User  struct {
				Username string
				Extra    map[string][]string
			}
			ResponseStatus           struct{ Code int }
			RequestReceivedTimestamp time.Time
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.ResponseStatus.Code {
		case 200:
			if ev.Stage != "ResponseComplete" {
				t.Errorf("an accepted request of gone-0's token logged at stage %s", ev.Stage)
			}
			accepted++
			if got := ev.User.Extra["authentication.kubernetes.io/pod-uid"]; len(got) != 1 || got[0] != string(gone.UID) {
				t.Errorf("an accepted request of gone-0's token carries pod UID %v, want %s", got, gone.UID)
			}
			if late := ev.RequestReceivedTimestamp.Sub(successor.CreationTimestamp.Time); late > 11*time.Second {
				t.Errorf("the API server accepted gone-0's token %v after its successor was created, past its 10 s token cache", late)
			}
		case 401:
			// Written once, at ResponseStarted, by the failed-authentication
			// audit filter.
			refused++
			if ev.Stage != "ResponseStarted" {
				t.Errorf("a refused request of gone-0's token logged at stage %s, want ResponseStarted", ev.Stage)
			}
			if ev.User.Username != "" || len(ev.User.Extra) != 0 {
				t.Errorf("a refused request of gone-0's token names user %q with extra %v; want neither", ev.User.Username, ev.User.Extra)
			}
		default:
			t.Errorf("a request of gone-0's token ended %d", ev.ResponseStatus.Code)
		}
	}
	if accepted == 0 || refused != 1 {
		t.Errorf("gone-0's token: %d accepted and %d refused requests in the log, want at least 1 and exactly 1", accepted, refused)
	}
}

// staleBoundToken signs, with the test control plane's ServiceAccount key,
// the token a TokenRequest bound to pod would have returned two hours ago
// with the kubelet's 3607 s lifetime (extended to a day here): warnafter
// is an hour past.
func staleBoundToken(t *testing.T, ns string, sa *corev1.ServiceAccount, pod *corev1.Pod, node *corev1.Node) string {
	t.Helper()
	keyPEM, err := os.ReadFile(filepath.Join(filepath.Dir(os.Getenv("KUBECONFIG")), "pki", "sa.key"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatal("sa.key: no PEM block")
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		key = k
	} else if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		key, _ = k.(*rsa.PrivateKey)
	}
	if key == nil {
		t.Fatal("sa.key: not an RSA key")
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	kidSum := sha256.Sum256(der)
	b64 := base64.RawURLEncoding
	iss := "https://kubernetes.default.svc.cluster.local"
	now := time.Now().Unix()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": b64.EncodeToString(kidSum[:]), "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss": iss, "aud": []string{iss}, "sub": "system:serviceaccount:" + ns + ":" + sa.Name,
		"iat": now - 7200, "nbf": now - 7200, "exp": now + 86400, "jti": fmt.Sprintf("ledger-stale-%d", now),
		"kubernetes.io": map[string]any{
			"namespace":      ns,
			"pod":            map[string]string{"name": pod.Name, "uid": string(pod.UID)},
			"node":           map[string]string{"name": node.Name, "uid": string(node.UID)},
			"serviceaccount": map[string]string{"name": sa.Name, "uid": string(sa.UID)},
			"warnafter":      now - 7200 + 3607,
		},
	})
	signing := b64.EncodeToString(header) + "." + b64.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64.EncodeToString(sig)
}
