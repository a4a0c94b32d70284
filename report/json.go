package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/sascan/sascan/rules"
)

type jsonReport struct {
	SchemaVersion string          `json:"schemaVersion"`
	Tool          Tool            `json:"tool"`
	Source        Source          `json:"source"`
	Summary       Summary         `json:"summary"`
	Findings      json.RawMessage `json:"findings"` // JSON splices them in
	Errors        []Error         `json:"errors"`
	Incomplete    []Incomplete    `json:"incomplete"`
	Hints         []string        `json:"hints,omitempty"`
	Audit         *Audit          `json:"audit,omitempty"`
}

// JSON writes the report as indented JSON. The same input gives the same
// bytes: findings are sorted and maps are written with sorted keys.
//
// The findings, most of a large report, are encoded on every CPU, each
// with the indentation of its place in the report, and spliced into the
// rest, which is encoded as one value: the bytes are those of encoding the
// whole report at once (TestJSONSplicesFindings).
func JSON(w io.Writer, r *Report) error {
	out := jsonReport{
		SchemaVersion: SchemaVersion, Tool: r.Tool, Source: r.Source, Summary: Summarize(r),
		Findings: json.RawMessage(findingsPlaceholder), Errors: r.Errors, Incomplete: r.Incomplete, Hints: r.Hints, Audit: r.Audit,
	}
	if out.Errors == nil {
		out.Errors = []Error{}
	}
	if out.Incomplete == nil {
		out.Incomplete = []Incomplete{}
	}
	var env bytes.Buffer
	if err := encodeIndented(&env, out, ""); err != nil {
		return err
	}
	head, tail, ok := bytes.Cut(env.Bytes(), []byte("\n  \"findings\": "+findingsPlaceholder))
	if !ok {
		return fmt.Errorf("encode the report: no place for the findings in %q", env.String())
	}
	if _, err := w.Write(append(head, "\n  \"findings\": "...)); err != nil {
		return err
	}
	if err := writeFindings(w, r.Findings); err != nil {
		return err
	}
	_, err := w.Write(tail)
	return err
}

// findingsPlaceholder holds the findings' place in the encoded envelope.
const findingsPlaceholder = `"sascan:findings"`

// encodeIndented writes v as the report's encoder does (two-space indent,
// no HTML escaping, a newline at the end), every line after the first
// prefixed by prefix: the bytes of json.Encoder with SetIndent
// (TestIndentLikeEncodingJSON), indented by indentJSON, which in profiles
// of 100,000-object reports took a fifth of the time json.Indent takes.
func encodeIndented(w *bytes.Buffer, v any, prefix string) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Write(indentJSON(w.AvailableBuffer(), bytes.TrimSuffix(compact.Bytes(), []byte("\n")), prefix, "  "))
	w.WriteByte('\n')
	return nil
}

// indentJSON appends src, compact JSON as encoding/json writes it (no
// insignificant space), to dst with each element on a line of its own,
// prefixed by prefix and indent once per level, as json.Indent does:
// empty objects and arrays stay "{}" and "[]".
func indentJSON(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && src[i+1] == c+2 { // '}' and ']' follow '{' and '[' by two
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// writeFindings writes the findings as the array at the report's top
// level, encoded in parallel.
func writeFindings(w io.Writer, fs []rules.Finding) error {
	if len(fs) == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	const itemIndent = "    "
	parts := make([][]byte, len(fs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	const chunk = 256
	for lo := 0; lo < len(fs); lo += chunk {
		hi := min(lo+chunk, len(fs))
		g.Go(func() error {
			var b bytes.Buffer
			for i := lo; i < hi; i++ {
				b.Reset()
				if err := encodeIndented(&b, fs[i], itemIndent); err != nil {
					return err
				}
				parts[i] = bytes.Clone(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteByte('[')
	for i, p := range parts {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n" + itemIndent)
		bw.Write(p)
	}
	bw.WriteString("\n  ]")
	return bw.Flush()
}

// Baseline holds the fingerprints of a previous report's findings by the
// cluster each finding names (location.cluster; "" for manifest findings).
type Baseline map[string]map[string]bool

// All is every fingerprint of the baseline, whatever its cluster: a
// manifest scan and a single-cluster scan match findings by fingerprint
// alone (a baseline written under another context name still applies).
func (b Baseline) All() map[string]bool {
	out := map[string]bool{}
	for _, fps := range b {
		for fp := range fps {
			out[fp] = true
		}
	}
	return out
}

// Cluster is what applies to the findings of one cluster of a fleet scan or
// merge: the baseline's findings of that cluster, and those of no cluster
// (a manifest scan's).
func (b Baseline) Cluster(name string) map[string]bool {
	out := map[string]bool{}
	for _, c := range []string{name, ""} {
		for fp := range b[c] {
			out[fp] = true
		}
	}
	return out
}

// ReadBaseline reads the fingerprints of a previous JSON report (a
// baseline). Anything else, a SARIF log or `{}` included, is an error:
// a baseline that suppresses nothing must not pass unnoticed.
func ReadBaseline(rd io.Reader) (Baseline, error) {
	in, err := decodeReport(rd, "; write one with --write-baseline or -o json")
	if err != nil {
		return nil, err
	}
	out := Baseline{}
	for _, f := range *in.Findings {
		if f.Fingerprint == "" {
			continue
		}
		c := f.Location.Cluster
		if out[c] == nil {
			out[c] = map[string]bool{}
		}
		out[c][f.Fingerprint] = true
	}
	return out, nil
}

// ReadJSON reads a sascan JSON report (what sascan merge combines).
// Numbers in evidence keep the text they were written with.
func ReadJSON(rd io.Reader) (*Report, error) {
	in, err := decodeReport(rd, "; write one with sascan cluster -o json")
	if err != nil {
		return nil, err
	}
	r := &Report{
		Tool: *in.Tool, Source: in.Source, Objects: in.Summary.Objects, Findings: *in.Findings,
		Errors: in.Errors, Incomplete: in.Incomplete, Hints: in.Hints,
	}
	for _, c := range in.Summary.Clusters {
		r.Clusters = append(r.Clusters, Cluster{Name: c.Name, Scanned: c.Scanned, Objects: c.Objects})
	}
	return r, nil
}

// jsonInput is a JSON report as read back; pointers tell a missing key
// from an empty value.
type jsonInput struct {
	SchemaVersion string           `json:"schemaVersion"`
	Tool          *Tool            `json:"tool"`
	Source        Source           `json:"source"`
	Summary       Summary          `json:"summary"`
	Findings      *[]rules.Finding `json:"findings"`
	Errors        []Error          `json:"errors"`
	Incomplete    []Incomplete     `json:"incomplete"`
	Hints         []string         `json:"hints"`
}

// decodeReport reads a sascan JSON report of this schema version; errors
// say what the input is instead, followed by hint.
func decodeReport(rd io.Reader, hint string) (*jsonInput, error) {
	var top map[string]json.RawMessage
	if err := json.NewDecoder(rd).Decode(&top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("not a sascan JSON report (a JSON %s, not an object)%s", te.Value, hint)
		}
		return nil, fmt.Errorf("not a sascan JSON report (not JSON: %v)%s", err, hint)
	}
	// Re-encoding a map of raw messages cannot fail.
	b, _ := json.Marshal(top)
	typeErr := func(err error) error {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("not a sascan JSON report (%s is a JSON %s)%s", te.Field, te.Value, hint)
		}
		return fmt.Errorf("not a sascan JSON report (%v)%s", err, hint)
	}
	// What the report is comes first: the rest of another version's
	// report may not decode.
	var head struct {
		SchemaVersion string `json:"schemaVersion"`
		Tool          *Tool  `json:"tool"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, typeErr(err)
	}
	switch {
	case top["runs"] != nil && head.SchemaVersion == "":
		return nil, errors.New("a SARIF log, not a sascan JSON report" + hint)
	case head.SchemaVersion != "" && head.SchemaVersion != SchemaVersion && head.Tool != nil && head.Tool.Name == "sascan":
		return nil, fmt.Errorf("a sascan JSON report of schema version %q; this sascan reads version %q", head.SchemaVersion, SchemaVersion)
	}
	var in jsonInput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return nil, typeErr(err)
	}
	if in.SchemaVersion == "" || in.Tool == nil || in.Tool.Name != "sascan" || in.Findings == nil {
		return nil, errors.New("not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint)
	}
	return &in, nil
}
