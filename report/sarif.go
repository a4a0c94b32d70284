package report

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
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
func SARIF(w io.Writer, r *Report) error {
	findings := withinResultLimit(r.Findings, gitHubMaxResults)
	for {
		out, err := sarifLog(r, findings)
		if err != nil {
			return err
		}
		size, err := gzipSize(out)
		if err != nil {
			return err
		}
		if size <= gitHubMaxGzipBytes || len(findings) == 0 {
			if left := len(r.Findings) - len(findings); left > 0 && r.Warn != nil {
				r.Warn(fmt.Sprintf("SARIF: %d of %d findings left out, the lowest severities first, to stay within GitHub code scanning's limits (%d results a run, %d MB gzipped); the JSON report has them all", left, len(r.Findings), gitHubMaxResults, gitHubMaxGzipBytes>>20))
			}
			_, err = w.Write(out)
			return err
		}
		// Keep the share of results that fits, a tenth less for the
		// size of what stays.
		findings = findings[:int(float64(len(findings))*float64(gitHubMaxGzipBytes)/float64(size)*0.9)]
	}
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
	slices.SortStableFunc(out, func(a, b rules.Finding) int {
		if (a.Suppressed == nil) != (b.Suppressed == nil) {
			if a.Suppressed == nil {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Severity, a.Severity)
	})
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

// sarifLog renders the log of findings, which may be fewer than r's.
func sarifLog(r *Report, findings []rules.Finding) ([]byte, error) {
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI(r.Tool.Name, InformationURI)
	run.Tool.Driver.Version = str(r.Tool.Version)
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
	index := map[string]int{}
	for i, rule := range r.Rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, descriptor(rule))
		index[rule.ID] = i
	}
	for _, f := range findings {
		i, ok := index[f.RuleID]
		if !ok {
			return nil, fmt.Errorf("render sarif: finding of rule %s, which is not enabled", f.RuleID)
		}
		run.Results = append(run.Results, result(f, i, r))
	}
	if left := len(r.Findings) - len(findings); left > 0 {
		props := sarif.NewPropertyBag()
		props.Add("sascan/omittedResults", left)
		props.Add("sascan/omittedReason", fmt.Sprintf("GitHub code scanning accepts at most %d results a run and %d MB gzipped; the lowest severities were left out, the JSON report has every finding", gitHubMaxResults, gitHubMaxGzipBytes>>20))
		run.Properties = props
	}
	log.AddRun(run)
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
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var sentinelKeys = map[string]bool{"index": true, "parentIndex": true, "id": true, "rank": true, "byteOffset": true, "charOffset": true}

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
		ll := sarif.NewLogicalLocation()
		ll.FullyQualifiedName = str(fmt.Sprintf("%s/%s/%s/%s", f.Location.Cluster, f.Object.Namespace, f.Object.Kind, f.Object.Name))
		ll.Name = str(f.Object.Name)
		ll.Kind = str("object")
		loc.LogicalLocations = []*sarif.LogicalLocation{ll}
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
