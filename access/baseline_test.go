package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/scanner"
)

// The bundled bootstrap policy is the baseline of a manifest scan: what
// it grants system:authenticated and system:serviceaccounts is covered,
// anything more is not, and its bindings name their groups.
func TestBundledBootstrapBaseline(t *testing.T) {
	boot := NewBootstrap(scanner.BootstrapPolicy(37))
	base := boot.baseline()
	for _, tc := range []struct {
		rule   Rule
		within bool
	}{
		{Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/version", "/api", "/apis/apps"}}, true},
		{Rule{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"selfsubjectaccessreviews"}, Verbs: []string{"create"}}, true},
		{Rule{APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"clustertrustbundles"}, Verbs: []string{"get", "list", "watch"}}, true},
		{Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}, false},
		{Rule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}, false},
		{Rule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}, false},
	} {
		if got := withinBaseline(base, tc.rule); got != tc.within {
			t.Errorf("%+v within the baseline: %v, want %v", tc.rule, got, tc.within)
		}
	}
	for name, group := range map[string]string{
		"system:discovery":                        Authenticated,
		"system:service-account-issuer-discovery": AllServiceAccounts,
		"system:cluster-trust-bundle-discovery":   AllServiceAccounts,
	} {
		if bb, ok := boot.bindings[name]; !ok || len(bb.groups) != 1 || bb.groups[0] != group {
			t.Errorf("bootstrap binding %s: %+v, want group %s", name, bb, group)
		}
	}
}

// Each bundled version has its own baseline: ClusterTrustBundle is on by
// default from 1.37, so only there do ServiceAccounts read trust bundles.
func TestBaselineFollowsTheVersion(t *testing.T) {
	bundles := Rule{APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"clustertrustbundles"}, Verbs: []string{"list"}}
	for minor, want := range map[int]bool{35: false, 36: false, 37: true, 0: true, 30: false, 40: true} {
		boot := NewBootstrap(scanner.BootstrapPolicy(minor))
		if len(boot.bindings) < 40 {
			t.Fatalf("1.%d: %d bootstrap bindings", minor, len(boot.bindings))
		}
		if got := withinBaseline(boot.baseline(), bundles); got != want {
			t.Errorf("1.%d: trust bundles within the baseline: %v, want %v", minor, got, want)
		}
		_, has := boot.bindings["system:cluster-trust-bundle-discovery"]
		if has != want {
			t.Errorf("1.%d: system:cluster-trust-bundle-discovery bundled: %v, want %v", minor, has, want)
		}
	}
}

// withinBaseline reports whether baseline covers r, as beyondBaseline
// decides it for a role holding r alone.
func withinBaseline(baseline []Rule, r Rule) bool {
	role := &Role{Rules: []Rule{r}}
	beyondBaseline(baseline, map[string]*Role{"ClusterRole/r": role})
	return len(role.BeyondBaseline) == 0
}

// Roles that share rules get each rule's answer, in their own order;
// rules that differ only in where one list ends and the next begins, or in
// their nonResourceURLs, are different rules.
func TestBeyondBaselinePerRole(t *testing.T) {
	base := NewBootstrap(scanner.BootstrapPolicy(37)).baseline()
	healthz := Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}
	configMaps := Rule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}
	secrets := Rule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}}
	metrics := Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}
	// The strings of configMaps with "get" moved from the verbs to the
	// resources: no verb, so it grants nothing and is covered.
	shifted := Rule{APIGroups: []string{""}, Resources: []string{"configmaps", "get"}}
	roles := map[string]*Role{
		"Role/a/r":      {Rules: []Rule{configMaps, healthz}},
		"Role/b/r":      {Rules: []Rule{healthz, secrets, configMaps}},
		"ClusterRole/c": {Rules: []Rule{healthz, metrics}},
		"ClusterRole/d": {Rules: []Rule{shifted, configMaps}},
		"ClusterRole/e": {},
	}
	beyondBaseline(base, roles)
	want := map[string][]Rule{
		"Role/a/r":      {configMaps},
		"Role/b/r":      {secrets, configMaps},
		"ClusterRole/c": {metrics},
		"ClusterRole/d": {configMaps},
		"ClusterRole/e": nil,
	}
	got := map[string][]Rule{}
	for k, r := range roles {
		got[k] = r.BeyondBaseline
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("beyond the baseline (-want +got):\n%s", diff)
	}
	if ruleKey(configMaps) == ruleKey(shifted) {
		t.Errorf("rules %+v and %+v share a key", configMaps, shifted)
	}
}
