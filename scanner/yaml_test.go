package scanner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Syntax errors name the line of the problem: yaml.v3's own line numbers
// are off by one for its parser's errors and point before a bad tab.
func TestSyntaxErrorLines(t *testing.T) {
	const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n" // lines 1-4
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"tab in the indentation on line 10",
			pod + "  namespace: y\nspec:\n  containers:\n  - name: c\n    image: x\n\tfoo: bar\n",
			10, "found a tab character that violates indentation"},
		{"tab on line 2, after a scalar on line 1",
			"a: b\n\tc: d\n", 2, "found a tab character that violates indentation"},
		{"unclosed [ on line 5, more lines after it",
			pod + "  labels: [a, b\nspec: {}\n", 5, "did not find expected ',' or ']'"},
		{"unclosed [ on line 5 at the end",
			pod + "  labels: [a, b\n", 5, "did not find expected ',' or ']'"},
		{"unclosed { on line 3",
			"a: 1\nb: 2\nc: {x: 1\n", 3, "did not find expected ',' or '}'"},
		{"[ on line 1 never closed: the last line, not the end after it",
			"a: [\n", 1, "did not find expected node content"},
		{"[ never closed, blank lines after it",
			"a: 1\nb: [\n\n  \n", 2, "did not find expected node content"},
		{"a key less indented on line 5",
			pod + " bad: [\n", 5, "did not find expected key"},
		{"a stray scalar on line 4 after a sequence",
			"a:\n  - x\n  - y\n z\n", 4, "did not find expected key"},
		{"a mapping value on line 2",
			"kind: Pod\n  x: [\n", 2, "mapping values are not allowed in this context"},
		{"a mapping value on line 4",
			"a:\n- x\n- y\nb: c: d\n", 4, "mapping values are not allowed in this context"},
		{"a quote opened on line 3 and never closed",
			"a: 1\nb: 2\nc: \"abc\nd: 4\n", 3, "found unexpected end of stream"},
		{"a tab on line 1",
			"\ta: b\n", 1, "found character that cannot start any token"},
		{"an alias to no anchor on line 3",
			"a: &nopex 1\nb: *nopex\nc: *nope\n", 3, "unknown anchor 'nope' referenced"},
		{"the second document, unclosed [ on its line 3 (file line 6)",
			"a: 1\nb: 2\n---\nc: 3\nd: 4\ne: [1,\n", 6, "did not find expected node content"},
		{"after a leading marker and comments, tab on file line 5",
			"---\n# comment\na:\n  b: c\n\td: e\n", 5, "found a tab character that violates indentation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, t.TempDir(), "bad.yaml", tc.src)
			m, _ := load(t, LoadOptions{}, p)
			want := []LoadError{{File: p, Line: tc.line, Message: "invalid YAML: " + tc.msg}}
			if diff := cmp.Diff(want, m.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
