package rules

import (
	"slices"

	"github.com/sascan/sascan/scanner"
)

// locations collects the manifest positions findings need and resolves
// them in one batch (scanner.Locate parses each document once, in parallel).
type locations struct {
	cluster string
	refs    []scanner.FieldRef
	slots   []locSlot
}

// locSlot is where a resolved position goes: the finding's index, and the
// related object's index or -1 for the finding's own object. templateLine
// is the Helm template's line offset, or -1 for plain files.
type locSlot struct {
	finding, related int
	file             string
	templateLine     int
}

// newLocations has room for n positions.
func newLocations(cluster string, n int) *locations {
	return &locations{cluster: cluster, refs: make([]scanner.FieldRef, 0, n), slots: make([]locSlot, 0, n)}
}

// add returns the location of path in o as far as it is known now; a
// manifest position is filled in by resolve.
func (l *locations) add(inv *scanner.Inventory, o *scanner.Object, path string, finding, related int) Location {
	if l.cluster != "" {
		return Location{Cluster: l.cluster}
	}
	if o.Source == nil {
		if o.Anchor >= 0 && inv.Objects[o.Anchor].Source != nil {
			a := inv.Objects[o.Anchor].Source
			return Location{File: a.File, Line: a.Line, Column: a.Column}
		}
		return Location{}
	}
	slot := locSlot{finding: finding, related: related, file: o.Source.File, templateLine: -1}
	if o.Source.Template != "" && o.Source.File == scanner.StdinName {
		// Helm output on standard input, where there is no file to point
		// at: the chart's template file, and the line within the rendered
		// document. A rendered file on disk is reported at its own lines
		// (the template goes into evidence).
		slot.file, slot.templateLine = o.Source.Template, o.Source.TemplateLine
	}
	l.refs = append(l.refs, scanner.FieldRef{Source: o.Source, Path: path})
	l.slots = append(l.slots, slot)
	return Location{File: slot.file}
}

// locPart is the locations of a part of a rule's findings: those from
// index first on (Engine.findings).
type locPart struct {
	loc   *locations
	first int
}

// append adds the positions other deferred, for findings that come at
// index first and on in the findings resolve is given.
func (l *locations) append(other *locations, first int) {
	l.refs = append(l.refs, other.refs...)
	l.slots = slices.Grow(l.slots, len(other.slots))
	for _, s := range other.slots {
		s.finding += first
		l.slots = append(l.slots, s)
	}
}

// resolve fills in the positions add deferred. A finding whose own object
// has no file (a built-in role) points at its first related object that has.
func (l *locations) resolve(fs []Finding) {
	for i, pos := range scanner.Locate(l.refs) {
		s := l.slots[i]
		loc := Location{File: s.file, Line: pos.Line, Column: pos.Column}
		if s.templateLine >= 0 {
			loc.Line -= s.templateLine
		}
		if s.related < 0 {
			fs[s.finding].Location = loc
		} else {
			fs[s.finding].Related[s.related].Location = loc
		}
	}
	for i := range fs {
		fd := &fs[i]
		if fd.Location.File == "" && fd.Location.Cluster == "" {
			for _, rel := range fd.Related {
				if rel.Location.File != "" {
					fd.Location = rel.Location
					break
				}
			}
		}
	}
}
