package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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

// TestIndentLikeEncodingJSON: encodeIndented writes the bytes of
// json.Encoder with SetIndent and no HTML escaping, after what the buffer
// holds: nested and empty containers, strings with quotes, backslashes and
// brackets, escapes, numbers, and random values.
func TestIndentLikeEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, 1.5e-300, "", `a "quoted" \ back\slash \" ] } { [ , :`, "\u2028 é \x01 <&>",
		[]any{}, map[string]any{}, []any{[]any{}, map[string]any{}, []any{[]any{1}}},
		map[string]any{"": "", "a:b,c": map[string]any{"[": []any{"}", ","}}, "e": []any{}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var random func(depth int) any
	random = func(depth int) any {
		switch k := rng.IntN(7); {
		case depth > 4 || k == 0:
			return []any{"s\\\"", 3, -0.25, false, nil}[rng.IntN(5)]
		case k < 4:
			l := make([]any, rng.IntN(4))
			for i := range l {
				l[i] = random(depth + 1)
			}
			return l
		default:
			m := map[string]any{}
			for i := range rng.IntN(4) {
				m[fmt.Sprintf("k%d\"\\", i)] = random(depth + 1)
			}
			return m
		}
	}
	for range 500 {
		values = append(values, random(0))
	}
	for i, v := range values {
		for _, prefix := range []string{"", "    "} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent(prefix, "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			got := bytes.NewBufferString("before ") // encodeIndented appends
			if err := encodeIndented(got, v, prefix); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), append([]byte("before "), want.Bytes()...)) {
				t.Fatalf("value %d with prefix %q:\ngot  %s\nwant before %s", i, prefix, got, want.Bytes())
			}
		}
	}
}
