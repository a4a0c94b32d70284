package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sascan/sascan/rules"
)

type jsonReport struct {
	SchemaVersion string          `json:"schemaVersion"`
	Tool          Tool            `json:"tool"`
	Source        Source          `json:"source"`
	Summary       Summary         `json:"summary"`
	Findings      []rules.Finding `json:"findings"`
	Errors        []Error         `json:"errors"`
	Incomplete    []Incomplete    `json:"incomplete"`
	Hints         []string        `json:"hints,omitempty"`
}

// JSON writes the report as indented JSON. The same input gives the same
// bytes: findings are sorted and maps are written with sorted keys.
func JSON(w io.Writer, r *Report) error {
	out := jsonReport{
		SchemaVersion: SchemaVersion, Tool: r.Tool, Source: r.Source, Summary: Summarize(r),
		Findings: r.Findings, Errors: r.Errors, Incomplete: r.Incomplete, Hints: r.Hints,
	}
	if out.Findings == nil {
		out.Findings = []rules.Finding{}
	}
	if out.Errors == nil {
		out.Errors = []Error{}
	}
	if out.Incomplete == nil {
		out.Incomplete = []Incomplete{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// ReadFingerprints reads the fingerprints of a previous JSON report (a
// baseline). Anything else, a SARIF log or `{}` included, is an error:
// a baseline that suppresses nothing must not pass unnoticed.
func ReadFingerprints(rd io.Reader) (map[string]bool, error) {
	const hint = "; write one with --write-baseline or -o json"
	var top map[string]json.RawMessage
	if err := json.NewDecoder(rd).Decode(&top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("not a sascan JSON report (a JSON %s, not an object)%s", te.Value, hint)
		}
		return nil, fmt.Errorf("not a sascan JSON report (not JSON: %v)%s", err, hint)
	}
	var in struct {
		SchemaVersion string `json:"schemaVersion"`
		Tool          *Tool  `json:"tool"`
		Findings      *[]struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	// Re-encoding a map of raw messages cannot fail.
	b, _ := json.Marshal(top)
	if err := json.Unmarshal(b, &in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("not a sascan JSON report (%s is a JSON %s)%s", te.Field, te.Value, hint)
		}
		return nil, fmt.Errorf("not a sascan JSON report (%v)%s", err, hint)
	}
	switch {
	case top["runs"] != nil && in.SchemaVersion == "":
		return nil, errors.New("a SARIF log, not a sascan JSON report" + hint)
	case in.SchemaVersion == "" || in.Tool == nil || in.Tool.Name != "sascan" || in.Findings == nil:
		return nil, errors.New("not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint)
	case in.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("a sascan JSON report of schema version %q; this sascan reads version %q", in.SchemaVersion, SchemaVersion)
	}
	out := map[string]bool{}
	for _, f := range *in.Findings {
		if f.Fingerprint != "" {
			out[f.Fingerprint] = true
		}
	}
	return out, nil
}
