package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"no width", "a b c", 0, []string{"a b c"}},
		{"fits", "a b c", 5, []string{"a b c"}},
		{"at spaces", "the quick brown fox", 10, []string{"the quick", "brown fox"}},
		{"a path after its last slash that fits", "examples/demo/control-plane/kube-apiserver.yaml:13", 30, []string{"examples/demo/control-plane/", "kube-apiserver.yaml:13"}},
		{"a word without a slash anywhere", "automountServiceAccountToken: false", 12, []string{"automountSer", "viceAccountT", "oken: false"}},
		{"a long word between short ones", "a bcdefghij k", 4, []string{"a", "bcde", "fghi", "j k"}},
		{"wide runes count as two columns", "日本語の文", 4, []string{"日本", "語の", "文"}},
		{"a rune wider than the width", "日x", 1, []string{"日", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, wrap(tc.text, tc.width)); diff != "" {
				t.Errorf("wrap (-want +got):\n%s", diff)
			}
		})
	}
}

func TestColumnWidths(t *testing.T) {
	header := []string{"SEVERITY", "RULE", "OBJECT", "LOCATION", "MESSAGE"}
	rows := [][]string{{"CRITICAL", "SA001", strings.Repeat("o", 40), strings.Repeat("l", 50), strings.Repeat("m", 100)}}
	// The frame takes 16 columns, severity and rule 13.
	tests := []struct {
		name  string
		width int
		want  []int
	}{
		{"no terminal: full width", 0, []int{8, 5, 40, 50, 100}},
		{"wide enough", 16 + 13 + 190, []int{8, 5, 40, 50, 100}},
		{"the message gives way first", 16 + 13 + 150, []int{8, 5, 40, 50, 60}},
		{"then the widest of the three", 16 + 13 + 120, []int{8, 5, 40, 40, 40}},
		{"120 columns", 120, []int{8, 5, 30, 30, 31}},
		{"80 columns: the minimums", 80, []int{8, 5, 13, 14, 24}},
		{"narrower than the minimums", 40, []int{8, 5, 12, 12, 24}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, columnWidths(header, rows, tc.width)); diff != "" {
				t.Errorf("widths (-want +got):\n%s", diff)
			}
		})
	}
}

// With a width, every line of the table and the lines under it fit; with
// none, each finding is one line.
func TestTableWidth(t *testing.T) {
	r := sample()
	r.Findings[0].Message = "Secret ns/s holds a long-lived token for ServiceAccount ns/sa, which any pod of the namespace can mount"
	r.Errors = []Error{{File: "a/very/long/path/to/a/manifest/that/does/not/parse.yaml", Line: 2, Message: "invalid YAML: did not find expected key"}}
	for _, width := range []int{80, 100} {
		r.Width = width
		var b bytes.Buffer
		if err := Table(&b, r); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if twwidth.Width(line) > width {
				t.Errorf("width %d: line of %d columns: %s", width, twwidth.Width(line), line)
			}
		}
	}
	r.Width = 0
	var b bytes.Buffer
	if err := Table(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "│ HIGH     │ SA999 │ Secret ns/s │ dir/a b.yaml:3 │ " + r.Findings[0].Message + " │\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("no one-line row %q in:\n%s", want, b.String())
	}
}
