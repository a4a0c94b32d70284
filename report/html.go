package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/sascan/sascan/rules"
)

// The page's template, style and script, embedded in the binary: the report
// is one file that loads nothing at view time.
//
//go:embed html/page.tmpl html/style.css html/app.js
var htmlFiles embed.FS

// Rule IDs whose evidence the HTML report reads beyond showing it: SA013
// for a ServiceAccount's permissions by tier, SA033 for attack paths and
// SA034 for choke points. Their evidence shapes are documented in
// docs/rules.md.
const (
	ruleDangerousPermissions = "SA013"
	ruleAttackPath           = "SA033"
	ruleChokePoint           = "SA034"
)

// How much of a long list the summary shows; the findings table has all.
const (
	summaryChokePoints = 20
	summaryPaths       = 10
)

// HTML writes a single self-contained page: a summary by severity and
// rule, choke points and the shortest attack paths (rendered here), then a
// findings table that filters, sorts and pages in the browser, and a page
// per ServiceAccount (#sa/NAMESPACE/NAME) with its permissions by tier, the
// objects that hold its token and its attack paths drawn as a graph. The
// findings are embedded once as JSON; a Content-Security-Policy lets the
// page load nothing and run only its own script. It holds what the
// findings hold and nothing else.
func HTML(w io.Writer, r *Report) error {
	page, err := parsePage()
	if err != nil {
		return err
	}
	data := htmlDataOf(r.Findings)
	page.Summary = summaryView(r, data)
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := page.tmpl.ExecuteTemplate(bw, "head", page); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	if _, err := io.WriteString(bw, `<script id="sascan-data" type="application/json">`); err != nil {
		return err
	}
	// The encoder escapes <, > and & inside strings (\u003c...), so no
	// object name can close the script element or open a comment.
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(data); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	if _, err := io.WriteString(bw, "</script>\n"); err != nil {
		return err
	}
	if err := page.tmpl.ExecuteTemplate(bw, "tail", page); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	return bw.Flush()
}

// accessHTML writes an access answer (who-can or sa) as a page of its
// own: the same style, no script.
func accessHTML(w io.Writer, answer any) error {
	page, err := parsePage()
	if err != nil {
		return err
	}
	view := struct {
		CSS    template.CSS
		CSP    string
		WhoCan *WhoCan
		SA     *ServiceAccountAccess
	}{CSS: page.CSS, CSP: fmt.Sprintf("default-src 'none'; style-src '%s'; base-uri 'none'; form-action 'none'", cspHash([]byte(page.CSS)))}
	switch a := answer.(type) {
	case *WhoCan:
		view.WhoCan = a
	case *ServiceAccountAccess:
		view.SA = a
	default:
		return fmt.Errorf("render HTML: no page for %T", answer)
	}
	if err := page.tmpl.ExecuteTemplate(w, "access", view); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	return nil
}

// htmlPage is what the template renders: the summary, and the exact style
// and script text with their hashes for the Content-Security-Policy.
type htmlPage struct {
	tmpl    *template.Template
	Summary *htmlSummary
	CSS     template.CSS
	JS      template.JS
	CSP     string
}

func parsePage() (*htmlPage, error) {
	css, err := htmlFiles.ReadFile("html/style.css")
	if err != nil {
		return nil, err
	}
	js, err := htmlFiles.ReadFile("html/app.js")
	if err != nil {
		return nil, err
	}
	p := &htmlPage{CSS: template.CSS(css), JS: template.JS(js)}
	p.CSP = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; form-action 'none'", cspHash(css), cspHash(js))
	p.tmpl, err = template.New("page").Funcs(template.FuncMap{
		"sa":      saHref,
		"inc":     func(i int) int { return i + 1 },
		"sub":     func(a, b int) int { return a - b },
		"subject": subjectText,
		"binding": bindingText,
	}).ParseFS(htmlFiles, "html/page.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse the HTML template: %w", err)
	}
	return p, nil
}

func cspHash(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}

// saHref is the page's address of a ServiceAccount "ns/name".
func saHref(key string) string {
	ns, name, _ := strings.Cut(key, "/")
	return "#sa/" + pathEscape(ns) + "/" + pathEscape(name)
}

// pathEscape escapes as JavaScript's encodeURIComponent does, so the
// summary's links and the script's agree.
func pathEscape(s string) string {
	const keep = "-_.!~*'()"
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// htmlData is what the page's script reads, embedded once as JSON. A
// finding's title, remediation and references are its rule's unless it
// sets its own, so they are written once per rule.
type htmlData struct {
	Rules    map[string]htmlRule `json:"rules"`
	Findings []htmlFinding       `json:"findings"`
	Accounts []htmlAccount       `json:"accounts"`
}

type htmlRule struct {
	Title       string   `json:"title"`
	Remediation string   `json:"remediation,omitempty"`
	References  []string `json:"references,omitempty"`
}

// htmlFinding is a rules.Finding with short keys (a report of 45,000
// findings repeats them 45,000 times).
type htmlFinding struct {
	Rule        string             `json:"r"`
	Severity    rules.Severity     `json:"s"`
	Confidence  rules.Confidence   `json:"c"`
	Message     string             `json:"m"`
	APIVersion  string             `json:"av"`
	Kind        string             `json:"k"`
	Namespace   string             `json:"ns,omitempty"`
	Name        string             `json:"n"`
	File        string             `json:"f,omitempty"`
	Line        int                `json:"ln,omitempty"`
	Column      int                `json:"col,omitempty"`
	Cluster     string             `json:"cl,omitempty"`
	Path        string             `json:"p,omitempty"`
	Evidence    map[string]any     `json:"e,omitempty"`
	Related     []rules.Related    `json:"rel,omitempty"`
	Fingerprint string             `json:"fp"`
	Suppressed  *rules.Suppression `json:"sup,omitempty"`
	// Set only where they differ from the rule's.
	Title       *string   `json:"t,omitempty"`
	Remediation *string   `json:"rem,omitempty"`
	References  *[]string `json:"refs,omitempty"`
}

// htmlAccount is one ServiceAccount the findings name, with the indexes
// of its findings by the part of its page they belong to.
type htmlAccount struct {
	Key          string `json:"key"` // namespace/name
	Tier         string `json:"tier,omitempty"`
	Permissions  []int  `json:"permissions,omitempty"`  // SA013
	Holders      []int  `json:"holders,omitempty"`      // on objects that hold or carry its token
	PathsFrom    []int  `json:"pathsFrom,omitempty"`    // SA033 that start with its token
	PathsThrough []int  `json:"pathsThrough,omitempty"` // SA033 with a step through it
	Other        []int  `json:"other,omitempty"`        // on the account itself or its bindings
}

func htmlDataOf(fs []rules.Finding) *htmlData {
	d := &htmlData{Rules: map[string]htmlRule{}, Findings: make([]htmlFinding, len(fs)), Accounts: []htmlAccount{}}
	accounts := map[string]*htmlAccount{}
	account := func(key string) *htmlAccount {
		a := accounts[key]
		if a == nil {
			a = &htmlAccount{Key: key}
			accounts[key] = a
		}
		return a
	}
	for i := range fs {
		f := &fs[i]
		rule, ok := d.Rules[f.RuleID]
		if !ok {
			rule = htmlRule{Title: f.Title, Remediation: f.Remediation, References: f.References}
			d.Rules[f.RuleID] = rule
		}
		h := htmlFinding{
			Rule: f.RuleID, Severity: f.Severity, Confidence: f.Confidence, Message: f.Message,
			APIVersion: f.Object.APIVersion, Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name,
			File: f.Location.File, Line: f.Location.Line, Column: f.Location.Column, Cluster: f.Location.Cluster,
			Path: f.Path, Evidence: f.Evidence, Related: f.Related, Fingerprint: f.Fingerprint, Suppressed: f.Suppressed,
		}
		if f.Title != rule.Title {
			h.Title = &f.Title
		}
		if f.Remediation != rule.Remediation {
			h.Remediation = &f.Remediation
		}
		if !slices.Equal(f.References, rule.References) {
			refs := append([]string{}, f.References...) // none is [], not null
			h.References = &refs
		}
		d.Findings[i] = h

		key := accountOf(f)
		switch {
		case f.RuleID == ruleAttackPath:
			if key != "" {
				account(key).PathsFrom = append(account(key).PathsFrom, i)
			}
			for _, through := range pathAccounts(f.Evidence) {
				if through != key {
					account(through).PathsThrough = append(account(through).PathsThrough, i)
				}
			}
		case key == "":
		case f.RuleID == ruleDangerousPermissions:
			a := account(key)
			a.Permissions = append(a.Permissions, i)
			if t, _ := f.Evidence["privilegeTier"].(string); t != "" && (a.Tier == "" || t < a.Tier) {
				a.Tier = t
			}
		case accountSideKinds[f.Object.Kind]:
			account(key).Other = append(account(key).Other, i)
		default:
			account(key).Holders = append(account(key).Holders, i)
		}
	}
	for _, a := range accounts {
		d.Accounts = append(d.Accounts, *a)
	}
	slices.SortFunc(d.Accounts, func(a, b htmlAccount) int { return cmp.Compare(a.Key, b.Key) })
	return d
}

// accountSideKinds are the objects a finding about a ServiceAccount sits on
// when it is not about who holds the token: the account and RBAC.
var accountSideKinds = map[string]bool{
	"ServiceAccount": true, "Role": true, "ClusterRole": true, "RoleBinding": true, "ClusterRoleBinding": true,
}

// accountOf names the ServiceAccount ("namespace/name") a finding is about
// or whose token it concerns: evidence.effective (the account a pod really
// runs as, where the rule says so) or evidence.serviceAccount, qualified
// with the object's namespace when given without one; else the object
// itself when it is a ServiceAccount. "" when none.
func accountOf(f *rules.Finding) string {
	ns := f.Object.Namespace
	for _, k := range []string{"effective", "serviceAccount"} {
		if s, ok := f.Evidence[k].(string); ok && s != "" {
			if strings.Contains(s, "/") {
				return s
			}
			if ns != "" {
				return ns + "/" + s
			}
		}
	}
	if f.Object.Kind == "ServiceAccount" {
		return ns + "/" + f.Object.Name
	}
	return ""
}

// pathAccounts lists the ServiceAccounts ("ns/name") whose tokens an
// attack path takes (evidence.tokens), in order, once each.
func pathAccounts(ev map[string]any) []string {
	var out []string
	tokens, _ := ev["tokens"].([]any)
	for _, t := range tokens {
		if key, _ := t.(string); key != "" && !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

// The summary, rendered into the page by the template.

type htmlSummary struct {
	Tool        Tool
	Source      Source
	Objects     int
	Summary     Summary
	Severities  []countRow
	Rules       []ruleRow
	ChokePoints []chokePoint
	ChokeTotal  int
	Paths       []pathRow
	PathsTotal  int
	PathSinks   []countRow
	Accounts    int
	Tiers       []countRow
	Errors      []Error
	Incomplete  []Incomplete
	Hints       []string
}

type countRow struct {
	Name  string
	Count int
}

// ruleRow counts a rule's unsuppressed findings, in all and by severity
// (critical first).
type ruleRow struct {
	ID, Title  string
	Total      int
	BySeverity [5]int
}

type chokePoint struct {
	Element, Kind string
	Cuts          int
}

type pathRow struct {
	Account, Sink string
	Hops          int
	Chain         string
}

var summarySeverities = []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info}

func summaryView(r *Report, d *htmlData) *htmlSummary {
	v := &htmlSummary{Tool: r.Tool, Source: r.Source, Objects: r.Objects, Summary: Summarize(r), Errors: r.Errors, Incomplete: r.Incomplete, Hints: r.Hints}
	for _, s := range summarySeverities {
		v.Severities = append(v.Severities, countRow{s.String(), v.Summary.BySeverity[s.String()]})
	}
	byRule := map[string]*ruleRow{}
	sinks := map[string]int{}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Suppressed != nil {
			continue
		}
		row := byRule[f.RuleID]
		if row == nil {
			row = &ruleRow{ID: f.RuleID, Title: f.Title}
			byRule[f.RuleID] = row
		}
		row.Total++
		if k := slices.Index(summarySeverities, f.Severity); k >= 0 {
			row.BySeverity[k]++
		}
		switch f.RuleID {
		case ruleChokePoint:
			el, _ := f.Evidence["element"].(string)
			kind, _ := f.Evidence["kind"].(string)
			v.ChokePoints = append(v.ChokePoints, chokePoint{Element: el, Kind: kind, Cuts: evidenceInt(f.Evidence, "cuts")})
		case ruleAttackPath:
			sink, _ := f.Evidence["sink"].(string)
			acct, _ := f.Evidence["serviceAccount"].(string)
			sinks[sink]++
			v.Paths = append(v.Paths, pathRow{Account: acct, Sink: sink, Hops: evidenceInt(f.Evidence, "hops"), Chain: pathChain(f.Evidence)})
		}
	}
	for _, row := range byRule {
		v.Rules = append(v.Rules, *row)
	}
	slices.SortFunc(v.Rules, func(a, b ruleRow) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(v.ChokePoints, func(a, b chokePoint) int {
		return cmp.Or(cmp.Compare(b.Cuts, a.Cuts), cmp.Compare(a.Element, b.Element), cmp.Compare(a.Kind, b.Kind))
	})
	v.ChokeTotal = len(v.ChokePoints)
	v.ChokePoints = v.ChokePoints[:min(len(v.ChokePoints), summaryChokePoints)]
	slices.SortStableFunc(v.Paths, func(a, b pathRow) int {
		return cmp.Or(cmp.Compare(a.Hops, b.Hops), cmp.Compare(a.Sink, b.Sink), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Chain, b.Chain))
	})
	v.PathsTotal = len(v.Paths)
	v.Paths = v.Paths[:min(len(v.Paths), summaryPaths)]
	for sink, n := range sinks {
		v.PathSinks = append(v.PathSinks, countRow{sink, n})
	}
	slices.SortFunc(v.PathSinks, func(a, b countRow) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) })
	v.Accounts = len(d.Accounts)
	tiers := map[string]int{}
	for _, a := range d.Accounts {
		tiers[cmp.Or(a.Tier, "none")]++
	}
	for _, t := range []string{"T0", "T1", "T2", "none"} {
		v.Tiers = append(v.Tiers, countRow{t, tiers[t]})
	}
	return v
}

// evidenceInt reads a whole number from evidence as each source gives it:
// float64 from the rules engine or encoding/json, json.Number from a JSON
// report read back (ReadJSON, sascan merge), int from Go. 0 when absent or
// not a number.
func evidenceInt(ev map[string]any, key string) int {
	switch n := ev[key].(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i)
		}
		if f, err := n.Float64(); err == nil {
			return int(f)
		}
	}
	return 0
}

// pathChain writes where an attack path goes once it has the first token:
// each step's target, in order.
func pathChain(ev map[string]any) string {
	var parts []string
	steps, _ := ev["steps"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		to, _ := step["to"].(string)
		parts = append(parts, to)
	}
	return strings.Join(parts, " → ")
}
