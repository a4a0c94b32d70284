package report

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sascan/sascan/rules"
)

// many is a report of n findings: a tenth critical, the rest low, one in
// fifty suppressed; each message carries pad bytes of random text.
func many(n, pad int) *Report {
	r := sample()
	r.Findings = nil
	for i := range n {
		sev := rules.Low
		if i%10 == 0 {
			sev = rules.Critical
		}
		msg := fmt.Sprintf("finding %d", i)
		if pad > 0 {
			b := make([]byte, pad*3/4)
			_, _ = rand.Read(b)
			msg += " " + base64.StdEncoding.EncodeToString(b)
		}
		f := rules.Finding{RuleID: "SA999", Title: "A rule", Severity: sev, Confidence: rules.Certain, Message: msg,
			Object:   rules.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: fmt.Sprintf("s%d", i)},
			Location: rules.Location{File: "a.yaml", Line: i + 1, Column: 1}, Fingerprint: fmt.Sprintf("%032d", i)}
		if i%50 == 1 {
			f.Suppressed = &rules.Suppression{Kind: "config", Reason: "ok"}
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

type sarifRun struct {
	Results []struct {
		Level        string `json:"level"`
		Suppressions []any  `json:"suppressions"`
	} `json:"results"`
	Properties map[string]any `json:"properties"`
}

func renderLimited(t *testing.T, r *Report) ([]byte, sarifRun, []string) {
	t.Helper()
	var warnings []string
	r.Warn = func(m string) { warnings = append(warnings, m) }
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log struct{ Runs []sarifRun }
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs", len(log.Runs))
	}
	return buf.Bytes(), log.Runs[0], warnings
}

// Past 25,000 results a run GitHub rejects the upload: the lowest
// severities go first, suppressed findings before them, and the run and
// stderr say how many.
func TestSARIFKeepsWithinGitHubResultLimit(t *testing.T) {
	out, run, warnings := renderLimited(t, many(gitHubMaxResults+1000, 0))
	if len(run.Results) != gitHubMaxResults {
		t.Fatalf("%d results, want %d", len(run.Results), gitHubMaxResults)
	}
	errors, suppressed := 0, 0
	for _, r := range run.Results {
		if r.Level == "error" {
			errors++
		}
		if len(r.Suppressions) > 0 {
			suppressed++
		}
	}
	// Every critical finding stays (2,600 of them); 1,000 of the rest go,
	// and the suppressed ones (520) are among them.
	if errors != (gitHubMaxResults+1000)/10 || suppressed != 0 {
		t.Errorf("%d critical and %d suppressed results kept", errors, suppressed)
	}
	if got := run.Properties["sascan/omittedResults"]; fmt.Sprint(got) != "1000" {
		t.Errorf("omittedResults = %v", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "1000 of 26000 findings left out") {
		t.Errorf("warnings %q", warnings)
	}
	if len(out) == 0 {
		t.Fatal("no log")
	}
	// The multitool reads files up to 10 MB, so the shape of a cut log is
	// validated on a small one.
	small := many(100, 0)
	cut, err := sarifLog(small, []runInput{{all: small.Findings, kept: small.Findings[:50]}})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, cut)
}

// A log over 10 MB gzipped is cut to fit.
func TestSARIFKeepsWithinGitHubSizeLimit(t *testing.T) {
	out, run, warnings := renderLimited(t, many(12000, 1200))
	size, err := gzipSize(out)
	if err != nil {
		t.Fatal(err)
	}
	if size > gitHubMaxGzipBytes || len(run.Results) == 0 || len(run.Results) >= 12000 {
		t.Fatalf("%d results, %d bytes gzipped", len(run.Results), size)
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(out)
	_ = zw.Close()
	if zb.Len() > gitHubMaxGzipBytes || len(warnings) != 1 {
		t.Errorf("gzip %d bytes, warnings %q", zb.Len(), warnings)
	}
}

// Under the limits nothing changes and nothing is said.
func TestSARIFWithinLimitsIsWhole(t *testing.T) {
	_, run, warnings := renderLimited(t, many(100, 0))
	if len(run.Results) != 100 || run.Properties["sascan/omittedResults"] != nil || len(warnings) != 0 {
		t.Errorf("%d results, properties %v, warnings %q", len(run.Results), run.Properties, warnings)
	}
}

// validate runs ../shared/tools/validate-sarif when it is there (CI has it).
func validate(t *testing.T, log []byte) {
	t.Helper()
	tool := filepath.Join("..", "..", "shared", "tools", "validate-sarif")
	if _, err := os.Stat(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("validate-sarif not found: %v", err)
		}
		t.Log("../shared/tools/validate-sarif not present: not validated")
		return
	}
	p := filepath.Join(t.TempDir(), "limited.sarif")
	if err := os.WriteFile(p, log, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), " 0 error(s)") {
		t.Fatalf("validate-sarif: %v\n%s", err, out)
	}
}
