package scanner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A document or List item meant as a Kubernetes object that is not read as
// one, or not whole, is a warning naming file and line.
func TestTypoWarnings(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		objects  []string // names read
		warnings []LoadError
	}{
		{"apiversion in lower case", "apiversion: v1\nkind: Secret\nmetadata: {name: s}\n", nil,
			[]LoadError{{Line: 1, Message: `key "apiversion" is not "apiVersion" (keys are case-sensitive): not read as a Kubernetes object`}}},
		{"Kind capitalised, no kind", "apiVersion: v1\nKind: Secret\nmetadata: {name: s}\n", nil,
			[]LoadError{{Line: 2, Message: `key "Kind" is not "kind" (keys are case-sensitive): not read as a Kubernetes object`}}},
		{"APIVERSION and KIND", "metadata: {name: s}\nAPIVERSION: v1\nKIND: Secret\n", nil,
			[]LoadError{
				{Line: 2, Message: `key "APIVERSION" is not "apiVersion" (keys are case-sensitive): not read as a Kubernetes object`},
				{Line: 3, Message: `key "KIND" is not "kind" (keys are case-sensitive): not read as a Kubernetes object`},
			}},
		{"kind without apiVersion", "# a comment\nkind: Secret\nmetadata: {name: s}\n", nil,
			[]LoadError{{Line: 2, Message: "kind Secret without an apiVersion: not read as a Kubernetes object"}}},
		{"kind with an empty apiVersion", "apiVersion: \"\"\nkind: Secret\nmetadata: {name: s}\n", nil,
			[]LoadError{{Line: 2, Message: "kind Secret without an apiVersion: not read as a Kubernetes object"}}},
		{"an object with an extra Kind key is still read", "apiVersion: v1\nkind: Secret\nKind: Secret\nmetadata: {name: s}\n", []string{"s"},
			[]LoadError{{Line: 3, Message: `key "Kind" is not "kind" (keys are case-sensitive): ignored`}}},
		{"the second document", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\napiversion: v1\nkind: Secret\nmetadata: {name: s}\n", []string{"a"},
			[]LoadError{{Line: 5, Message: `key "apiversion" is not "apiVersion" (keys are case-sensitive): not read as a Kubernetes object`}}},
		{"a List item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: a}\n- kind: Secret\n  metadata: {name: s}\n- apiVersion: v1\n  KIND: Secret\n  metadata: {name: t}\n", []string{"a"},
			[]LoadError{
				{Line: 7, Message: "kind Secret without an apiVersion: not read as a Kubernetes object"},
				{Line: 10, Message: `key "KIND" is not "kind" (keys are case-sensitive): not read as a Kubernetes object`},
			}},
		{"a List of typos only", "apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n", nil,
			[]LoadError{{Line: 4, Message: "kind Secret without an apiVersion: not read as a Kubernetes object"}}},
		{"not Kubernetes at all: no warning", "name: chart\nversion: 1.0.0\nvalues: {kind: x}\n", nil, nil},
		{"apiVersion without kind: no warning", "apiVersion: v2\nname: chart\n", nil, nil},
		{"a well-formed object: no warning", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", []string{"s"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, t.TempDir(), "m.yaml", tc.src)
			m, got := load(t, LoadOptions{}, p)
			var names []string
			for _, o := range got {
				names = append(names, o.Name)
			}
			if diff := cmp.Diff(tc.objects, names); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			for i := range tc.warnings {
				tc.warnings[i].File = p
			}
			if diff := cmp.Diff(tc.warnings, m.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if len(m.Errors) > 0 {
				t.Errorf("errors: %v", m.Errors)
			}
		})
	}
}

// Empty standard input is an error: the command before the pipe most
// likely failed.
func TestEmptyStdin(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		errors []LoadError
	}{
		{"nothing", "", []LoadError{{File: StdinName, Message: "no input on stdin"}}},
		{"blank lines", "\n \n\t\n", []LoadError{{File: StdinName, Message: "no input on stdin"}}},
		{"a comment is input", "# nothing rendered\n", nil},
		{"a document", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := load(t, LoadOptions{Stdin: strings.NewReader(tc.stdin)}, "-")
			if diff := cmp.Diff(tc.errors, m.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
