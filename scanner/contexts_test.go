package scanner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestContexts(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, contexts ...string) string {
		p := filepath.Join(dir, name)
		s := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\nusers: [{name: u, user: {token: x}}]\ncontexts:\n"
		for _, c := range contexts {
			s += "- {name: " + c + ", context: {cluster: c, user: u}}\n"
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a", "prod", "dev"), write("b", "staging")
	empty := write("empty")
	t.Setenv("KUBECONFIG", a+string(os.PathListSeparator)+b)
	tests := []struct {
		name, kubeconfig string
		want             []string
	}{
		{"KUBECONFIG's files merged", "", []string{"dev", "prod", "staging"}},
		{"--kubeconfig alone", b, []string{"staging"}},
		{"no context", empty, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Contexts(tc.kubeconfig)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("contexts (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Contexts(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing --kubeconfig is no error")
	}
}
