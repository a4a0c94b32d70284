package rules

import "testing"

// The config's globs match as Rego's glob.match with no delimiters
// (policies/lib/allowlist_test.rego has the same cases).
func TestGlobDialect(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "ca.injector", true},
		{"", "anything.at.all", true},
		{"*.io", "cert-manager.io", true},
		{"ca*", "ca.injector", true},
		{"ca?injector", "ca.injector", true},
		{"{web,api}-*", "api-1.2", true},
		{"[!a]*", "app", false},
		{"web", "web.app", false},
		{"kube-*", "kube.system", false},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	if _, err := compileGlob("[a-"); err == nil {
		t.Error("compileGlob accepted an unclosed class")
	}
}
