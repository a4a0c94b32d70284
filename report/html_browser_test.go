package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/internal/browser"
	"github.com/sascan/sascan/rules"
)

// The HTML report in a real headless Chromium: it renders without a
// script error or a policy violation, its summary counts, the table
// filters, sorts and pages, a ServiceAccount page opens by its address and
// draws its attack paths, hostile names stay text, and a report of 45,000
// findings pages and filters (BenchmarkHTMLPaint times it). Skipped
// without Chromium; under CI=true a missing Chromium fails (.ci/run
// installs it).
func TestHTMLInBrowser(t *testing.T) {
	path, err := browser.Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI runs the browser tests", err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx, path, 1400, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dir := t.TempDir()

	// The fixture with one finding suppressed, the hostile names, and
	// enough generated findings to page.
	r := fixtureReport(t)
	catalog := slices.IndexFunc(r.Findings, func(f rules.Finding) bool { return f.RuleID == "SA022" && f.Object.Name == "catalog" })
	if catalog < 0 {
		t.Fatal("the fixture has no SA022 finding on shop/catalog")
	}
	r.Findings[catalog].Suppressed = &rules.Suppression{Kind: "config", Reason: "the vault agent renews its token"}
	r.Findings = append(r.Findings, hostileFindings()...)
	r.Findings = append(r.Findings, syntheticFindings(250, 7)...)
	rules.SortFindings(r.Findings)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(renderHTML(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(t *testing.T, expr string, out any) {
		t.Helper()
		if err := p.Eval(ctx, expr, out); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(t *testing.T, expr string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := p.WaitFor(wctx, expr); err != nil {
			t.Fatal(err)
		}
	}
	status := func(t *testing.T) (int, string) {
		t.Helper()
		var s struct {
			Count string `json:"count"`
			Text  string `json:"text"`
		}
		ev(t, `({count: document.getElementById('f-status').dataset.count, text: document.getElementById('f-status').textContent})`, &s)
		n, err := strconv.Atoi(s.Count)
		if err != nil {
			t.Fatalf("status %q: %v", s.Text, err)
		}
		return n, s.Text
	}
	column := func(t *testing.T, col int) []string {
		t.Helper()
		var out []string
		ev(t, fmt.Sprintf(`Array.from(document.querySelectorAll('#findings-table tbody tr.row')).map(tr => tr.cells[%d].textContent)`, col), &out)
		return out
	}
	setFilter := func(t *testing.T, id, value string) {
		t.Helper()
		ev(t, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event(e.tagName === 'INPUT' ? 'input' : 'change')); })()`, id, value), nil)
	}
	unsuppressed := func(keep func(f *rules.Finding) bool) int {
		n := 0
		for i := range r.Findings {
			if r.Findings[i].Suppressed == nil && keep(&r.Findings[i]) {
				n++
			}
		}
		return n
	}
	all := unsuppressed(func(*rules.Finding) bool { return true })

	t.Run("renders", func(t *testing.T) {
		if err := p.Navigate(ctx, "file://"+file); err != nil {
			t.Fatal(err)
		}
		wait(t, `document.documentElement.dataset.ready`)
		var sev map[string]string
		ev(t, `Object.fromEntries(Array.from(document.querySelectorAll('[data-severity]')).map(e => [e.dataset.severity, e.textContent]))`, &sev)
		want := map[string]string{}
		for k, v := range Summarize(r).BySeverity {
			want[k] = strconv.Itoa(v)
		}
		if diff := cmp.Diff(want, sev); diff != "" {
			t.Errorf("severity counts (-want +got)\n%s", diff)
		}
		if n, text := status(t); n != all || text != fmt.Sprintf("Findings 1–100 of %d", all) {
			t.Errorf("status %d %q, want %d", n, text, all)
		}
		if rows := column(t, 1); len(rows) != 100 {
			t.Errorf("%d rows on the first page, want 100", len(rows))
		}
	})

	t.Run("filter by rule", func(t *testing.T) {
		setFilter(t, "f-rule", "SA033")
		want := unsuppressed(func(f *rules.Finding) bool { return f.RuleID == "SA033" })
		if n, _ := status(t); n != want {
			t.Errorf("%d findings of SA033, want %d", n, want)
		}
		rulesShown := column(t, 1)
		if len(rulesShown) != want || slices.IndexFunc(rulesShown, func(s string) bool { return s != "SA033" }) >= 0 {
			t.Errorf("rows: %q", rulesShown)
		}
		setFilter(t, "f-rule", "")
		setFilter(t, "f-ns", "ci")
		want = unsuppressed(func(f *rules.Finding) bool { return f.Object.Namespace == "ci" })
		if n, _ := status(t); n != want || want == 0 {
			t.Errorf("%d findings in namespace ci, want %d", n, want)
		}
		setFilter(t, "f-ns", "")
		// Free text: SA018's message names shop/frontend.
		setFilter(t, "f-q", "shop/frontend")
		wait(t, `location.hash.includes('q=shop')`)
		if n, _ := status(t); n != 1 {
			t.Errorf("%d findings name shop/frontend, want 1", n)
		}
		// Two findings name shop/catalog, SA022's suppressed: shown on
		// demand.
		setFilter(t, "f-q", "shop/catalog")
		wait(t, `location.hash.includes('q=shop%2Fcatalog')`)
		if n, _ := status(t); n != 1 {
			t.Errorf("%d unsuppressed findings name shop/catalog, want 1", n)
		}
		ev(t, `document.getElementById('f-sup').click()`, nil)
		if n, _ := status(t); n != 2 {
			t.Errorf("%d findings name shop/catalog with the suppressed ones, want 2", n)
		}
		var rows []string
		ev(t, `Array.from(document.querySelectorAll('#findings-table tbody tr.row')).map(tr => tr.cells[1].textContent + ' ' + tr.className)`, &rows)
		if diff := cmp.Diff([]string{"SA022 row suppressed", "SA023 row"}, rows); diff != "" {
			t.Errorf("rows (-want +got)\n%s", diff)
		}
		ev(t, `document.getElementById('f-sup').click()`, nil)
	})

	// Generated workloads are named workload-1, workload-2, ...: sorted by
	// name they come in numeric order.
	var names []int
	for _, f := range r.Findings {
		if n, ok := strings.CutPrefix(f.Object.Name, "workload-"); ok && f.Suppressed == nil {
			i, _ := strconv.Atoi(n)
			names = append(names, i)
		}
	}
	slices.Sort(names)
	nameList := func(ns []int) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = fmt.Sprintf("workload-%d", n)
		}
		return out
	}

	t.Run("sort", func(t *testing.T) {
		setFilter(t, "f-q", "workload-")
		wait(t, `location.hash.includes('q=workload-')`)
		if n, _ := status(t); n != len(names) {
			t.Fatalf("%d findings on generated workloads, want %d", n, len(names))
		}
		ev(t, `document.querySelector('th[data-sort=n]').click()`, nil)
		if diff := cmp.Diff(nameList(names[:100]), column(t, 4)); diff != "" {
			t.Errorf("ascending by name (-want +got)\n%s", diff)
		}
		ev(t, `document.querySelector('th[data-sort=n]').click()`, nil)
		desc := slices.Clone(names)
		slices.Reverse(desc)
		if diff := cmp.Diff(nameList(desc[:100]), column(t, 4)); diff != "" {
			t.Errorf("descending by name (-want +got)\n%s", diff)
		}
		var aria string
		ev(t, `document.querySelector('th[data-sort=n]').getAttribute('aria-sort')`, &aria)
		if aria != "descending" {
			t.Errorf("aria-sort %q", aria)
		}
		ev(t, `document.querySelector('th[data-sort=r]').click()`, nil)
		shown := column(t, 1)
		if !slices.IsSorted(shown) {
			t.Errorf("by rule: %q", shown)
		}
		// From the keyboard: Enter on the focused header turns the order.
		ev(t, `document.querySelector('th[data-sort=r]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))`, nil)
		shown = column(t, 1)
		slices.Reverse(shown)
		if !slices.IsSorted(shown) || shown[0] == shown[len(shown)-1] {
			t.Errorf("by rule, descending: %q", shown)
		}
	})

	t.Run("pages", func(t *testing.T) {
		ev(t, `document.querySelector('th[data-sort=n]').click()`, nil) // by name, ascending
		ev(t, `document.getElementById('p-next').click()`, nil)
		if _, text := status(t); text != fmt.Sprintf("Findings 101–200 of %d (filtered from %d)", len(names), all) {
			t.Errorf("second page: %q", text)
		}
		if diff := cmp.Diff(nameList(names[100:200]), column(t, 4)); diff != "" {
			t.Errorf("second page (-want +got)\n%s", diff)
		}
		ev(t, `document.getElementById('p-last').click()`, nil)
		last := (len(names) - 1) / 100
		var info struct {
			Text string `json:"text"`
			Next bool   `json:"next"`
		}
		ev(t, `({text: document.getElementById('p-info').textContent, next: document.getElementById('p-next').disabled})`, &info)
		if info.Text != fmt.Sprintf("page %d of %d", last+1, last+1) || !info.Next {
			t.Errorf("last page: %+v", info)
		}
		if diff := cmp.Diff(nameList(names[last*100:]), column(t, 4)); diff != "" {
			t.Errorf("last page (-want +got)\n%s", diff)
		}
	})

	type saPage struct {
		Hidden  bool       `json:"reportHidden"`
		Tiers   []string   `json:"tiers"`
		Holders []string   `json:"holders"`
		Counts  string     `json:"counts"`
		Nodes   [][]string `json:"nodes"`
		Edges   []string   `json:"edges"`
	}
	openSA := func(t *testing.T, key string) saPage {
		t.Helper()
		ev(t, `location.hash = '#sa/`+key+`'`, nil)
		wait(t, `document.getElementById('sa-title') && document.getElementById('sa-title').textContent === 'ServiceAccount `+key+`'`)
		var page saPage
		ev(t, `({
			reportHidden: document.getElementById('view-report').hidden,
			tiers: Array.from(document.querySelectorAll('#view-sa table.permissions tbody tr')).map(tr => tr.dataset.tier + ' ' + tr.cells[1].textContent + ' ' + tr.cells[2].textContent),
			holders: Array.from(document.querySelectorAll('#view-sa table.holders tbody tr')).map(tr => tr.cells[0].textContent),
			counts: document.getElementById('sa-path-counts') ? document.getElementById('sa-path-counts').textContent : '',
			nodes: Array.from(document.querySelectorAll('#view-sa svg .node')).map(n => [n.dataset.label, n.dataset.layer, n.getAttribute('class')]),
			edges: Array.from(document.querySelectorAll('#view-sa svg .edge')).map(e => e.dataset.from + ' -> ' + e.dataset.to + ': ' + e.dataset.action),
		})`, &page)
		if !page.Hidden {
			t.Error("the report is shown beside the ServiceAccount page")
		}
		slices.SortFunc(page.Nodes, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
		slices.Sort(page.Edges)
		return page
	}
	// The operator's grants, as SA033's last step says them.
	const operatorAdmin = "ServiceAccount ops/operator -> cluster-admin: admission webhooks (P13) cluster-wide, bind roles (P11) cluster-wide, escalate roles (P10) cluster-wide, everything (P01) cluster-wide, impersonate (P09) cluster-wide, issue certificates (P14) cluster-wide, proxy to nodes (P12) cluster-wide"

	t.Run("ServiceAccount page", func(t *testing.T) {
		page := openSA(t, "shop/default")
		want := []string{
			"T1 P03 RoleBinding default-edit (shop)", "T1 P04 RoleBinding default-edit (shop)", "T1 P05 RoleBinding default-edit (shop)",
			"T1 P07 RoleBinding default-edit (shop)", "T1 P08 RoleBinding default-edit (shop)", "T1 P09 RoleBinding default-edit (shop)",
			"T2 P18 RoleBinding default-edit (shop)",
		}
		if diff := cmp.Diff(want, page.Tiers); diff != "" {
			t.Errorf("permissions (-want +got)\n%s", diff)
		}
		// SA018 names the account a workload runs as.
		slices.Sort(page.Holders)
		if diff := cmp.Diff([]string{"Deployment shop/frontend", "Pod shop/" + hostile}, page.Holders); diff != "" {
			t.Errorf("token holders (-want +got)\n%s", diff)
		}
		if page.Counts != "" || len(page.Nodes) != 0 {
			t.Errorf("attack paths on an account without any: %q, %d nodes", page.Counts, len(page.Nodes))
		}
	})

	t.Run("attack paths through an account", func(t *testing.T) {
		page := openSA(t, "ops/operator")
		if page.Counts != "0 from its token, 2 through it." {
			t.Errorf("counts %q", page.Counts)
		}
		// Left to right by step: the holders of a token just before its
		// account, then each account the path takes, then what it reaches.
		wantNodes := [][]string{
			{"Pod ci/a (automounted token)", "0", "node source"},
			{"Pod ci/b (automounted token)", "0", "node source"},
			{"ServiceAccount ci/a", "1", "node account"},
			{"ServiceAccount ci/b", "1", "node account"},
			{"ServiceAccount ops/operator", "2", "node account current"},
			{"cluster-admin", "3", "node sink"},
		}
		if diff := cmp.Diff(wantNodes, page.Nodes); diff != "" {
			t.Errorf("graph nodes (-want +got)\n%s", diff)
		}
		wantEdges := []string{
			"Pod ci/a (automounted token) -> ServiceAccount ci/a: holds the token",
			"Pod ci/b (automounted token) -> ServiceAccount ci/b: holds the token",
			"ServiceAccount ci/a -> ServiceAccount ops/operator: create pods in namespace ops",
			"ServiceAccount ci/b -> ServiceAccount ops/operator: create pods in namespace ops",
			operatorAdmin,
		}
		if diff := cmp.Diff(wantEdges, page.Edges); diff != "" {
			t.Errorf("graph edges (-want +got)\n%s", diff)
		}
	})

	t.Run("attack paths from a token", func(t *testing.T) {
		page := openSA(t, "ci/a")
		// Its grant is its namespace group's.
		if diff := cmp.Diff([]string{"T1 group grant through group system:serviceaccounts:ci (1 binding(s))"}, page.Tiers); diff != "" {
			t.Errorf("permissions (-want +got)\n%s", diff)
		}
		if page.Counts != "1 from its token, 0 through it." {
			t.Errorf("counts %q", page.Counts)
		}
		wantEdges := []string{
			"Pod ci/a (automounted token) -> ServiceAccount ci/a: holds the token",
			"ServiceAccount ci/a -> ServiceAccount ops/operator: create pods in namespace ops",
			operatorAdmin,
		}
		if diff := cmp.Diff(wantEdges, page.Edges); diff != "" {
			t.Errorf("graph edges (-want +got)\n%s", diff)
		}
	})

	t.Run("hostile names stay text", func(t *testing.T) {
		ev(t, `location.hash = '#sa/shop/' + encodeURIComponent('`+hostileImg+`')`, nil)
		wait(t, `document.getElementById('sa-title').textContent === 'ServiceAccount shop/`+hostileImg+`'`)
		ev(t, `location.hash = '#findings?q=' + encodeURIComponent('pwned=1')`, nil)
		wait(t, `!document.getElementById('view-report').hidden && document.getElementById('f-q').value === 'pwned=1'`)
		var got struct {
			Pwned  any      `json:"pwned"`
			Images int      `json:"images"`
			Names  []string `json:"names"`
		}
		ev(t, `({pwned: window.pwned === undefined ? null : window.pwned, images: document.images.length,
			names: Array.from(document.querySelectorAll('#findings-table tbody tr.row')).map(tr => tr.cells[4].textContent)})`, &got)
		if got.Pwned != nil || got.Images != 0 {
			t.Errorf("window.pwned %v, %d images", got.Pwned, got.Images)
		}
		if diff := cmp.Diff([]string{hostile, hostile}, got.Names); diff != "" {
			t.Errorf("hostile names (-want +got)\n%s", diff)
		}
	})

	t.Run("no errors", func(t *testing.T) {
		if errs := p.Errors(); len(errs) > 0 {
			t.Errorf("page errors: %q\nchromium stderr:\n%s", errs, b.Stderr())
		}
	})

	t.Run("45000 findings", func(t *testing.T) {
		big := bigReport()
		file := filepath.Join(dir, "big.html")
		if err := os.WriteFile(file, []byte(renderHTML(t, big)), 0o644); err != nil {
			t.Fatal(err)
		}
		bp, err := b.NewPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := bp.Navigate(ctx, "file://"+file); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := bp.WaitFor(wctx, `document.documentElement.dataset.ready`); err != nil {
			t.Fatal(err)
		}
		var s struct {
			Status string `json:"status"`
			Rows   int    `json:"rows"`
		}
		if err := bp.Eval(ctx, `document.getElementById('p-next').click(); ({status: document.getElementById('f-status').textContent, rows: document.querySelectorAll('#findings-table tbody tr.row').length})`, &s); err != nil {
			t.Fatal(err)
		}
		if s.Status != "Findings 101–200 of 45,000" || s.Rows != 100 {
			t.Errorf("second page: %+v", s)
		}
		want := 0
		for _, f := range big.Findings {
			if f.RuleID == "SA013" {
				want++
			}
		}
		if err := bp.Eval(ctx, filterBySA013, nil); err != nil {
			t.Fatal(err)
		}
		var count string
		if err := bp.Eval(ctx, `document.getElementById('f-status').dataset.count`, &count); err != nil {
			t.Fatal(err)
		}
		if count != strconv.Itoa(want) {
			t.Errorf("%s findings of SA013, want %d", count, want)
		}
		if errs := bp.Errors(); len(errs) > 0 {
			t.Errorf("page errors: %q", errs)
		}
	})
}

// bigReport has the size of the 100,000-object benchmark's report: 45,000
// findings.
func bigReport() *Report {
	r := &Report{Tool: Tool{Name: "sascan", Version: "test"}, Source: Source{Mode: "manifest", Paths: []string{"dump.yaml"}}, Objects: 100_000, Findings: syntheticFindings(45_000, 1)}
	rules.SortFindings(r.Findings)
	return r
}

// filterBySA013 filters the findings table by rule SA013 as a user does
// and returns how long the page took, in ms.
const filterBySA013 = `(() => { const t0 = performance.now(); const e = document.getElementById('f-rule'); e.value = 'SA013'; e.dispatchEvent(new Event('change')); return performance.now() - t0; })()`

// BenchmarkHTMLPaint loads a generated report of 45,000 findings (the size
// of the 100,000-object mix dump's) in headless Chromium and reports, from
// the page's own performance timeline in ms since the navigation started:
// first contentful paint (the summary), DOMContentLoaded, and the table
// ready (findings parsed, first page of the table drawn); and how long
// filtering all findings by a rule takes. cold: a fresh browser and
// profile for each load; warm: the same tab loads the page again. Skipped
// without Chromium.
func BenchmarkHTMLPaint(b *testing.B) {
	path, err := browser.Find()
	if err != nil {
		b.Skip(err)
	}
	page := renderHTML(b, bigReport())
	file := filepath.Join(b.TempDir(), "big.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"cold", "warm"} {
		b.Run("load="+mode, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			var br *browser.Browser
			var p *browser.Page
			open := func() {
				var err error
				if br, err = browser.Start(ctx, path, 1400, 1000); err != nil {
					b.Fatal(err)
				}
				if p, err = br.NewPage(ctx); err != nil {
					br.Close()
					b.Fatal(err)
				}
			}
			if mode == "warm" {
				open()
				defer br.Close()
				loadTimes(ctx, b, p, file)
			}
			var sum pageTimes
			b.ResetTimer()
			for range b.N {
				if mode == "cold" {
					b.StopTimer()
					open()
					b.StartTimer()
				}
				t := loadTimes(ctx, b, p, file)
				sum.Paint += t.Paint
				sum.DOMContentLoaded += t.DOMContentLoaded
				sum.Ready += t.Ready
				sum.Filter += t.Filter
				if mode == "cold" {
					b.StopTimer()
					br.Close()
					b.StartTimer()
				}
			}
			n := float64(b.N)
			b.ReportMetric(sum.Paint/n, "paint-ms")
			b.ReportMetric(sum.DOMContentLoaded/n, "dcl-ms")
			b.ReportMetric(sum.Ready/n, "ready-ms")
			b.ReportMetric(sum.Filter/n, "filter-ms")
			b.ReportMetric(float64(len(page))/1e6, "page-MB")
		})
	}
}

// pageTimes are a page load's milestones in ms since the navigation
// started, and the time a filter took.
type pageTimes struct {
	Paint            float64 `json:"paint"`
	DOMContentLoaded float64 `json:"dcl"`
	Ready            float64 `json:"ready"`
	Filter           float64 `json:"filter"`
}

// loadTimes loads the report in p, waits for its table and filters it by a
// rule.
func loadTimes(ctx context.Context, b *testing.B, p *browser.Page, file string) pageTimes {
	b.Helper()
	if err := p.Navigate(ctx, "file://"+file); err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.WaitFor(wctx, `document.documentElement.dataset.ready`); err != nil {
		b.Fatal(err)
	}
	var t pageTimes
	if err := p.Eval(ctx, `(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const fcp = performance.getEntriesByName('first-contentful-paint')[0];
		return {paint: fcp ? fcp.startTime : -1, dcl: nav.domContentLoadedEventStart, ready: window.sascanReady};
	})()`, &t); err != nil {
		b.Fatal(err)
	}
	if t.Paint < 0 {
		b.Fatal("no first-contentful-paint entry")
	}
	if err := p.Eval(ctx, filterBySA013, &t.Filter); err != nil {
		b.Fatal(err)
	}
	if errs := p.Errors(); len(errs) > 0 {
		b.Fatalf("page errors: %q", errs)
	}
	return t
}

// syntheticFindings makes n findings in the proportions of the 100k-object
// benchmark's report (gendump -profile mix): mostly SA018, SA013 with its
// capability lists, SA016, then the rest, and attack paths (SA033) and
// choke points (SA034) in the shape those rules give. Workloads are named
// workload-1, workload-2, ...
func syntheticFindings(n int, seed uint64) []rules.Finding {
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	type share struct {
		rule  string
		sev   rules.Severity
		share int
	}
	mix := []share{
		{"SA018", rules.Medium, 450}, {"SA013", rules.High, 160}, {"SA016", rules.Low, 130}, {"SA022", rules.Low, 60},
		{"SA017", rules.Low, 50}, {"SA011", rules.High, 45}, {"SA012", rules.High, 45}, {"SA001", rules.High, 22},
		{"SA008", rules.Low, 22}, {"SA019", rules.High, 7}, {"SA033", rules.Critical, 8}, {"SA034", rules.High, 1},
	}
	total := 0
	for _, m := range mix {
		total += m.share
	}
	namespaces := max(n/25, 1)
	out := make([]rules.Finding, 0, n)
	for i := 1; i <= n; i++ {
		pick := rnd.IntN(total)
		var m share
		for _, m = range mix {
			if pick < m.share {
				break
			}
			pick -= m.share
		}
		ns := fmt.Sprintf("team-%03d", rnd.IntN(namespaces))
		sa := fmt.Sprintf("%s/sa-%d", ns, rnd.IntN(n/5+1))
		f := rules.Finding{
			RuleID: m.rule, Title: "Title of " + m.rule, Severity: m.sev, Confidence: rules.Certain,
			Object:      rules.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: fmt.Sprintf("workload-%d", i)},
			Location:    rules.Location{File: "dump.yaml", Line: i * 38, Column: 3},
			Path:        "spec.template.spec",
			Remediation: "Remediation of " + m.rule + ", a paragraph or two of advice with a YAML example.",
			References:  []string{"https://kubernetes.io/docs/concepts/security/service-accounts/"},
			Fingerprint: fmt.Sprintf("%032x", rnd.Uint64()),
		}
		name := ns + "/" + f.Object.Name
		switch m.rule {
		case "SA018":
			f.Message = "Deployment " + name + " runs as ServiceAccount " + ns + "/default and holds its token"
			f.Evidence = map[string]any{"containers": []any{"app", "sidecar"}, "defaultHasPermissions": true}
		case "SA013":
			f.Object = rules.ObjectRef{APIVersion: "v1", Kind: "ServiceAccount", Namespace: ns, Name: fmt.Sprintf("workload-%d", i)}
			f.Path = ""
			var caps []any
			for c := range 1 + rnd.IntN(19) {
				caps = append(caps, fmt.Sprintf("P%02d T%d via RoleBinding binding-%d (%s)", c+1, rnd.IntN(3), rnd.IntN(50), ns))
			}
			f.Message = "ServiceAccount " + name + " holds T1 permissions"
			f.Evidence = map[string]any{"serviceAccount": name, "privilegeTier": "T1", "dormant": rnd.IntN(2) == 0, "capabilities": caps,
				"capabilitiesTotal": float64(len(caps)), "groupGrants": []any{"T0 through group system:serviceaccounts (2 binding(s))"}}
		case "SA033":
			f.Object = rules.ObjectRef{APIVersion: "v1", Kind: "ServiceAccount", Namespace: ns, Name: fmt.Sprintf("workload-%d", i)}
			f.Message = "A token of " + name + " reaches cluster-admin in 2 hops"
			f.Evidence = map[string]any{"sink": "cluster-admin", "serviceAccount": name, "hops": float64(2),
				"steps": []any{
					map[string]any{"from": "ServiceAccount " + name, "to": "ServiceAccount " + sa, "action": "create pods in namespace " + ns, "via": "RoleBinding " + ns + "/deployers"},
					map[string]any{"from": "ServiceAccount " + sa, "to": "cluster-admin", "action": "bound to cluster-admin", "via": "ClusterRoleBinding admins"},
				},
				"sources": []any{"Deployment " + ns + "/web (automount)"}, "sourcesTotal": float64(1 + rnd.IntN(4))}
		case "SA034":
			f.Object = rules.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding", Namespace: ns, Name: fmt.Sprintf("workload-%d", i)}
			f.Message = "RoleBinding " + name + " cuts attack paths"
			f.Evidence = map[string]any{"element": "RoleBinding " + name, "kind": "binding", "cuts": float64(1 + rnd.IntN(200))}
		default:
			f.Message = fmt.Sprintf("Deployment %s: a finding of %s about ServiceAccount %s", name, m.rule, sa)
			f.Evidence = map[string]any{"serviceAccount": sa, "privilegeTier": "T2"}
		}
		out = append(out, f)
	}
	return out
}
