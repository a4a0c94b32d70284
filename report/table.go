package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/sascan/sascan/rules"
)

var colors = map[rules.Severity]string{
	rules.Critical: "\x1b[1;31m",
	rules.High:     "\x1b[31m",
	rules.Medium:   "\x1b[33m",
	rules.Low:      "\x1b[36m",
	rules.Info:     "\x1b[2m",
}

// Table writes one row per unsuppressed finding (severity, rule, object,
// location, message) and a summary line.
func Table(w io.Writer, r *Report) error {
	sum := Summarize(r)
	if sum.Findings > 0 {
		t := tablewriter.NewTable(w,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithRowAutoWrap(tw.WrapNormal),
			tablewriter.WithRowConfig(tw.CellConfig{
				Formatting:   tw.CellFormatting{AutoWrap: tw.WrapNormal},
				Padding:      tw.CellPadding{Global: tw.PaddingDefault},
				ColMaxWidths: tw.CellWidth{PerColumn: tw.NewMapper[int, int]().Set(4, 64)},
			}),
		)
		t.Header("SEVERITY", "RULE", "OBJECT", "LOCATION", "MESSAGE")
		for _, f := range r.Findings {
			if f.Suppressed != nil {
				continue
			}
			sev := strings.ToUpper(f.Severity.String())
			if r.Color {
				sev = colors[f.Severity] + sev + "\x1b[0m"
			}
			if err := t.Append(sev, f.RuleID, objectName(f.Object), locationText(f.Location), f.Message); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	for _, e := range r.Errors {
		if _, err := fmt.Fprintf(w, "error: %s\n", errorText(e)); err != nil {
			return err
		}
	}
	for _, inc := range r.Incomplete {
		if _, err := fmt.Fprintf(w, "incomplete: %s: %s (rules: %s)\n", inc.Resource, inc.Reason, strings.Join(inc.Rules, ", ")); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, summaryLine(sum))
	return err
}

func summaryLine(s Summary) string {
	var parts []string
	for _, sev := range []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info} {
		parts = append(parts, fmt.Sprintf("%d %s", s.BySeverity[sev.String()], sev))
	}
	return fmt.Sprintf("%d findings (%s), %d suppressed, %d objects scanned", s.Findings, strings.Join(parts, ", "), s.Suppressed, s.Objects)
}

func objectName(o rules.ObjectRef) string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

func locationText(l rules.Location) string {
	switch {
	case l.Cluster != "":
		return l.Cluster
	case l.File == "":
		return "-"
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

func errorText(e Error) string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	if e.File != "" {
		return e.File + ": " + e.Message
	}
	return e.Message
}
