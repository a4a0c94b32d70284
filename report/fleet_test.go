package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/internal/schematest"
	"github.com/sascan/sascan/rules"
)

// twoClusters is a fleet report: clusters a and b scanned, with the same
// Secret flagged in both and a suppressed finding in b; c unreachable.
func twoClusters() *Report {
	rule := &rules.Rule{ID: "SA999", Title: "A rule", Description: "d", Family: "tokens", Severity: rules.High, Remediation: "fix"}
	f := func(cluster, name string, sev rules.Severity, fp string) rules.Finding {
		return rules.Finding{RuleID: "SA999", Title: "A rule", Severity: sev, Confidence: rules.Certain, Message: "Secret ns/" + name + " in " + cluster,
			Object:   rules.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: name},
			Location: rules.Location{Cluster: cluster}, Remediation: "fix", Fingerprint: strings.Repeat(fp, 32)}
	}
	suppressed := f("b", "t", rules.Low, "b")
	suppressed.Suppressed = &rules.Suppression{Kind: "config", Reason: "ok"}
	return &Report{
		Tool:     Tool{Name: "sascan", Version: "1.2.3"},
		Source:   Source{Mode: "cluster", Clusters: []string{"a", "b", "c"}},
		Clusters: []Cluster{{Name: "a", Scanned: true, Objects: 10}, {Name: "b", Scanned: true, Objects: 20}, {Name: "c"}},
		Findings: []rules.Finding{f("a", "s", rules.High, "a"), f("b", "s", rules.High, "a"), suppressed},
		Incomplete: []Incomplete{
			{Cluster: "a", Resource: "secret values", Reason: "not read", Rules: []string{"SA002", "SA003"}},
			{Cluster: "b", Resource: "secret values", Reason: "not read", Rules: []string{"SA002", "SA003"}},
			{Cluster: "c", Resource: IncompleteCluster, Reason: "get /version: connection refused"},
		},
		Rules: []*rules.Rule{rule},
	}
}

func TestFleetJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, twoClusters()); err != nil {
		t.Fatal(err)
	}
	schematest.Check(t, buf.Bytes())
	var got struct {
		Source     Source
		Summary    Summary
		Incomplete []Incomplete
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	sev := func(high, low int) map[string]int {
		return map[string]int{"critical": 0, "high": high, "medium": 0, "low": low, "info": 0}
	}
	want := Summary{Objects: 30, Findings: 2, BySeverity: sev(2, 0), Suppressed: 1, Clusters: []ClusterSummary{
		{Name: "a", Scanned: true, Objects: 10, Findings: 1, BySeverity: sev(1, 0)},
		{Name: "b", Scanned: true, Objects: 20, Findings: 1, BySeverity: sev(1, 0), Suppressed: 1},
		{Name: "c", Objects: 0, BySeverity: sev(0, 0)},
	}}
	if diff := cmp.Diff(want, got.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Source{Mode: "cluster", Clusters: []string{"a", "b", "c"}}, got.Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(twoClusters().Incomplete, got.Incomplete); diff != "" {
		t.Errorf("incomplete (-want +got):\n%s", diff)
	}
}

func TestFleetTable(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, twoClusters()); err != nil {
		t.Fatal(err)
	}
	want := `┌──────────┬───────┬─────────┬─────────────┬──────────────────┐
│ SEVERITY │ RULE  │ CLUSTER │   OBJECT    │     MESSAGE      │
├──────────┼───────┼─────────┼─────────────┼──────────────────┤
│ HIGH     │ SA999 │ a       │ Secret ns/s │ Secret ns/s in a │
│ HIGH     │ SA999 │ b       │ Secret ns/s │ Secret ns/s in b │
└──────────┴───────┴─────────┴─────────────┴──────────────────┘
incomplete: cluster a: secret values: not read (rules: SA002, SA003)
incomplete: cluster b: secret values: not read (rules: SA002, SA003)
incomplete: cluster c: not scanned: get /version: connection refused
cluster a: 1 findings (0 critical, 1 high, 0 medium, 0 low, 0 info), 0 suppressed, 10 objects scanned
cluster b: 1 findings (0 critical, 1 high, 0 medium, 0 low, 0 info), 1 suppressed, 20 objects scanned
cluster c: not scanned
2 findings (0 critical, 2 high, 0 medium, 0 low, 0 info), 1 suppressed, 30 objects scanned in 2 of 3 clusters
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

type sarifOut struct {
	Runs []struct {
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []struct {
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
			Suppressions []any `json:"suppressions"`
		} `json:"results"`
		Properties map[string]any `json:"properties"`
	} `json:"runs"`
}

// runsOf is each run's category and its results' messages.
func runsOf(t *testing.T, b []byte) map[string][]string {
	t.Helper()
	var log sarifOut
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range log.Runs {
		msgs := []string{}
		for _, res := range r.Results {
			m := res.Message.Text
			if len(res.Suppressions) > 0 {
				m += " (suppressed)"
			}
			msgs = append(msgs, m)
		}
		out[r.AutomationDetails.ID] = msgs
	}
	if len(out) != len(log.Runs) {
		t.Fatalf("%d runs share categories: %v", len(log.Runs), out)
	}
	return out
}

// One run per scanned cluster, each its own category; none for the cluster
// that was not scanned, which the warning names.
func TestFleetSARIF(t *testing.T) {
	r := twoClusters()
	var warnings []string
	r.Warn = func(m string) { warnings = append(warnings, m) }
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"sascan/cluster/a/": {"Secret ns/s in a"},
		"sascan/cluster/b/": {"Secret ns/s in b", "Secret ns/t in b (suppressed)"},
	}
	if diff := cmp.Diff(want, runsOf(t, buf.Bytes())); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SARIF: cluster c was not scanned and has no run; its code scanning alerts stay as they were"}, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	for _, s := range []string{`"uri": "cluster/a"`, `"fullyQualifiedName": "b/ns/Secret/s"`} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("SARIF lacks %s", s)
		}
	}
	validate(t, buf.Bytes())
}

func TestAutomationID(t *testing.T) {
	for in, want := range map[string]string{
		"prod":                                 "sascan/cluster/prod/",
		"arn:aws:eks:eu-west-1:1:cluster/prod": "sascan/cluster/arn:aws:eks:eu-west-1:1:cluster%2Fprod/",
		"admin@kind kind":                      "sascan/cluster/admin@kind%20kind/",
	} {
		if got := AutomationID(in); got != want {
			t.Errorf("AutomationID(%q) = %q, want %q", in, got, want)
		}
	}
}

// GitHub rejects a file of more than 20 runs: 21 scanned clusters are an
// error, not a file code scanning refuses; 20 and an unscanned 21st pass.
func TestFleetSARIFRunLimit(t *testing.T) {
	fleet := func(n, unscanned int) *Report {
		r := twoClusters()
		r.Findings, r.Incomplete, r.Clusters = nil, nil, nil
		for i := range n + unscanned {
			r.Clusters = append(r.Clusters, Cluster{Name: fmt.Sprintf("c%02d", i), Scanned: i < n})
		}
		return r
	}
	var buf bytes.Buffer
	err := SARIF(&buf, fleet(GitHubMaxRuns+1, 0))
	if !errors.Is(err, ErrTooManyRuns) || err.Error() != "render sarif: 21 scanned clusters: more clusters than the 20 runs GitHub code scanning accepts in one SARIF file (write SARIF for at most 20 clusters at a time)" {
		t.Fatalf("21 clusters: %v", err)
	}
	buf.Reset()
	if err := SARIF(&buf, fleet(GitHubMaxRuns, 1)); err != nil {
		t.Fatal(err)
	}
	if n := len(runsOf(t, buf.Bytes())); n != GitHubMaxRuns {
		t.Fatalf("%d runs", n)
	}
}

// Cut to fit the file's size, the lowest severities of every run go first:
// the critical findings of both clusters stay.
func TestFleetSARIFSizeLimitAcrossRuns(t *testing.T) {
	a, b := many(6000, 1200), many(6000, 1200)
	r := twoClusters()
	r.Incomplete = nil
	r.Clusters = r.Clusters[:2]
	r.Findings = nil
	for _, x := range []struct {
		name string
		fs   []rules.Finding
	}{{"a", a.Findings}, {"b", b.Findings}} {
		for _, f := range x.fs {
			f.Location = rules.Location{Cluster: x.name}
			r.Findings = append(r.Findings, f)
		}
	}
	var warnings []string
	r.Warn = func(m string) { warnings = append(warnings, m) }
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	size, err := gzipSize(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Level string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if size > gitHubMaxGzipBytes || len(log.Runs) != 2 {
		t.Fatalf("%d bytes gzipped, %d runs", size, len(log.Runs))
	}
	for i, run := range log.Runs {
		errs := 0
		for _, res := range run.Results {
			if res.Level == "error" {
				errs++
			}
		}
		if errs != 600 || len(run.Results) >= 6000 {
			t.Errorf("run %d: %d results, %d critical (want all 600)", i, len(run.Results), errs)
		}
	}
	if len(warnings) != 2 || !strings.HasPrefix(warnings[0], "SARIF: cluster a: ") || !strings.HasPrefix(warnings[1], "SARIF: cluster b: ") {
		t.Errorf("warnings %q", warnings)
	}
}
