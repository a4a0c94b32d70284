package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sascan/sascan/scanner"
)

// AnnotationPrefix starts the per-rule suppression annotation
// (ignore-check.sascan.io/SA016: "reason").
const AnnotationPrefix = "ignore-check.sascan.io/"

// Select returns the rules that run in mode: all of them, or only those in
// enable, minus those in disable. Unknown IDs are an error.
func Select(cat *Catalogue, mode string, enable, disable []string) ([]*Rule, error) {
	norm := func(ids []string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, id := range ids {
			id = strings.ToUpper(strings.TrimSpace(id))
			if id == "" {
				continue
			}
			if cat.Rule(id) == nil {
				return nil, fmt.Errorf("unknown rule ID %q (see `sascan rules`)", id)
			}
			out[id] = true
		}
		return out, nil
	}
	en, err := norm(enable)
	if err != nil {
		return nil, err
	}
	dis, err := norm(disable)
	if err != nil {
		return nil, err
	}
	var out []*Rule
	for _, r := range cat.Rules {
		if !r.RunsIn(mode) || dis[r.ID] || (len(en) > 0 && !en[r.ID]) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// SuppressOptions are the sources of suppressions.
type SuppressOptions struct {
	Config   *Config
	Baseline map[string]bool // fingerprints
	Now      time.Time
	Warn     func(msg string) // warnings for the user (stderr)
}

// Adjust applies configured severity overrides, then marks suppressed
// findings: object annotations, config exceptions, the baseline. It returns
// the findings re-sorted.
func Adjust(fs []Finding, inv *scanner.Inventory, opts SuppressOptions) []Finding {
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	cfg := opts.Config
	if cfg == nil {
		cfg = DefaultConfig()
	}
	expired := map[int]bool{}
	warned := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		if s, ok := cfg.SeverityOverride(f.RuleID); ok {
			f.Severity = s
		}
		if reason, ok := annotationReason(inv, f, warned, warn); ok {
			f.Suppressed = &Suppression{Kind: "annotation", Reason: reason}
			continue
		}
		if e, ok := matchException(cfg, f, opts.Now, expired); ok {
			f.Suppressed = &Suppression{Kind: "config", Reason: e.Reason}
			continue
		}
		if opts.Baseline[f.Fingerprint] {
			f.Suppressed = &Suppression{Kind: "baseline", Reason: "in baseline"}
		}
	}
	ids := make([]int, 0, len(expired))
	for i := range expired {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	for _, i := range ids {
		e := cfg.Exceptions[i]
		warn(fmt.Sprintf("config exception for %s (line %d) expired on %s and no longer suppresses", e.Rule, e.line, e.Expires))
	}
	SortFindings(fs)
	return fs
}

func annotationReason(inv *scanner.Inventory, f *Finding, warned map[string]bool, warn func(string)) (string, bool) {
	if inv == nil || f.objectID < 0 || f.objectID >= len(inv.Objects) {
		return "", false
	}
	o := inv.Objects[f.objectID]
	key := AnnotationPrefix + f.RuleID
	sources := []map[string]any{o.Annotations, o.TemplateAnnotations}
	for _, a := range sources {
		v, ok := a[key]
		if !ok {
			continue
		}
		reason, _ := v.(string)
		if strings.TrimSpace(reason) == "" {
			w := fmt.Sprintf("%s %s/%s: annotation %s has no reason and does not suppress", o.Kind, o.Namespace, o.Name, key)
			if !warned[w] {
				warned[w] = true
				warn(w)
			}
			continue
		}
		return reason, true
	}
	return "", false
}

func matchException(cfg *Config, f *Finding, now time.Time, expired map[int]bool) (Exception, bool) {
	for i, e := range cfg.Exceptions {
		if !strings.EqualFold(e.Rule, f.RuleID) {
			continue
		}
		if e.Kind != "" && !strings.EqualFold(e.Kind, f.Object.Kind) {
			continue
		}
		if !globMatch(e.Namespace, f.Object.Namespace) || !globMatch(e.Name, f.Object.Name) {
			continue
		}
		if !e.expires.IsZero() && !now.Before(e.expires.AddDate(0, 0, 1)) {
			expired[i] = true
			continue
		}
		return e, true
	}
	return Exception{}, false
}

// SuppressBaseline marks the findings not suppressed yet whose fingerprint
// is in baseline. It is for findings adjusted already (the reports sascan
// merge combines), whose own suppressions stay as they are.
func SuppressBaseline(fs []Finding, baseline map[string]bool) {
	for i := range fs {
		if fs[i].Suppressed == nil && baseline[fs[i].Fingerprint] {
			fs[i].Suppressed = &Suppression{Kind: "baseline", Reason: "in baseline"}
		}
	}
}

// Filter drops findings below min (they count nowhere).
func Filter(fs []Finding, min Severity) []Finding {
	if !min.Valid() {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Severity >= min {
			out = append(out, f)
		}
	}
	return out
}

// FailsAt reports whether an unsuppressed finding is at or above level.
func FailsAt(fs []Finding, level Severity) bool {
	if !level.Valid() {
		return false
	}
	for _, f := range fs {
		if f.Suppressed == nil && f.Severity >= level {
			return true
		}
	}
	return false
}
