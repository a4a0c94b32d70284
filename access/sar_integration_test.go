//go:build integration

package access_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/internal/kubetest"
	"github.com/sascan/sascan/scanner"
)

// The vocabulary random RBAC is drawn from: exact names, wildcards,
// subresources and their wildcard forms, literal "pods/*", names.
var (
	verbs     = []string{"get", "list", "watch", "create", "update", "patch", "delete", "impersonate", "bind", "escalate", "*"}
	groups    = []string{"", "apps", "rbac.authorization.k8s.io", "batch", "*"}
	resources = []string{"pods", "pods/exec", "pods/log", "*/exec", "pods/*", "secrets", "deployments", "serviceaccounts", "serviceaccounts/token", "roles", "namespaces", "nodes", "*", "jobs"}
	names     = []string{"alpha", "beta"}
	urls      = []string{"/healthz", "/metrics", "/apis/*", "/logs/*", "*"}
)

type question struct {
	user   access.User
	attrs  access.Attributes
	answer bool
}

// TestModelAgreesWithSubjectAccessReview creates random RBAC in the test
// API server (aggregation filled by the controller-manager), loads it the
// way `sascan cluster` does, and asks the API server and the model the
// same random questions. SASCAN_SAR_SEED replays a run.
func TestModelAgreesWithSubjectAccessReview(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SASCAN_SAR_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SASCAN_SAR_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (replay: SASCAN_SAR_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0x5a5a))
	cfg := kubetest.Config(t)
	cfg.QPS, cfg.Burst = 500, 1000
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	// Names differ per run (a replayed seed asks the same questions while
	// the last run's namespaces may still be terminating).
	prefix := fmt.Sprintf("sar%d-%d", seed%1000, time.Now().UnixNano()%100000)
	namespaces := []string{prefix + "-a", prefix + "-b", prefix + "-c"}
	for _, ns := range namespaces {
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, ns := range namespaces {
			_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		}
		sel := metav1.ListOptions{LabelSelector: "sascan-sar=" + prefix}
		_ = cs.RbacV1().ClusterRoles().DeleteCollection(ctx, metav1.DeleteOptions{}, sel)
		_ = cs.RbacV1().ClusterRoleBindings().DeleteCollection(ctx, metav1.DeleteOptions{}, sel)
	})
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	some := func(l []string) []string {
		n := 1 + r.IntN(2)
		out := []string{}
		for range n {
			out = append(out, pick(l))
		}
		return out
	}
	randomRule := func(cluster bool) rbacv1.PolicyRule {
		if cluster && r.IntN(6) == 0 {
			return rbacv1.PolicyRule{Verbs: some([]string{"get", "post", "*"}), NonResourceURLs: some(urls)}
		}
		pr := rbacv1.PolicyRule{Verbs: some(verbs), APIGroups: some(groups), Resources: some(resources)}
		if r.IntN(4) == 0 {
			pr.ResourceNames = some(names)
		}
		return pr
	}
	rules := func(cluster bool) []rbacv1.PolicyRule {
		var out []rbacv1.PolicyRule
		for range 1 + r.IntN(3) {
			out = append(out, randomRule(cluster))
		}
		return out
	}
	label := map[string]string{"sascan-sar": prefix}
	aggKey := "sascan.io/aggregate-to-" + prefix
	var clusterRoles []string
	for i := range 8 {
		name := fmt.Sprintf("%s-cr-%d", prefix, i)
		labels := map[string]string{"sascan-sar": prefix}
		if r.IntN(2) == 0 {
			labels[aggKey] = "true"
		}
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Rules: rules(true)}
		if i < 2 {
			// Aggregated: one by label, one by expression (nested: it may select the first).
			sel := metav1.LabelSelector{MatchLabels: map[string]string{aggKey: "true"}}
			if i == 1 {
				sel = metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: aggKey, Operator: metav1.LabelSelectorOpExists}}}
			}
			cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{sel}}
			cr.Rules = nil
		}
		if _, err := cs.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		clusterRoles = append(clusterRoles, name)
	}
	sas := []string{"app", "ci", "default"}
	subjects := func(bindingNS string) []rbacv1.Subject {
		var out []rbacv1.Subject
		for range 1 + r.IntN(2) {
			ns := pick(namespaces)
			switch r.IntN(7) {
			case 0:
				s := rbacv1.Subject{Kind: "ServiceAccount", Name: pick(sas), Namespace: ns}
				if bindingNS != "" && r.IntN(2) == 0 {
					s.Namespace = "" // defaults to the RoleBinding's namespace
				}
				out = append(out, s)
			case 1:
				out = append(out, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: access.ServiceAccountUser(ns, pick(sas))})
			case 2:
				out = append(out, rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts:" + ns})
			case 3:
				out = append(out, rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: pick([]string{"system:serviceaccounts", "system:authenticated"})})
			case 4:
				out = append(out, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: prefix + "-alice"})
			default:
				out = append(out, rbacv1.Subject{Kind: "ServiceAccount", Name: pick(sas), Namespace: ns})
			}
		}
		return out
	}
	for i := range 4 {
		name := fmt.Sprintf("%s-crb-%d", prefix, i)
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: label},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(clusterRoles)}, Subjects: subjects("")}
		if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range namespaces {
		for i := range 3 {
			role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("role-%d", i), Namespace: ns}, Rules: rules(false)}
			if _, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 4 {
			ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("role-%d", r.IntN(3))}
			if r.IntN(2) == 0 {
				ref = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pick(clusterRoles)}
			}
			rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("rb-%d", i), Namespace: ns}, RoleRef: ref, Subjects: subjects(ns)}
			if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Questions: a subject (a ServiceAccount of a namespace, plain or not,
	// or a user), a verb, a resource or URL, a namespace, sometimes a name.
	var qs []question
	for range 1200 {
		var u access.User
		if r.IntN(6) == 0 {
			u = access.User{Name: prefix + "-alice", Groups: []string{"system:authenticated"}}
		} else {
			u = access.ServiceAccount(pick(namespaces), pick(sas))
		}
		var a access.Attributes
		if r.IntN(8) == 0 {
			a = access.Attributes{Verb: pick([]string{"get", "post"}), Path: pick([]string{"/healthz", "/metrics", "/apis/apps", "/logs/kube", "/version", "/api"})}
		} else {
			res := pick([]string{"pods", "pods/exec", "pods/log", "secrets", "deployments", "serviceaccounts/token", "roles", "namespaces", "nodes", "jobs", "configmaps"})
			a.Resource, a.Subresource, _ = strings.Cut(res, "/")
			a.Verb = pick(verbs[:len(verbs)-1])
			a.Group = map[string]string{"deployments": "apps", "roles": "rbac.authorization.k8s.io", "jobs": "batch"}[a.Resource]
			if r.IntN(5) != 0 && a.Resource != "nodes" {
				a.Namespace = pick(namespaces)
			}
			if r.IntN(3) == 0 {
				a.Name = pick(append(names, "gamma"))
			}
		}
		qs = append(qs, question{user: u, attrs: a})
	}
	ask := func() {
		for i := range qs {
			q := &qs[i]
			sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{User: q.user.Name, Groups: q.user.Groups}}
			if q.attrs.ResourceRequest() {
				sar.Spec.ResourceAttributes = &authzv1.ResourceAttributes{Namespace: q.attrs.Namespace, Verb: q.attrs.Verb, Group: q.attrs.Group, Resource: q.attrs.Resource, Subresource: q.attrs.Subresource, Name: q.attrs.Name}
			} else {
				sar.Spec.NonResourceAttributes = &authzv1.NonResourceAttributes{Path: q.attrs.Path, Verb: q.attrs.Verb}
			}
			res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			q.answer = res.Status.Allowed
		}
	}

	// The model of the cluster as `sascan cluster` lists it; the
	// controller-manager may still be filling aggregated roles, and the
	// authorizer's caches follow the writes, so a disagreement is asked
	// again a few times before it fails the test.
	var diffs []string
	for attempt := range 10 {
		if attempt > 0 {
			time.Sleep(time.Second)
		}
		ask()
		res, err := scanner.LoadCluster(ctx, cfg, "test", scanner.ClusterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		inv := scanner.Build(res.Objects, scanner.BuildOptions{Mode: scanner.ModeCluster})
		live := access.Build(inv, access.Options{})
		diffs = diffs[:0]
		allowed := 0
		for _, q := range qs {
			got := len(live.Allows(q.user, q.attrs)) > 0
			if q.answer {
				allowed++
			}
			if got != q.answer {
				diffs = append(diffs, fmt.Sprintf("user %s groups %v %+v: API server %v, model %v", q.user.Name, q.user.Groups, q.attrs, q.answer, got))
			}
		}
		// Aggregation as a manifest scan computes it equals what the
		// controller wrote.
		computed := access.Build(inv, access.Options{ComputeAggregation: true})
		for _, name := range clusterRoles[:2] {
			key := access.RoleKey("ClusterRole", "", name)
			if w, g := ruleSet(live.Roles[key].Rules), ruleSet(computed.Roles[key].Rules); w != g {
				diffs = append(diffs, fmt.Sprintf("aggregated ClusterRole %s: controller wrote %s, model computed %s", name, w, g))
			}
		}
		if len(diffs) == 0 {
			t.Logf("%d questions, %d allowed, the model agrees with SubjectAccessReview on every one", len(qs), allowed)
			if allowed == 0 || allowed == len(qs) {
				t.Fatalf("a differential test needs both answers: %d of %d allowed", allowed, len(qs))
			}
			return
		}
	}
	t.Fatalf("seed %d: %d disagreements:\n%s", seed, len(diffs), strings.Join(diffs, "\n"))
}

func ruleSet(rules []access.Rule) string {
	var out []string
	for _, r := range rules {
		out = append(out, fmt.Sprint(r.APIGroups, r.Resources, r.Verbs, r.ResourceNames, r.NonResourceURLs))
	}
	sort.Strings(out)
	return strings.Join(out, ";")
}
