package main

import (
	"bytes"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/ledger"
	"github.com/sascan/sascan/report"
	"github.com/sascan/sascan/rules"
)

// addUsage adds to an access sa answer what the account did in the audit
// logs' window: its requests, the rules of each grant that allowed them,
// and the least-privilege roles for them.
func addUsage(sa *report.ServiceAccountAccess, m *access.Model, l *ledger.Ledger) error {
	ns, name, _ := strings.Cut(sa.ServiceAccount, "/")
	u := &report.SAUsage{First: report.AuditOf(l).First, Last: report.AuditOf(l).Last, Used: []string{}}
	sa.Usage = u
	a := l.Accounts[sa.ServiceAccount]
	used := map[string]map[int]bool{} // binding kind/ns/name -> rule indexes
	key := func(kind, ns, name string) string { return kind + "/" + ns + "/" + name }
	var attrs []access.Attributes
	if a != nil {
		u.Requests, u.Denied = a.Count, a.Denied
		var counts []int64
		for _, r := range a.SortedRequests() {
			at := rules.Attributes(r)
			attrs, counts = append(attrs, at), append(counts, a.Requests[r].Count)
			u.Used = append(u.Used, fmt.Sprintf("%s: %d", requestText(at), a.Requests[r].Count))
		}
		for _, bu := range m.Uses(access.ServiceAccount(ns, name), attrs, counts) {
			k := key(bu.Binding.Kind, bu.Binding.Namespace, bu.Binding.Name)
			used[k] = map[int]bool{}
			for _, i := range bu.Rules {
				used[k][i] = true
			}
		}
	}
	for i := range sa.Grants {
		g := &sa.Grants[i]
		g.UsedRules = []int{}
		for r := range len(g.Rules) {
			if used[key(g.Binding.Kind, g.Binding.Namespace, g.Binding.Name)][r] {
				g.UsedRules = append(g.UsedRules, r)
			}
		}
	}
	text, err := leastPrivilegeYAML(ns, name, access.LeastPrivilege(attrs, m.Baseline))
	if err != nil {
		return err
	}
	u.LeastPrivilegeYAML = text
	return nil
}

// leastPrivilegeYAML writes generated roles, each with a binding to the
// ServiceAccount, as a multi-document YAML stream.
func leastPrivilegeYAML(ns, name string, roles []access.GeneratedRole) (string, error) {
	var buf bytes.Buffer
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}}
	for _, r := range roles {
		var rs []rbacv1.PolicyRule
		for _, x := range r.Rules {
			rs = append(rs, rbacv1.PolicyRule{APIGroups: x.APIGroups, Resources: x.Resources, Verbs: x.Verbs, NonResourceURLs: x.NonResourceURLs})
		}
		var objs []any
		if r.Kind == "ClusterRole" {
			n := "least-privilege-" + ns + "-" + name
			objs = []any{
				&rbacv1.ClusterRole{TypeMeta: typeMeta("ClusterRole"), ObjectMeta: metav1.ObjectMeta{Name: n}, Rules: rs},
				&rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("ClusterRoleBinding"), ObjectMeta: metav1.ObjectMeta{Name: n}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: n}, Subjects: subject},
			}
		} else {
			n := "least-privilege-" + name
			objs = []any{
				&rbacv1.Role{TypeMeta: typeMeta("Role"), ObjectMeta: metav1.ObjectMeta{Name: n, Namespace: r.Namespace}, Rules: rs},
				&rbacv1.RoleBinding{TypeMeta: typeMeta("RoleBinding"), ObjectMeta: metav1.ObjectMeta{Name: n, Namespace: r.Namespace}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: n}, Subjects: subject},
			}
		}
		for _, o := range objs {
			b, err := yaml.Marshal(o)
			if err != nil {
				return "", fmt.Errorf("write least-privilege role: %w", err)
			}
			buf.WriteString("---\n")
			// ObjectMeta's empty creationTimestamp is written as null.
			buf.Write(bytes.ReplaceAll(b, []byte("  creationTimestamp: null\n"), nil))
		}
	}
	return buf.String(), nil
}

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: kind}
}
