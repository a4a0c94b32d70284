package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/internal/browser"
)

// The screenshot of the HTML report in the README, rewritten only by
// go test ./cmd/sascan -run TestHTMLReportInBrowser -update.
const htmlScreenshot = "docs/img/html-report.png"

// The HTML reports that sascan scan writes for the demo and for the SA034
// fixture (two tokens whose paths go through one operator's), opened in
// headless Chromium: the summary's counts, a filter by rule that narrows
// the table, and the steps of an attack path in its ServiceAccount's
// graph. A screenshot of that page is saved (docs/img/html-report.png
// under -update). Skipped without Chromium; under CI=true a missing
// Chromium fails.
func TestHTMLReportInBrowser(t *testing.T) {
	path, err := browser.Find()
	if err != nil {
		if inCI() {
			t.Fatalf("%v: CI runs the browser tests", err)
		}
		t.Skip(err)
	}
	root := repoRoot(t)
	dir := t.TempDir()
	scan := func(t *testing.T, name string, paths ...string) string {
		t.Helper()
		file := filepath.Join(dir, name)
		r := cli(t, "", append([]string{"scan", "-o", "html=" + file, fixedNow}, paths...)...)
		if r.code != exitFindings || r.out != "" {
			t.Fatalf("scan %v: exit %d, stdout %q, stderr %s", paths, r.code, r.out, r.err)
		}
		return file
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx, path, 1200, 800)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	// open loads a report in a new tab and waits for its table.
	open := func(t *testing.T, file string) *browser.Page {
		t.Helper()
		p, err := b.NewPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Navigate(ctx, "file://"+file); err != nil {
			t.Fatal(err)
		}
		wait(t, p, `document.documentElement.dataset.ready`)
		return p
	}
	type summary struct {
		Total      string            `json:"total"`
		Severities map[string]string `json:"severities"`
		Rules      map[string]string `json:"rules"`
		Chokes     []string          `json:"chokes"`
	}
	readSummary := func(t *testing.T, p *browser.Page) summary {
		t.Helper()
		var s summary
		eval(t, p, `({
			total: document.getElementById('summary-total').textContent,
			severities: Object.fromEntries(Array.from(document.querySelectorAll('[data-severity]')).map(e => [e.dataset.severity, e.textContent])),
			rules: Object.fromEntries(Array.from(document.querySelectorAll('#by-rule tr[data-rule]')).map(tr => [tr.dataset.rule, tr.querySelector('.total').textContent])),
			chokes: Array.from(document.querySelectorAll('#choke-points tbody tr')).map(tr => tr.cells[1].textContent + ' ' + tr.cells[3].textContent),
		})`, &s)
		return s
	}
	// filterByRule picks a rule in the table's filter, as a user does, and
	// returns the status line and the rule of each row shown.
	filterByRule := func(t *testing.T, p *browser.Page, rule string) (string, []string) {
		t.Helper()
		var got struct {
			Status string   `json:"status"`
			Rules  []string `json:"rules"`
		}
		eval(t, p, fmt.Sprintf(`(() => {
			const e = document.getElementById('f-rule'); e.value = %q; e.dispatchEvent(new Event('change'));
			return {status: document.getElementById('f-status').textContent,
				rules: Array.from(document.querySelectorAll('#findings-table tbody tr.row')).map(tr => tr.cells[1].textContent)};
		})()`, rule), &got)
		return got.Status, got.Rules
	}
	repeat := func(s string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}

	t.Run("demo", func(t *testing.T) {
		p := open(t, scan(t, "demo.html", "examples/demo"))
		want := summary{
			Total:      "11 findings, 0 suppressed",
			Severities: map[string]string{"critical": "2", "high": "3", "medium": "3", "low": "3", "info": "0"},
			Rules: map[string]string{
				"SA001": "1", "SA011": "1", "SA012": "1", "SA013": "2", "SA017": "1", "SA018": "1",
				"SA022": "1", "SA023": "1", "SA024": "1", "SA025": "1",
			},
			Chokes: []string{}, // no attack path, no choke point
		}
		if diff := cmp.Diff(want, readSummary(t, p)); diff != "" {
			t.Errorf("summary (-want +got)\n%s", diff)
		}
		status, rules := filterByRule(t, p, "SA013")
		if status != "Findings 1–2 of 2 (filtered from 11)" {
			t.Errorf("status %q", status)
		}
		if diff := cmp.Diff(repeat("SA013", 2), rules); diff != "" {
			t.Errorf("rows (-want +got)\n%s", diff)
		}
		noErrors(t, b, p)
	})

	t.Run("attack paths", func(t *testing.T) {
		p := open(t, scan(t, "paths.html", "testdata/rules/SA034/fail-group-binding.yaml"))
		want := summary{
			Total:      "10 findings, 0 suppressed",
			Severities: map[string]string{"critical": "2", "high": "7", "medium": "1", "low": "0", "info": "0"},
			Rules:      map[string]string{"SA012": "1", "SA013": "4", "SA033": "2", "SA034": "3"},
			Chokes: []string{
				"ClusterRoleBinding operator-admin 2", "Role ops/deployer 2", "RoleBinding ops/ci-deploys 2",
			},
		}
		if diff := cmp.Diff(want, readSummary(t, p)); diff != "" {
			t.Errorf("summary (-want +got)\n%s", diff)
		}
		status, rules := filterByRule(t, p, "SA033")
		if status != "Findings 1–2 of 2 (filtered from 10)" {
			t.Errorf("status %q", status)
		}
		if diff := cmp.Diff(repeat("SA033", 2), rules); diff != "" {
			t.Errorf("rows (-want +got)\n%s", diff)
		}

		// ci/a's page draws its path to cluster-admin: from the pod that
		// holds the token through the operator's.
		eval(t, p, `location.hash = '#sa/ci/a'`, nil)
		wait(t, p, `document.getElementById('sa-title') && document.getElementById('sa-title').textContent === 'ServiceAccount ci/a'`)
		var graph struct {
			Nodes [][]string `json:"nodes"` // label, layer, class
			Edges [][]string `json:"edges"` // from, to, action
		}
		eval(t, p, `({
			nodes: Array.from(document.querySelectorAll('#view-sa svg .node')).map(n => [n.dataset.label, n.dataset.layer, n.getAttribute('class')]),
			edges: Array.from(document.querySelectorAll('#view-sa svg .edge')).map(e => [e.dataset.from, e.dataset.to, e.dataset.action]),
		})`, &graph)
		steps, err := pathTo(graph.Nodes, graph.Edges, "cluster-admin")
		if err != nil {
			t.Fatalf("%v\nnodes %q\nedges %q", err, graph.Nodes, graph.Edges)
		}
		wantSteps := []string{
			"Pod ci/a (automounted token) [layer 0, node source]",
			"  holds the token",
			"ServiceAccount ci/a [layer 1, node account current]",
			"  create pods in namespace ops",
			"ServiceAccount ops/operator [layer 2, node account]",
			"  admission webhooks (P13) cluster-wide, bind roles (P11) cluster-wide, escalate roles (P10) cluster-wide, everything (P01) cluster-wide, impersonate (P09) cluster-wide, issue certificates (P14) cluster-wide, proxy to nodes (P12) cluster-wide",
			"cluster-admin [layer 3, node sink]",
		}
		if diff := cmp.Diff(wantSteps, steps); diff != "" {
			t.Errorf("the path to cluster-admin (-want +got)\n%s", diff)
		}
		if len(graph.Nodes) != 4 || len(graph.Edges) != 3 {
			t.Errorf("%d nodes and %d edges, want 4 and 3 (one sink)", len(graph.Nodes), len(graph.Edges))
		}
		noErrors(t, b, p)

		// The screenshot: the page from its title down, the graph
		// scrolled to the account, the operator's and the sink.
		eval(t, p, `(() => {
			window.scrollTo(0, document.getElementById('sa-title').offsetTop - 24);
			const g = document.querySelector('#view-sa .graph');
			g.scrollLeft = document.querySelector('#view-sa .node.current').getBoundingClientRect().left - g.getBoundingClientRect().left + g.scrollLeft - 16;
		})()`, nil)
		shot, err := p.Screenshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != 1200 || cfg.Height != 800 {
			t.Errorf("screenshot %dx%d, want 1200x800", cfg.Width, cfg.Height)
		}
		out := filepath.Join(t.TempDir(), "html-report.png")
		if *update {
			out = filepath.Join(root, htmlScreenshot)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", out, len(shot))
	})
}

// pathTo walks an attack-path graph from its source (the node nothing
// leads to) to the sink named, taking at each node the edge toward the
// sink or else its only edge, and lists the nodes (label, layer, class)
// and the edges' actions in order.
func pathTo(nodes, edges [][]string, sink string) ([]string, error) {
	node := map[string][]string{}
	into := map[string]bool{}
	for _, n := range nodes {
		node[n[0]] = n
	}
	out := map[string][][]string{}
	for _, e := range edges {
		out[e[0]] = append(out[e[0]], e)
		into[e[1]] = true
	}
	var sources []string
	for _, n := range nodes {
		if !into[n[0]] {
			sources = append(sources, n[0])
		}
	}
	if len(sources) != 1 {
		return nil, fmt.Errorf("sources %q, want one", sources)
	}
	var steps []string
	at := sources[0]
	for range len(nodes) {
		n := node[at]
		steps = append(steps, fmt.Sprintf("%s [layer %s, %s]", n[0], n[1], n[2]))
		if at == sink {
			return steps, nil
		}
		next := out[at]
		if i := slices.IndexFunc(next, func(e []string) bool { return e[1] == sink }); i >= 0 {
			next = next[i : i+1]
		}
		if len(next) != 1 {
			return nil, fmt.Errorf("%d edges from %s, none to %s", len(next), at, sink)
		}
		steps = append(steps, "  "+next[0][2])
		at = next[0][1]
	}
	return nil, fmt.Errorf("no path to %s", sink)
}

func eval(t *testing.T, p *browser.Page, expr string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Eval(ctx, expr, out); err != nil {
		t.Fatal(err)
	}
}

func wait(t *testing.T, p *browser.Page, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitFor(ctx, expr); err != nil {
		t.Fatal(err)
	}
}

// noErrors fails on any script error or policy violation of the page.
func noErrors(t *testing.T, b *browser.Browser, p *browser.Page) {
	t.Helper()
	if errs := p.Errors(); len(errs) > 0 {
		t.Errorf("page errors: %q\nchromium stderr:\n%s", errs, b.Stderr())
	}
}
