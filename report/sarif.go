package report

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sascan/sascan/rules"
)

// InformationURI is the project's home page.
const InformationURI = "https://github.com/sascan/sascan"

const (
	srcRoot        = "SRCROOT"
	fingerprintKey = "sascanFingerprint/v1"
)

var securitySeverity = map[rules.Severity]string{
	rules.Critical: "9.5",
	rules.High:     "8.0",
	rules.Medium:   "5.5",
	rules.Low:      "3.0",
	rules.Info:     "1.0",
}

// Level maps a severity to a SARIF result level.
func Level(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium:
		return "warning"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning: every enabled rule
// in the driver, one result per finding with a physical location relative to
// r.SarifRoot, related locations, partial fingerprints and suppressions.
// A fleet report has one run per scanned cluster, each with its own
// category (automationDetails.id sascan/cluster/NAME/); a cluster that was
// not scanned has no run, so its alerts stay as they were. More clusters
// than GitHub accepts runs in one file is an error (ErrTooManyRuns).
func SARIF(w io.Writer, r *Report) error {
	runs, err := sarifRuns(r)
	if err != nil {
		return err
	}
	for _, c := range r.Clusters {
		if !c.Scanned && r.Warn != nil {
			r.Warn(fmt.Sprintf("SARIF: cluster %s was not scanned and has no run; its code scanning alerts stay as they were", c.Name))
		}
	}
	for i := range runs {
		runs[i].kept = withinResultLimit(runs[i].all, gitHubMaxResults)
	}
	for {
		out, err := sarifLog(r, runs)
		if err != nil {
			return err
		}
		size, err := gzipSize(out)
		if err != nil {
			return err
		}
		kept := 0
		for _, run := range runs {
			kept += len(run.kept)
		}
		if size <= gitHubMaxGzipBytes || kept == 0 {
			for _, run := range runs {
				if left := len(run.all) - len(run.kept); left > 0 && r.Warn != nil {
					where := ""
					if run.cluster != "" {
						where = "cluster " + run.cluster + ": "
					}
					r.Warn(fmt.Sprintf("SARIF: %s%d of %d findings left out, the lowest severities first, to stay within GitHub code scanning's limits (%d results a run, %d MB gzipped); the JSON report has them all", where, left, len(run.all), gitHubMaxResults, gitHubMaxGzipBytes>>20))
				}
			}
			_, err = w.Write(out)
			return err
		}
		// Keep the share of results that fits, a tenth less for the
		// size of what stays.
		keepFirst(runs, int(float64(kept)*float64(gitHubMaxGzipBytes)/float64(size)*0.9))
	}
}

// ErrTooManyRuns: a fleet report has more scanned clusters than GitHub
// code scanning accepts runs in one SARIF file.
var ErrTooManyRuns = fmt.Errorf("more clusters than the %d runs GitHub code scanning accepts in one SARIF file", GitHubMaxRuns)

// GitHubMaxRuns is the most runs GitHub code scanning accepts in one file.
const GitHubMaxRuns = 20

// runInput is what one run holds: all of its findings, and those kept
// within GitHub's limits.
type runInput struct {
	cluster   string // a fleet report's cluster; "" for a single scan's one run
	all, kept []rules.Finding
}

// sarifRuns splits r's findings into runs: one, or one per scanned cluster
// of a fleet report.
func sarifRuns(r *Report) ([]runInput, error) {
	if !r.Fleet() {
		return []runInput{{all: r.Findings}}, nil
	}
	var runs []runInput
	index := map[string]int{}
	for _, c := range r.Clusters {
		if c.Scanned {
			index[c.Name] = len(runs)
			runs = append(runs, runInput{cluster: c.Name})
		}
	}
	if len(runs) > GitHubMaxRuns {
		return nil, fmt.Errorf("render sarif: %d scanned clusters: %w (write SARIF for at most %d clusters at a time)", len(runs), ErrTooManyRuns, GitHubMaxRuns)
	}
	for _, f := range r.Findings {
		i, ok := index[f.Location.Cluster]
		if !ok {
			return nil, fmt.Errorf("render sarif: finding %s on %s names cluster %q, which the report did not scan", f.RuleID, f.Object, f.Location.Cluster)
		}
		runs[i].all = append(runs[i].all, f)
	}
	return runs, nil
}

// keepFirst keeps n of the runs' kept findings: unsuppressed before
// suppressed, then the highest severities, each run's in its own order.
func keepFirst(runs []runInput, n int) {
	type ref struct{ run, i int }
	var all []ref
	for ri, run := range runs {
		for i := range run.kept {
			all = append(all, ref{ri, i})
		}
	}
	if n >= len(all) {
		return
	}
	slices.SortStableFunc(all, func(a, b ref) int {
		return priority(runs[a.run].kept[a.i], runs[b.run].kept[b.i])
	})
	keep := map[ref]bool{}
	for _, x := range all[:n] {
		keep[x] = true
	}
	for ri := range runs {
		var kept []rules.Finding
		for i, f := range runs[ri].kept {
			if keep[ref{ri, i}] {
				kept = append(kept, f)
			}
		}
		runs[ri].kept = kept
	}
}

// priority orders findings by what SARIF keeps first: unsuppressed, then
// the highest severity.
func priority(a, b rules.Finding) int {
	if (a.Suppressed == nil) != (b.Suppressed == nil) {
		if a.Suppressed == nil {
			return -1
		}
		return 1
	}
	return cmp.Compare(b.Severity, a.Severity)
}

// What GitHub code scanning accepts in one upload: results a run,
// locations a result, the gzipped file. sascan never writes more.
const (
	gitHubMaxResults   = 25_000
	gitHubMaxLocations = 1_000
	gitHubMaxGzipBytes = 10 << 20
)

// withinResultLimit keeps at most limit findings: unsuppressed before
// suppressed, then the highest severities, in report order otherwise.
func withinResultLimit(fs []rules.Finding, limit int) []rules.Finding {
	if len(fs) <= limit {
		return fs
	}
	out := slices.Clone(fs)
	slices.SortStableFunc(out, priority)
	return out[:limit]
}

func gzipSize(b []byte) (int, error) {
	var n countingWriter
	zw := gzip.NewWriter(&n)
	if _, err := zw.Write(b); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int(n), nil
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// sarifLog renders the log of the runs' kept findings.
func sarifLog(r *Report, runs []runInput) ([]byte, error) {
	log := sarif.NewReport()
	for _, sr := range runs {
		run, err := runOf(r, sr)
		if err != nil {
			return nil, err
		}
		log.AddRun(run)
	}
	var buf bytes.Buffer
	if err := log.Write(&buf); err != nil {
		return nil, err
	}
	// go-sarif writes unset indexes, ids, ranks and offsets as -1 (its struct
	// fields have no omitempty); SARIF says to omit such sentinels.
	var doc any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	dropUnsetIndexes(doc)
	var out bytes.Buffer
	if err := encodeIndented(&out, doc, ""); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// runOf is one run: the driver with every enabled rule, and the run's
// kept findings as results.
func runOf(r *Report, sr runInput) (*sarif.Run, error) {
	run := sarif.NewRunWithInformationURI(r.Tool.Name, InformationURI)
	// SARIF wants a version that starts with a number (so that versions
	// compare); a development build's is its commit hash.
	run.Tool.Driver.Version = str(semver(r.Tool.Version))
	run.Tool.Driver.SemanticVersion = str(semver(r.Tool.Version))
	if r.SarifRoot != "" && r.Source.Mode != "cluster" {
		root := filepath.ToSlash(r.SarifRoot)
		if !strings.HasSuffix(root, "/") {
			root += "/"
		}
		if !strings.HasPrefix(root, "/") {
			root = "/" + root
		}
		loc := sarif.NewArtifactLocation()
		loc.URI = str("file://" + root)
		run.OriginalUriBaseIds = map[string]sarif.ArtifactLocation{srcRoot: *loc}
	}
	if sr.cluster != "" {
		ad := sarif.NewRunAutomationDetails()
		ad.ID = str(AutomationID(sr.cluster))
		run.AutomationDetails = ad
	}
	index := map[string]int{}
	for i, rule := range r.Rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, descriptor(rule))
		index[rule.ID] = i
	}
	for _, f := range sr.kept {
		i, ok := index[f.RuleID]
		if !ok {
			return nil, fmt.Errorf("render sarif: finding of rule %s, which is not enabled", f.RuleID)
		}
		run.Results = append(run.Results, result(f, i, r))
	}
	if left := len(sr.all) - len(sr.kept); left > 0 {
		props := sarif.NewPropertyBag()
		props.Add("sascan/omittedResults", left)
		props.Add("sascan/omittedReason", fmt.Sprintf("GitHub code scanning accepts at most %d results a run and %d MB gzipped; the lowest severities were left out, the JSON report has every finding", gitHubMaxResults, gitHubMaxGzipBytes>>20))
		run.Properties = props
	}
	return run, nil
}

// AutomationID is the automationDetails.id of a fleet report's run for
// cluster: its category, sascan/cluster/NAME/ (the trailing slash makes it
// a category; code scanning keeps one set of alerts per category). A '/'
// in the name is escaped, so the name stays one component.
func AutomationID(cluster string) string {
	return "sascan/cluster/" + url.PathEscape(cluster) + "/"
}

var sentinelKeys = map[string]bool{"index": true, "parentIndex": true, "id": true, "rank": true, "byteOffset": true, "charOffset": true, "executionOrder": true, "nestingLevel": true}

func dropUnsetIndexes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if n, ok := e.(json.Number); ok && n == "-1" && sentinelKeys[k] {
				delete(x, k)
				continue
			}
			dropUnsetIndexes(e)
		}
	case []any:
		for _, e := range x {
			dropUnsetIndexes(e)
		}
	}
}

func descriptor(rule *rules.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(rule.ID)
	d.Name = str(ruleName(rule))
	d.ShortDescription = text(rule.Title)
	d.FullDescription = text(rule.Description)
	help := sarif.NewMultiformatMessageString()
	help.Text = str(rule.Description + "\n\nRemediation: " + rule.Remediation)
	help.Markdown = str(HelpMarkdown(rule))
	d.Help = help
	d.HelpURI = str(fmt.Sprintf("%s/blob/main/docs/rules.md#%s", InformationURI, strings.ToLower(rule.ID)))
	cfg := sarif.NewReportingConfiguration()
	cfg.Enabled = true
	cfg.Level = Level(rule.Severity)
	d.DefaultConfiguration = cfg
	props := sarif.NewPropertyBag()
	props.Tags = []string{"security", rule.Family}
	props.Add("security-severity", securitySeverity[rule.Severity])
	props.Add("precision", "high")
	d.Properties = props
	return d
}

// HelpMarkdown is a rule's help: description, remediation with its YAML
// example, and references.
func HelpMarkdown(rule *rules.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s, %s)\n\n%s\n\n**Remediation**\n\n%s\n", rule.Title, rule.ID, rule.Severity, rule.Description, rule.Remediation)
	if rule.Example != "" {
		fmt.Fprintf(&b, "\n```yaml\n%s\n```\n", rule.Example)
	}
	if len(rule.References) > 0 {
		b.WriteString("\n**References**\n\n")
		for _, ref := range rule.References {
			fmt.Fprintf(&b, "- <%s>\n", ref)
		}
	}
	return b.String()
}

func result(f rules.Finding, ruleIndex int, r *Report) *sarif.Result {
	res := sarif.NewRuleResult(f.RuleID)
	res.RuleIndex = ruleIndex
	res.Level = Level(f.Severity)
	res.Message = sarif.NewTextMessage(f.Message)
	loc := location(f.Location, r)
	if f.Location.Cluster != "" || r.Source.Mode == "cluster" {
		loc.LogicalLocations = []*sarif.LogicalLocation{logicalLocation(f.Location.Cluster, f.Object)}
	}
	res.Locations = []*sarif.Location{loc}
	for i, rel := range f.Related {
		if i+1 >= gitHubMaxLocations {
			break
		}
		rl := location(rel.Location, r)
		rl.ID = i + 1
		rl.Message = sarif.NewTextMessage(fmt.Sprintf("%s %s", rel.Object.Kind, objectID(rel.Object)))
		res.RelatedLocations = append(res.RelatedLocations, rl)
	}
	if cf := codeFlow(f, r); cf != nil {
		res.CodeFlows = []*sarif.CodeFlow{cf}
	}
	res.PartialFingerprints = map[string]string{fingerprintKey: f.Fingerprint}
	props := sarif.NewPropertyBag()
	props.Add("severity", f.Severity.String())
	props.Add("confidence", string(f.Confidence))
	props.Add("object", objectID(f.Object))
	props.Add("kind", f.Object.Kind)
	if f.Path != "" {
		props.Add("path", f.Path)
	}
	res.Properties = props
	if f.Suppressed != nil {
		s := sarif.NewSuppression()
		kind := "external"
		if f.Suppressed.Kind == "annotation" {
			kind = "inSource"
		}
		s.Kind = str(kind)
		s.Status = str("accepted")
		s.Justification = str(f.Suppressed.Kind + ": " + f.Suppressed.Reason)
		res.Suppressions = []*sarif.Suppression{s}
	}
	return res
}

// codeFlow is an attack path (evidence.steps) as a thread flow GitHub
// code scanning shows step by step: where the token is taken (the first
// related object), then the binding of each step with what it lets the
// token's holder do. nil for a finding without steps. A path has a handful
// of steps, far below GitHub's 10,000 thread-flow locations.
func codeFlow(f rules.Finding, r *Report) *sarif.CodeFlow {
	steps, ok := f.Evidence["steps"].([]any)
	if !ok || len(steps) == 0 || len(f.Related) != len(steps)+1 {
		return nil
	}
	locs := make([]*sarif.ThreadFlowLocation, 0, len(f.Related))
	for i, rel := range f.Related {
		l := location(rel.Location, r)
		msg := fmt.Sprintf("the token is taken from %s %s", rel.Object.Kind, objectID(rel.Object))
		if i > 0 {
			s, _ := steps[i-1].(map[string]any)
			msg = fmt.Sprintf("%v -> %v: %v (%s %s)", s["from"], s["to"], s["action"], rel.Object.Kind, objectID(rel.Object))
		}
		l.Message = sarif.NewTextMessage(msg)
		if f.Location.Cluster != "" || r.Source.Mode == "cluster" {
			l.LogicalLocations = []*sarif.LogicalLocation{logicalLocation(f.Location.Cluster, rel.Object)}
		}
		locs = append(locs, sarif.NewThreadFlowLocation().WithLocation(l))
	}
	return sarif.NewCodeFlow().WithThreadFlows([]*sarif.ThreadFlow{sarif.NewThreadFlow().WithLocations(locs)})
}

// logicalLocation names an object of a live cluster:
// CLUSTER/NAMESPACE/KIND/NAME.
func logicalLocation(cluster string, o rules.ObjectRef) *sarif.LogicalLocation {
	ll := sarif.NewLogicalLocation()
	ll.FullyQualifiedName = str(fmt.Sprintf("%s/%s/%s/%s", cluster, o.Namespace, o.Kind, o.Name))
	ll.Name = str(o.Name)
	ll.Kind = str("object")
	return ll
}

func objectID(o rules.ObjectRef) string {
	if o.Namespace == "" {
		return o.Name
	}
	return o.Namespace + "/" + o.Name
}

// location is a physical location GitHub can show: the manifest position,
// or for objects without one, line 1 of a stand-in artifact.
func location(l rules.Location, r *Report) *sarif.Location {
	al := sarif.NewArtifactLocation()
	al.Index = -1
	region := sarif.NewRegion()
	switch {
	case l.File != "":
		uri, relative := artifactURI(l.File, r.SarifRoot)
		al.URI = str(uri)
		if relative {
			al.URIBaseID = str(srcRoot)
		}
		region.StartLine = intp(max(l.Line, 1))
		region.StartColumn = intp(max(l.Column, 1))
	default:
		al.URI = str(clusterURI(l.Cluster))
		region.StartLine = intp(1)
		region.StartColumn = intp(1)
	}
	region.ByteOffset = -1
	region.CharOffset = -1
	pl := sarif.NewPhysicalLocation()
	pl.ArtifactLocation = al
	pl.Region = region
	loc := sarif.NewLocation()
	loc.PhysicalLocation = pl
	return loc
}

func clusterURI(cluster string) string {
	if cluster == "" {
		cluster = "unknown"
	}
	return "cluster/" + uriSafe(cluster)
}

// artifactURI is file relative to root when it lies below root, else an
// absolute file URI (GitHub then cannot link it, but the log stays valid).
func artifactURI(file, root string) (string, bool) {
	if file == "<stdin>" {
		return "stdin", true
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return uriSafe(filepath.ToSlash(file)), true
	}
	if root != "" {
		if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return uriSafe(filepath.ToSlash(rel)), true
		}
	}
	return "file://" + uriSafe(filepath.ToSlash(abs)), false
}

func uriSafe(p string) string {
	var b strings.Builder
	for _, c := range p {
		switch {
		case c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("-._~/", c)):
			b.WriteRune(c)
		default:
			for _, x := range []byte(string(c)) {
				fmt.Fprintf(&b, "%%%02X", x)
			}
		}
	}
	return b.String()
}

// ruleName is a rule's title in PascalCase, as SARIF readers show it.
func ruleName(rule *rules.Rule) string {
	var b strings.Builder
	up := true
	for _, c := range rule.Title {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			if up {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || !unicode.IsDigit(rune(v[0])) {
		return "0.0.0-" + sanitizeSemver(v)
	}
	return v
}

func sanitizeSemver(v string) string {
	var b strings.Builder
	for _, c := range v {
		if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '-' || c == '.') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "dev"
	}
	return b.String()
}

func str(s string) *string { return &s }

func intp(i int) *int { return &i }

func text(s string) *sarif.MultiformatMessageString {
	m := sarif.NewMultiformatMessageString()
	m.Text = str(s)
	return m
}
