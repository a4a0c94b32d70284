package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sascan/sascan/rules"
)

// fixtureReport reads testdata/html/report.json through the JSON report
// reader (as sascan merge does): the report of a real scan of the demo and
// of the SA034 fixture, with attack paths (SA033) and choke points (SA034)
// as those rules give them. go test ./cmd/sascan -run TestReportHTMLFixture
// -update rewrites it.
func fixtureReport(t testing.TB) *Report {
	t.Helper()
	f, err := os.Open("testdata/html/report.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// hostile is in object names, a choke point, a source path and a hint of
// hostileReport: it must stay text wherever it appears.
const hostile = "</script><script>window.pwned=1</script><!--"

// hostileImg is a ServiceAccount's name: its page's title must show it as
// text.
const hostileImg = "<img src=x onerror=window.pwned=2>"

// hostileFindings name objects and a choke point with markup, in the
// shapes the rules give (SA018 names the account whose token a pod holds,
// SA034 the element it would cut).
func hostileFindings() []rules.Finding {
	obj := func(kind, ns, name string) rules.ObjectRef {
		av := "v1"
		if strings.HasPrefix(kind, "ClusterRole") {
			av = "rbac.authorization.k8s.io/v1"
		}
		return rules.ObjectRef{APIVersion: av, Kind: kind, Namespace: ns, Name: name}
	}
	return []rules.Finding{
		{
			RuleID: "SA018", Title: "Workload runs as the default ServiceAccount with a token", Severity: rules.Medium, Confidence: rules.Certain,
			Message: "Pod shop/" + hostile + " runs as ServiceAccount shop/default and holds its token", Object: obj("Pod", "shop", hostile),
			Location: rules.Location{File: "hostile.yaml", Line: 1}, Evidence: map[string]any{"serviceAccount": "shop/default"}, Fingerprint: "00000000000000000000000000000001",
		},
		{
			RuleID: "SA034", Title: "One change cuts many attack paths", Severity: rules.High, Confidence: rules.Likely,
			Message: "Changing ClusterRoleBinding " + hostile + " cuts 5 attack paths", Object: obj("ClusterRoleBinding", "", hostile),
			Location: rules.Location{File: "hostile.yaml", Line: 9}, Evidence: map[string]any{"element": "ClusterRoleBinding " + hostile, "kind": "binding", "cuts": 5}, Fingerprint: "00000000000000000000000000000002",
		},
		{
			RuleID: "SA017", Title: "The default ServiceAccount does not opt out of automount", Severity: rules.Low, Confidence: rules.Certain,
			Message: "ServiceAccount shop/" + hostileImg + " does not set automountServiceAccountToken: false", Object: obj("ServiceAccount", "shop", hostileImg),
			Location: rules.Location{File: "hostile.yaml", Line: 20}, Fingerprint: "00000000000000000000000000000003",
		},
	}
}

// hostileReport is a report whose findings, source path and hint carry
// markup.
func hostileReport() *Report {
	fs := hostileFindings()
	rules.SortFindings(fs)
	return &Report{
		Tool:     Tool{Name: "sascan", Version: "test"},
		Source:   Source{Mode: "manifest", Paths: []string{"deploy/", hostile}},
		Objects:  3,
		Findings: fs,
		Hints:    []string{"a hint with " + hostile},
	}
}

func renderHTML(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// embedded returns the page's data element's text.
func embedded(t testing.TB, page string) string {
	t.Helper()
	const open = `<script id="sascan-data" type="application/json">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("no data element")
	}
	rest := page[i+len(open):]
	j := strings.Index(rest, "</script>")
	if j < 0 {
		t.Fatal("data element not closed")
	}
	return rest[:j]
}

func TestHTMLSummaryCounts(t *testing.T) {
	page := renderHTML(t, fixtureReport(t))
	counts := func(re string) map[string]string {
		out := map[string]string{}
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(page, -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	for _, tc := range []struct {
		name, re string
		want     map[string]string
	}{
		{"severity", `data-severity="(\w+)">(\d+)<`, map[string]string{"critical": "4", "high": "10", "medium": "4", "low": "3", "info": "0"}},
		{"rule totals", `<tr data-rule="(SA\d+)">.*?<td class="num total">(\d+)</td>`, map[string]string{
			"SA001": "1", "SA011": "1", "SA012": "2", "SA013": "6", "SA017": "1", "SA018": "1",
			"SA022": "1", "SA023": "1", "SA024": "1", "SA025": "1", "SA033": "2", "SA034": "3",
		}},
		// ci/ci-deployer and ops/operator are cluster-admin; ci/a, ci/b,
		// ci/default and shop/default may write in a namespace.
		{"tiers", `data-tier="(\w+)">(\d+)<`, map[string]string{"T0": "2", "T1": "4", "T2": "0", "none": "0"}},
		{"sinks", `data-sink="([\w-]+)">(\d+)<`, map[string]string{"cluster-admin": "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, counts(tc.re)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, want := range []string{
		`<strong>21</strong> findings, <span id="summary-suppressed">0</span> suppressed`,
		`<strong>6</strong> ServiceAccounts</a>`,
		`<strong>2</strong> attack paths</a>`,
		`examples/demo · testdata/rules/SA034/fail-group-binding.yaml · 19 objects scanned`,
		// SA013's row: 6 in all, one critical, four high and one medium.
		`<tr data-rule="SA013"><td><a href="#findings?rule=SA013">SA013</a></td><td>ServiceAccount holds dangerous permissions</td><td class="num total">6</td><td class="num">1</td><td class="num">4</td><td class="num">1</td><td class="num"></td><td class="num"></td></tr>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("summary lacks %s", want)
		}
	}
	// Choke points ranked by the paths they cut, then by name; the
	// shortest paths first.
	if diff := cmp.Diff(fixtureChokePoints, chokePointRows(page)); diff != "" {
		t.Errorf("choke points (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(fixturePaths, pathRows(page)); diff != "" {
		t.Errorf("paths (-want +got)\n%s", diff)
	}
}

// The fixture's choke points (element | kind | paths cut) and shortest
// paths (address | account | sink | hops | route), as the summary shows
// them.
var (
	// The group binding, its role and the operator's binding are on both
	// paths; each account's automount on its own one.
	fixtureChokePoints = []string{
		"ClusterRoleBinding operator-admin | binding | 2",
		"Role ops/deployer | role | 2",
		"RoleBinding ops/ci-deploys | binding | 2",
	}
	// Each account's token takes the operator's (one more token) to
	// cluster-admin (the operator's binding is every sink: reported once).
	fixturePaths = []string{
		"#sa/ci/a | ci/a | cluster-admin | 1 | ServiceAccount ops/operator → cluster-admin",
		"#sa/ci/b | ci/b | cluster-admin | 1 | ServiceAccount ops/operator → cluster-admin",
	}
)

// chokePointRows reads the summary's choke points: element | kind | cuts.
func chokePointRows(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td class="element">(.*?)</td><td>(\w+)</td><td class="num cuts">(\d+)</td>`).FindAllStringSubmatch(page, -1) {
		out = append(out, strings.Join(m[1:], " | "))
	}
	return out
}

// pathRows reads the summary's shortest paths: address | account | sink |
// hops | route.
func pathRows(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr><td><a href="(#sa/[^"]+)">([^<]+)</a></td><td><span class="sink">([\w-]+)</span></td><td class="num">(\d+)</td><td>([^<]+)</td></tr>`).FindAllStringSubmatch(page, -1) {
		out = append(out, strings.Join(m[1:], " | "))
	}
	return out
}

// Evidence numbers come as float64 from the rules engine, as json.Number
// from a JSON report read back (sascan merge) and as int from Go: the
// summary reads them all.
func TestHTMLEvidenceNumbers(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    any
		want int
	}{
		{"float64", float64(7), 7},
		{"json.Number", json.Number("7"), 7},
		{"json.Number with a fraction", json.Number("7.0"), 7},
		{"int", 7, 7},
		{"int64", int64(7), 7},
		{"absent", nil, 0},
		{"a string", "7", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := map[string]any{}
			if tc.n != nil {
				ev["cuts"] = tc.n
			}
			if got := evidenceInt(ev, "cuts"); got != tc.want {
				t.Errorf("evidenceInt = %d, want %d", got, tc.want)
			}
		})
	}
}

// A JSON report read back (what sascan merge renders: evidence numbers
// are json.Number) and the same findings as the rules engine gives them
// (float64) show the same cuts and hops.
func TestHTMLFromJSONReport(t *testing.T) {
	back := fixtureReport(t)
	if _, ok := back.Findings[slices.IndexFunc(back.Findings, func(f rules.Finding) bool { return f.RuleID == ruleChokePoint })].Evidence["cuts"].(json.Number); !ok {
		t.Fatal("ReadJSON no longer gives json.Number: the test reads nothing back")
	}
	b, err := os.ReadFile("testdata/html/report.json")
	if err != nil {
		t.Fatal(err)
	}
	var plain struct{ Findings []rules.Finding }
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	engine := *back
	engine.Findings = plain.Findings
	for name, r := range map[string]*Report{"read back": back, "as evaluated": &engine} {
		t.Run(name, func(t *testing.T) {
			page := renderHTML(t, r)
			if diff := cmp.Diff(fixtureChokePoints, chokePointRows(page)); diff != "" {
				t.Errorf("choke points (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(fixturePaths, pathRows(page)); diff != "" {
				t.Errorf("paths (-want +got)\n%s", diff)
			}
		})
	}
}

// The embedded JSON gives back every field of every finding.
func TestHTMLDataRoundTrips(t *testing.T) {
	r := fixtureReport(t)
	// One finding with its own title and references, unlike its rule's.
	r.Findings = append(r.Findings, r.Findings[0])
	r.Findings[len(r.Findings)-1].Title = "another title"
	r.Findings[len(r.Findings)-1].References = nil
	// Numbers as ReadJSON gives them: json.Number.
	var d htmlData
	dec := json.NewDecoder(strings.NewReader(embedded(t, renderHTML(t, r))))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	got := make([]rules.Finding, len(d.Findings))
	for i, h := range d.Findings {
		rule := d.Rules[h.Rule]
		f := rules.Finding{
			RuleID: h.Rule, Title: rule.Title, Severity: h.Severity, Confidence: h.Confidence, Message: h.Message,
			Object:   rules.ObjectRef{APIVersion: h.APIVersion, Kind: h.Kind, Namespace: h.Namespace, Name: h.Name},
			Location: rules.Location{File: h.File, Line: h.Line, Column: h.Column, Cluster: h.Cluster},
			Path:     h.Path, Evidence: h.Evidence, Related: h.Related, Remediation: rule.Remediation,
			References: rule.References, Fingerprint: h.Fingerprint, Suppressed: h.Suppressed,
		}
		if h.Title != nil {
			f.Title = *h.Title
		}
		if h.Remediation != nil {
			f.Remediation = *h.Remediation
		}
		if h.References != nil {
			f.References = *h.References
		}
		got[i] = f
	}
	// (The JSON report, too, writes no references and empty ones alike.)
	if diff := cmp.Diff(r.Findings, got, cmpopts.IgnoreUnexported(rules.Finding{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("findings (-want +got)\n%s", diff)
	}
}

// Each ServiceAccount's page gets the findings that belong to it.
func TestHTMLAccounts(t *testing.T) {
	r := fixtureReport(t)
	d := htmlDataOf(r.Findings)
	name := func(idx []int) []string {
		var out []string
		for _, i := range idx {
			f := r.Findings[i]
			out = append(out, f.RuleID+" "+objectName(f.Object))
		}
		slices.Sort(out)
		return out
	}
	type account struct {
		Tier                                                 string
		Permissions, Holders, PathsFrom, PathsThrough, Other []string
	}
	got := map[string]account{}
	for _, a := range d.Accounts {
		got[a.Key] = account{a.Tier, name(a.Permissions), name(a.Holders), name(a.PathsFrom), name(a.PathsThrough), name(a.Other)}
	}
	// SA033 is on the pod that holds the token (the fixture's pods are
	// named after their accounts).
	pathFrom := func(sa string) []string { return []string{"SA033 Pod " + sa} }
	want := map[string]account{
		"ci/ci-deployer": {
			Tier:        "T0",
			Permissions: []string{"SA013 ServiceAccount ci/ci-deployer"},
			Holders:     []string{"SA001 Secret ci/ci-deployer-token"}, // evidence names the account without its namespace
		},
		"ops/operator": {
			Tier:         "T0",
			Permissions:  []string{"SA013 ServiceAccount ops/operator"},
			PathsThrough: append(pathFrom("ci/a"), pathFrom("ci/b")...),
		},
		"ci/a": {
			Tier:        "T1",
			Permissions: []string{"SA013 ServiceAccount ci/a"},
			PathsFrom:   pathFrom("ci/a"),
		},
		"ci/b": {
			Tier:        "T1",
			Permissions: []string{"SA013 ServiceAccount ci/b"},
			PathsFrom:   pathFrom("ci/b"),
		},
		"ci/default": {Tier: "T1", Permissions: []string{"SA013 ServiceAccount ci/default"}},
		"shop/default": {
			Tier:        "T1",
			Permissions: []string{"SA013 ServiceAccount shop/default"},
			Holders:     []string{"SA018 Deployment shop/frontend"},
			Other:       []string{"SA011 RoleBinding shop/default-edit", "SA017 ServiceAccount shop/default"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got)\n%s", diff)
	}
}

func TestAccountOf(t *testing.T) {
	obj := func(kind, ns, name string) rules.ObjectRef {
		return rules.ObjectRef{Kind: kind, Namespace: ns, Name: name}
	}
	for _, tc := range []struct {
		name string
		f    rules.Finding
		want string
	}{
		{"qualified evidence", rules.Finding{RuleID: "SA016", Object: obj("Deployment", "web", "d"), Evidence: map[string]any{"serviceAccount": "other/sa"}}, "other/sa"},
		{"evidence in the object's namespace", rules.Finding{RuleID: "SA001", Object: obj("Secret", "ci", "t"), Evidence: map[string]any{"serviceAccount": "bot"}}, "ci/bot"},
		{"the account a pod really runs as", rules.Finding{RuleID: "SA020", Object: obj("Pod", "web", "p"), Evidence: map[string]any{"serviceAccount": "reader", "effective": "admin"}}, "web/admin"},
		{"empty evidence", rules.Finding{RuleID: "SA004", Object: obj("Pod", "ci", "p"), Evidence: map[string]any{"serviceAccount": ""}}, ""},
		{"a boolean effective is not an account", rules.Finding{RuleID: "SA010", Object: obj("ServiceAccount", "x", "a"), Evidence: map[string]any{"effective": true}}, "x/a"},
		{"the object", rules.Finding{RuleID: "SA017", Object: obj("ServiceAccount", "shop", "default")}, "shop/default"},
		{"SA018 names the default account", rules.Finding{RuleID: "SA018", Object: obj("Pod", "web", "p"), Evidence: map[string]any{"serviceAccount": "web/default"}}, "web/default"},
		{"no account named", rules.Finding{RuleID: "SA018", Object: obj("Pod", "web", "p")}, ""},
		{"a cluster-scoped object", rules.Finding{RuleID: "SA012", Object: obj("ClusterRoleBinding", "", "b"), Evidence: map[string]any{"group": "system:serviceaccounts"}}, ""},
		{"unqualified evidence on a cluster-scoped object", rules.Finding{RuleID: "SA099", Object: obj("ClusterRoleBinding", "", "b"), Evidence: map[string]any{"serviceAccount": "x"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := accountOf(&tc.f); got != tc.want {
				t.Errorf("accountOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// No name can end the data element, open a comment or become markup, and
// the names come back from the JSON as they were.
func TestHTMLEscapesHostileNames(t *testing.T) {
	r := hostileReport()
	page := renderHTML(t, r)
	lower := strings.ToLower(page)
	if n := strings.Count(lower, "<script"); n != 2 {
		t.Errorf("%d <script in the page, want 2 (data and code)", n)
	}
	if n := strings.Count(lower, "</script"); n != 2 {
		t.Errorf("%d </script in the page, want 2", n)
	}
	if strings.Contains(page, "<!--") || strings.Contains(page, "<img") {
		t.Error("a name became markup")
	}
	if strings.Contains(page, hostile) {
		t.Error("the hostile name appears unescaped")
	}
	data := embedded(t, page)
	for _, want := range []string{`\u003c/script\u003e\u003cscript\u003ewindow.pwned=1\u003c/script\u003e\u003c!--`, `\u003cimg src=x onerror=window.pwned=2\u003e`} {
		if !strings.Contains(data, want) {
			t.Errorf("data lacks %s", want)
		}
	}
	var d htmlData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range d.Findings {
		if strings.ContainsAny(f.Name, "<>") {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{hostile, hostile, hostileImg}, names); diff != "" {
		t.Errorf("names (-want +got)\n%s", diff)
	}
	// The summary escapes what it shows: the source path, the hint and the
	// choke point.
	if n := strings.Count(page, "&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;!--"); n != 3 {
		t.Errorf("the escaped name appears %d times in the summary, want 3", n)
	}
}

// One file: no external resource, and a policy that lets the page load
// nothing and run only its own script and style.
func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, fixtureReport(t))
	markup := strings.ToLower(strings.Replace(page, embedded(t, page), "", 1))
	for _, bad := range []string{" src=", "<link", "@import", "url(http", "url(//", "http-equiv=\"refresh\"", "fetch(", "xmlhttprequest", "websocket"} {
		if strings.Contains(markup, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy")
	}
	csp := strings.ReplaceAll(strings.ReplaceAll(m[1], "&#39;", "'"), "&#43;", "+")
	style := page[strings.Index(page, "<style>")+len("<style>") : strings.Index(page, "</style>")]
	i := strings.LastIndex(page, "<script>") + len("<script>")
	script := page[i : i+strings.Index(page[i:], "</script>")]
	hash := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
	}
	want := fmt.Sprintf("default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'", hash(style), hash(script))
	if csp != want {
		t.Errorf("CSP\n got %s\nwant %s", csp, want)
	}
}

func TestHTMLDeterministic(t *testing.T) {
	a, b := renderHTML(t, fixtureReport(t)), renderHTML(t, fixtureReport(t))
	if a != b {
		t.Error("two renders of one report differ")
	}
}

// A report without findings still renders, with an empty table, and says
// what the scan could not read.
func TestHTMLNoFindings(t *testing.T) {
	page := renderHTML(t, &Report{
		Tool: Tool{Name: "sascan", Version: "test"}, Source: Source{Mode: "cluster", Context: "prod"},
		Errors:     []Error{{File: "bad.yaml", Line: 5, Message: "invalid YAML"}},
		Incomplete: []Incomplete{{Resource: "secrets", Reason: "forbidden", Rules: []string{"SA001", "SA002"}}},
	})
	for _, want := range []string{
		`<strong>0</strong> findings`, `No unsuppressed finding.`, `{"rules":{},"findings":[],"accounts":[]}`, "cluster · context prod",
		`<h3>Input errors (1): the scan is incomplete</h3><ul><li>bad.yaml:5: invalid YAML</li></ul>`,
		`<li>secrets: forbidden (rules SA001, SA002)</li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
