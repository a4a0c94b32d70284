package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sascan/sascan/rules"
)

// TestJSONSplicesFindings: the findings encoded apart, in parallel, and
// spliced into the report give the bytes of encoding the whole report as
// one value, for no findings, a few, and more than one chunk of them with
// text that HTML escaping, indentation and Unicode would change.
func TestJSONSplicesFindings(t *testing.T) {
	for _, n := range []int{0, 1, 2, 700} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := sample()
			r.Hints = []string{"a <hint> & more"}
			base := r.Findings[0]
			r.Findings = nil
			for i := range n {
				f := base
				f.Message = fmt.Sprintf("finding %d <b>&</b> é \u2028 \"q\"", i)
				f.Evidence = map[string]any{"list": []any{1.5, "x", map[string]any{"deep": []any{}}}, "n": i, "empty": map[string]any{}}
				r.Findings = append(r.Findings, f)
			}
			var got bytes.Buffer
			if err := JSON(&got, r); err != nil {
				t.Fatal(err)
			}
			whole := struct {
				SchemaVersion string          `json:"schemaVersion"`
				Tool          Tool            `json:"tool"`
				Source        Source          `json:"source"`
				Summary       Summary         `json:"summary"`
				Findings      []rules.Finding `json:"findings"`
				Errors        []Error         `json:"errors"`
				Incomplete    []Incomplete    `json:"incomplete"`
				Hints         []string        `json:"hints,omitempty"`
				Audit         *Audit          `json:"audit,omitempty"`
			}{SchemaVersion, r.Tool, r.Source, Summarize(r), r.Findings, r.Errors, []Incomplete{}, r.Hints, r.Audit}
			if whole.Findings == nil {
				whole.Findings = []rules.Finding{}
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(whole); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("spliced report differs from the whole encoding:\n got %q\nwant %q", got.String(), want.String())
			}
		})
	}
}
