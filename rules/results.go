package rules

import (
	"cmp"
	"fmt"
	"runtime"

	"github.com/sascan/sascan/internal/spread"
	"github.com/sascan/sascan/scanner"
)

// rawFinding is what a rule returns (policies/lib/result.rego).
type rawFinding struct {
	Object     int            `json:"object"`
	Path       string         `json:"path"`
	Message    string         `json:"message"`
	Severity   string         `json:"severity"`
	Confidence string         `json:"confidence"`
	Evidence   map[string]any `json:"evidence"`
	// AllowListed is set by lib/result.rego for objects on the system
	// allow-list: the severity drops one level.
	AllowListed string       `json:"allowListed"`
	Related     []rawRelated `json:"related"`
	// Key tells apart findings of one rule on the same object and path
	// (the sinks an attack path from one ServiceAccount reaches); it
	// joins the fingerprint, so a baseline knows each of them.
	Key string `json:"key"`
}

// rawRelated is an object a finding names besides its own.
type rawRelated struct {
	Object int    `json:"object"`
	Path   string `json:"path"`
}

// findings makes rule r's findings of its folded raw findings, with the
// positions they need: one locations per part. Many findings are made on
// every CPU, in parts.
func (e *Engine) findings(r *Rule, raws []rawFinding, inv *scanner.Inventory, cluster string) ([]Finding, []locPart, error) {
	parts := 1
	if len(raws) >= spreadMin {
		parts = runtime.GOMAXPROCS(0)
	}
	fs := make([]Finding, len(raws))
	locs := make([]locPart, parts)
	errs := make([]error, parts)
	first := func(p int) int { return p * len(raws) / parts }
	spread.Each(parts, func(p int) {
		// The positions the part may need: each finding's and its related
		// objects' (none in a live scan, whose locations name the cluster
		// alone: locations.add).
		n := 0
		if cluster == "" {
			for _, f := range raws[first(p):first(p+1)] {
				n += 1 + len(f.Related)
			}
		}
		loc := newLocations(cluster, n)
		locs[p] = locPart{loc, first(p)}
		for i := first(p); i < first(p+1); i++ {
			fd, err := e.finding(r, raws[i], inv, loc, i-first(p))
			if err != nil {
				errs[p] = err
				return
			}
			fs[i] = fd
		}
	})
	if err := cmp.Or(errs...); err != nil {
		return nil, nil, err // the first part's, as one core would have stopped at it
	}
	return fs, locs, nil
}

func (e *Engine) finding(r *Rule, f rawFinding, inv *scanner.Inventory, loc *locations, index int) (Finding, error) {
	if f.Object < 0 || f.Object >= len(inv.Objects) {
		return Finding{}, fmt.Errorf("rule %s: finding names object %d, which is not in the inventory", r.ID, f.Object)
	}
	o := inv.Objects[f.Object]
	fd := Finding{
		RuleID: r.ID, Title: r.Title, Severity: r.Severity, Confidence: Certain,
		Message: f.Message, Object: refOf(o), Path: f.Path, Evidence: f.Evidence,
		Remediation: r.Remediation, References: r.References,
		objectID: o.ID, group: o.Group, key: f.Key,
	}
	if f.Severity != "" {
		s, err := ParseSeverity(f.Severity)
		if err != nil {
			return Finding{}, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		fd.Severity = s
	}
	if f.Confidence != "" {
		fd.Confidence = Confidence(f.Confidence)
		if !fd.Confidence.valid() {
			return Finding{}, fmt.Errorf("rule %s: unknown confidence %q", r.ID, f.Confidence)
		}
	}
	if f.AllowListed != "" {
		if fd.Severity > Info {
			fd.Severity--
		}
		if fd.Evidence == nil {
			fd.Evidence = map[string]any{}
		}
		fd.Evidence["allowListed"] = f.AllowListed
	}
	if o.Source != nil && o.Source.Template != "" && o.Source.File != scanner.StdinName {
		if fd.Evidence == nil {
			fd.Evidence = map[string]any{}
		}
		fd.Evidence["helmTemplate"] = o.Source.Template
	}
	fd.Location = loc.add(inv, o, f.Path, index, -1)
	if len(f.Related) > 0 {
		fd.Related = make([]Related, 0, len(f.Related))
	}
	for _, rel := range f.Related {
		if rel.Object < 0 || rel.Object >= len(inv.Objects) {
			continue
		}
		ro := inv.Objects[rel.Object]
		fd.Related = append(fd.Related, Related{Object: refOf(ro), Path: rel.Path, Location: loc.add(inv, ro, rel.Path, index, len(fd.Related))})
	}
	fd.Fingerprint = fingerprint(r.ID, o.Group, fd.Object, f.Path, f.Key)
	return fd, nil
}

func refOf(o *scanner.Object) ObjectRef {
	return ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}
