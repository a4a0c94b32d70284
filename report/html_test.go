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

// hostile is in object names and a choke point of the fixture: it must
// stay text wherever it appears.
const hostile = "</script><script>window.pwned=1</script><!--"

// fixtureReport reads testdata/html/findings.json: findings as the JSON
// report writes them, with attack paths (SA033) and choke points (SA034)
// in the evidence shape those rules give, hostile object names and one
// suppressed finding.
func fixtureReport(t testing.TB) *Report {
	t.Helper()
	b, err := os.ReadFile("testdata/html/findings.json")
	if err != nil {
		t.Fatal(err)
	}
	var fs []rules.Finding
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	rules.SortFindings(fs)
	return &Report{
		Tool:     Tool{Name: "sascan", Version: "test"},
		Source:   Source{Mode: "manifest", Paths: []string{"deploy/", hostile}},
		Objects:  42,
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
		{"severity", `data-severity="(\w+)">(\d+)<`, map[string]string{"critical": "3", "high": "6", "medium": "3", "low": "3", "info": "0"}},
		{"rule totals", `<tr data-rule="(SA\d+)">.*?<td class="num total">(\d+)</td>`,
			map[string]string{"SA001": "1", "SA011": "1", "SA013": "2", "SA016": "1", "SA017": "2", "SA018": "2", "SA033": "3", "SA034": "3"}},
		{"tiers", `data-tier="(\w+)">(\d+)<`, map[string]string{"T0": "1", "T1": "1", "T2": "0", "none": "3"}},
		{"sinks", `data-sink="([\w-]+)">(\d+)<`, map[string]string{"cluster-admin": "2", "secrets": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, counts(tc.re)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, want := range []string{
		`<strong>15</strong> findings, <span id="summary-suppressed">1</span> suppressed`,
		`<strong>5</strong> ServiceAccounts</a>`,
		`<strong>3</strong> attack paths</a>`,
		// SA013's row: 2 in all, one critical and one high.
		`<tr data-rule="SA013"><td><a href="#findings?rule=SA013">SA013</a></td><td>ServiceAccount holds dangerous permissions</td><td class="num total">2</td><td class="num">1</td><td class="num">1</td><td class="num"></td><td class="num"></td><td class="num"></td></tr>`,
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
	fixtureChokePoints = []string{
		"ClusterRoleBinding &lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;!-- | binding | 5",
		"ClusterRoleBinding admin-bot | binding | 2",
		"RoleBinding kube-system/deployers | binding | 2",
	}
	fixturePaths = []string{
		"#sa/shop/default | shop/default | secrets | 1 | secrets",
		"#sa/shop/deployer | shop/deployer | cluster-admin | 2 | ServiceAccount kube-system/admin-bot → cluster-admin",
		"#sa/ci/builder | ci/builder | cluster-admin | 3 | ServiceAccount shop/deployer → ServiceAccount kube-system/admin-bot → cluster-admin",
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

// A JSON report read back (what sascan merge renders) keeps its choke
// points' cuts and its paths' hops in the summary.
func TestHTMLFromJSONReport(t *testing.T) {
	r := fixtureReport(t)
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.Findings[slices.IndexFunc(back.Findings, func(f rules.Finding) bool { return f.RuleID == ruleChokePoint })].Evidence["cuts"].(json.Number); !ok {
		t.Fatal("ReadJSON no longer gives json.Number: the test reads nothing back")
	}
	page := renderHTML(t, back)
	if diff := cmp.Diff(fixtureChokePoints, chokePointRows(page)); diff != "" {
		t.Errorf("choke points (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(fixturePaths, pathRows(page)); diff != "" {
		t.Errorf("paths (-want +got)\n%s", diff)
	}
}

// The embedded JSON gives back every field of every finding.
func TestHTMLDataRoundTrips(t *testing.T) {
	r := fixtureReport(t)
	// One finding with its own title and references, unlike its rule's.
	r.Findings = append(r.Findings, r.Findings[0])
	r.Findings[len(r.Findings)-1].Title = "another title"
	r.Findings[len(r.Findings)-1].References = nil
	var d htmlData
	if err := json.Unmarshal([]byte(embedded(t, renderHTML(t, r))), &d); err != nil {
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
	want := map[string]account{
		"shop/deployer": {
			Tier:         "T0",
			Permissions:  []string{"SA013 ServiceAccount shop/deployer"},
			Holders:      []string{"SA001 Secret shop/deployer-token", "SA016 Deployment shop/frontend", "SA016 Deployment shop/quiet"},
			PathsFrom:    []string{"SA033 ServiceAccount shop/deployer"},
			PathsThrough: []string{"SA033 ServiceAccount ci/builder"},
		},
		"shop/default": {
			Tier:        "T1",
			Permissions: []string{"SA013 ServiceAccount shop/default"},
			Holders:     []string{"SA018 Deployment shop/legacy", "SA018 Pod shop/" + hostile},
			PathsFrom:   []string{"SA033 ServiceAccount shop/default"},
			Other:       []string{"SA011 RoleBinding shop/default-edit", "SA017 ServiceAccount shop/default"},
		},
		"ci/builder":                              {PathsFrom: []string{"SA033 ServiceAccount ci/builder"}},
		"kube-system/admin-bot":                   {PathsThrough: []string{"SA033 ServiceAccount ci/builder", "SA033 ServiceAccount shop/deployer"}},
		"shop/<img src=x onerror=window.pwned=2>": {Other: []string{"SA017 ServiceAccount shop/<img src=x onerror=window.pwned=2>"}},
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
	r := fixtureReport(t)
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
	if diff := cmp.Diff([]string{hostile, hostile, "<img src=x onerror=window.pwned=2>"}, names); diff != "" {
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
