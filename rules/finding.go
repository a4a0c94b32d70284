package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// ObjectRef names a Kubernetes object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (o ObjectRef) String() string {
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// Location is where a finding points: a file position for manifests, the
// cluster context for live objects.
type Location struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Cluster string `json:"cluster,omitempty"`
}

// Related is another object involved in a finding.
type Related struct {
	Object   ObjectRef `json:"object"`
	Path     string    `json:"path,omitempty"`
	Location Location  `json:"location"`
}

// Suppression says why a finding does not count.
type Suppression struct {
	Kind   string `json:"kind"` // annotation, config or baseline
	Reason string `json:"reason"`
}

// Finding is one rule result on one object.
type Finding struct {
	RuleID      string         `json:"ruleId"`
	Title       string         `json:"title"`
	Severity    Severity       `json:"severity"`
	Confidence  Confidence     `json:"confidence"`
	Message     string         `json:"message"`
	Object      ObjectRef      `json:"object"`
	Location    Location       `json:"location"`
	Path        string         `json:"path,omitempty"`
	Evidence    map[string]any `json:"evidence,omitempty"`
	Related     []Related      `json:"related,omitempty"`
	Remediation string         `json:"remediation"`
	References  []string       `json:"references,omitempty"`
	Fingerprint string         `json:"fingerprint"`
	Suppressed  *Suppression   `json:"suppressed,omitempty"`

	objectID int
	group    string
	key      string // rawFinding.Key
}

// fingerprint is stable across runs, line moves and reformatting: it hashes
// the rule, the object's identity, the field path and the finding's key
// (when the rule sets one), nothing positional.
func fingerprint(ruleID, group string, o ObjectRef, path, key string) string {
	parts := []string{ruleID, group, o.Kind, o.Namespace, o.Name, path}
	if key != "" {
		parts = append(parts, key)
	}
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// SortFindings orders findings by severity (highest first), rule, cluster
// (reports of several clusters), object, path and location: the order
// every report uses. It sorts indexes and moves each finding once: a
// finding is a large struct, and a stable sort of the findings themselves
// moves each many times.
func SortFindings(fs []Finding) {
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return compareFindings(&fs[i], &fs[j]) })
	sorted := make([]Finding, len(fs))
	for k, i := range order {
		sorted[k] = fs[i]
	}
	copy(fs, sorted)
}

// compareFindings orders by severity, then the text fields of
// sortFields, which slices.Compare compares until one differs, then the
// line and the message.
func compareFindings(a, b *Finding) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := slices.Compare(sortFields(a), sortFields(b)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Location.Line, b.Location.Line), strings.Compare(a.Message, b.Message))
}

// sortFields are f's text fields in the order findings sort by, after
// the severity and before the line and the message.
func sortFields(f *Finding) []string {
	return []string{f.RuleID, f.Location.Cluster, f.Object.Namespace, f.Object.Kind, f.Object.Name, f.Path, f.Location.File}
}
