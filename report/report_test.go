package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sascan/sascan/internal/schematest"
	"github.com/sascan/sascan/rules"
)

func sample() *Report {
	rule := &rules.Rule{ID: "SA999", Title: "A rule", Description: "d", Family: "tokens", Severity: rules.High, Remediation: "fix", References: []string{"https://kubernetes.io"}}
	return &Report{
		Tool:   Tool{Name: "sascan", Version: "1.2.3"},
		Source: Source{Mode: "manifest", Paths: []string{"x"}},
		Findings: []rules.Finding{
			{RuleID: "SA999", Title: "A rule", Severity: rules.High, Confidence: rules.Certain, Message: "m",
				Object:   rules.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "s"},
				Location: rules.Location{File: "dir/a b.yaml", Line: 3, Column: 1}, Path: "type",
				Evidence: map[string]any{"k": "v"}, Remediation: "fix", Fingerprint: strings.Repeat("a", 32),
				Related: []rules.Related{{Object: rules.ObjectRef{APIVersion: "v1", Kind: "ServiceAccount", Namespace: "ns", Name: "sa"}, Location: rules.Location{File: "dir/a b.yaml", Line: 9, Column: 1}}}},
			{RuleID: "SA999", Title: "A rule", Severity: rules.Low, Confidence: rules.Likely, Message: "m2",
				Object:   rules.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "t"},
				Location: rules.Location{File: "b.yaml", Line: 1, Column: 1}, Remediation: "fix", Fingerprint: strings.Repeat("b", 32),
				Suppressed: &rules.Suppression{Kind: "config", Reason: "ok"}},
		},
		Errors:  []Error{{File: "bad.yaml", Line: 2, Message: "invalid YAML"}},
		Objects: 3,
		Rules:   []*rules.Rule{rule},
	}
}

func TestJSONMatchesSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	schematest.Check(t, buf.Bytes())
	empty := &Report{Tool: Tool{Name: "sascan", Version: "x"}, Source: Source{Mode: "manifest"}}
	buf.Reset()
	if err := JSON(&buf, empty); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("empty report must have an empty findings array:\n%s", buf.String())
	}
}

func TestSummary(t *testing.T) {
	s := Summarize(sample())
	if s.Findings != 1 || s.Suppressed != 1 || s.BySeverity["high"] != 1 || s.BySeverity["low"] != 0 {
		t.Fatalf("summary %+v", s)
	}
}

func TestTableHidesSuppressed(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"HIGH", "SA999", "Secret ns/s", "dir/a b.yaml:3", "error: bad.yaml:2: invalid YAML", "1 findings (0 critical, 1 high, 0 medium, 0 low, 0 info), 1 suppressed, 3 objects scanned"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ns/t") {
		t.Errorf("suppressed finding shown:\n%s", out)
	}
}

func TestSARIFShape(t *testing.T) {
	r := sample()
	wd, _ := os.Getwd()
	r.SarifRoot = wd
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`"uri": "dir/a%20b.yaml"`, `"uriBaseId": "SRCROOT"`, `"uri": "file://` + filepath.ToSlash(wd) + `/"`,
		`"security-severity": "8.0"`, `"level": "error"`, `"level": "note"`,
		`"sascanFingerprint/v1": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`,
		`"justification": "config: ok"`, `"kind": "external"`, `"startLine": 9`,
		`"semanticVersion": "1.2.3"`, `"ruleIndex": 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
	if strings.Contains(out, `"index": -1`) || strings.Contains(out, `"id": -1`) {
		t.Error("SARIF keeps -1 sentinels")
	}
	// Results need a physical location even for objects without a file.
	r.Findings[0].Location = rules.Location{Cluster: "kind-dev"}
	r.Source.Mode = "cluster"
	buf.Reset()
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"uri": "cluster/kind-dev"`, `"fullyQualifiedName": "kind-dev/ns/Secret/s"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("cluster SARIF lacks %s", want)
		}
	}
}
