package report

import (
	"encoding/json"
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
}

// JSON writes the report as indented JSON. The same input gives the same
// bytes: findings are sorted and maps are written with sorted keys.
func JSON(w io.Writer, r *Report) error {
	out := jsonReport{
		SchemaVersion: SchemaVersion, Tool: r.Tool, Source: r.Source, Summary: Summarize(r),
		Findings: r.Findings, Errors: r.Errors, Incomplete: r.Incomplete,
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
// baseline).
func ReadFingerprints(rd io.Reader) (map[string]bool, error) {
	var in struct {
		SchemaVersion string `json:"schemaVersion"`
		Findings      []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.NewDecoder(rd).Decode(&in); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range in.Findings {
		if f.Fingerprint != "" {
			out[f.Fingerprint] = true
		}
	}
	return out, nil
}
