package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
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
// location, message) and a summary line. A fleet report has a cluster
// column in place of the location (a live object's location is its
// cluster) and a summary line per cluster before the total. With r.Width
// set (a terminal's columns) the table fits it: the message column wraps
// first, then object and location (or cluster); with no width every row is
// one line.
func Table(w io.Writer, r *Report) error {
	sum := Summarize(r)
	if sum.Findings > 0 {
		var rows [][]string
		var sevs []rules.Severity
		for _, f := range r.Findings {
			if f.Suppressed != nil {
				continue
			}
			if r.Fleet() {
				rows = append(rows, []string{strings.ToUpper(f.Severity.String()), f.RuleID, f.Location.Cluster, objectName(f.Object), f.Message})
			} else {
				rows = append(rows, []string{strings.ToUpper(f.Severity.String()), f.RuleID, objectName(f.Object), locationText(f.Location), f.Message})
			}
			sevs = append(sevs, f.Severity)
		}
		header := []string{"SEVERITY", "RULE", "OBJECT", "LOCATION", "MESSAGE"}
		if r.Fleet() {
			header = []string{"SEVERITY", "RULE", "CLUSTER", "OBJECT", "MESSAGE"}
		}
		widths := columnWidths(header, rows, r.Width)
		t := tablewriter.NewTable(w,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithRowAutoWrap(tw.WrapNone),
			tablewriter.WithHeaderAutoWrap(tw.WrapNone),
			tablewriter.WithRowConfig(tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Padding:    tw.CellPadding{Global: tw.PaddingDefault},
			}),
		)
		t.Header(header)
		for i, row := range rows {
			cells := make([]string, len(row))
			for c, text := range row {
				cells[c] = strings.Join(wrap(text, widths[c]), "\n")
			}
			if r.Color {
				cells[0] = colors[sevs[i]] + cells[0] + "\x1b[0m"
			}
			if err := t.Append(cells); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	var lines []string
	for _, e := range r.Errors {
		lines = append(lines, "error: "+errorText(e))
	}
	for _, inc := range r.Incomplete {
		lines = append(lines, "incomplete: "+incompleteText(inc))
	}
	for _, h := range r.Hints {
		lines = append(lines, "hint: "+h)
	}
	if r.Audit != nil {
		lines = append(lines, r.Audit.Text())
	}
	scanned := 0
	for _, c := range sum.Clusters {
		if !c.Scanned {
			lines = append(lines, fmt.Sprintf("cluster %s: not scanned", c.Name))
			continue
		}
		scanned++
		lines = append(lines, fmt.Sprintf("cluster %s: %s", c.Name, summaryLine(Summary{Objects: c.Objects, Findings: c.Findings, BySeverity: c.BySeverity, Suppressed: c.Suppressed})))
	}
	total := summaryLine(sum)
	if r.Fleet() {
		total += fmt.Sprintf(" in %d of %d clusters", scanned, len(sum.Clusters))
	}
	lines = append(lines, total)
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, strings.Join(wrap(l, r.Width), "\n")); err != nil {
			return err
		}
	}
	return nil
}

// Wrapped columns are never made narrower than this (unless their text
// is): object, location, message.
var minWidths = []int{12, 12, 24}

// columnWidths returns the width of each column's text: its widest cell,
// or, when that makes the table wider than width (width > 0), less:
// object, location and message (the last three columns) give way, the
// widest first, so the message column wraps first. Severity and rule are
// never wrapped. A table that cannot fit at the minimum widths is wider
// than width.
func columnWidths(header []string, rows [][]string, width int) []int {
	out := make([]int, len(header))
	for c, h := range header {
		out[c] = twwidth.Width(h)
	}
	for _, row := range rows {
		for c, text := range row {
			out[c] = max(out[c], twwidth.Width(text))
		}
	}
	// Each column takes its text, a space either side and a border; one
	// more border closes the row.
	total := 3*len(out) + 1
	for _, n := range out {
		total += n
	}
	if width <= 0 || total <= width {
		return out
	}
	wrapped := out[len(out)-len(minWidths):]
	room := width - (total - sum(wrapped))
	for sum(wrapped) > room {
		widest := -1
		for i, w := range wrapped {
			if w > minWidths[i] && (widest < 0 || w > wrapped[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		wrapped[widest]--
	}
	return out
}

func sum(ns []int) int {
	n := 0
	for _, x := range ns {
		n += x
	}
	return n
}

// wrap breaks text into lines of at most width columns: at spaces, else
// after a '/' (paths), else anywhere. width 0 or less keeps one line.
func wrap(text string, width int) []string {
	if width <= 0 || twwidth.Width(text) <= width {
		return []string{text}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
		case twwidth.Width(line)+1+twwidth.Width(word) <= width:
			line += " " + word
			continue
		default:
			lines = append(lines, line)
		}
		for twwidth.Width(word) > width {
			cut := breakAt(word, width)
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		line = word
	}
	return append(lines, line)
}

// breakAt returns where to cut word so that its head fits in width
// columns: after the last '/' that fits, else at width runes.
func breakAt(word string, width int) int {
	cut, slash, cols := 0, 0, 0
	for i, r := range word {
		w := twwidth.Width(string(r))
		if cols+w > width {
			break
		}
		cols += w
		cut = i + len(string(r))
		if r == '/' {
			slash = cut
		}
	}
	if slash > 0 {
		return slash
	}
	if cut == 0 { // one rune wider than width
		_, size := utf8.DecodeRuneInString(word)
		return size
	}
	return cut
}

// incompleteText is an Incomplete entry as the table shows it: its cluster
// in a fleet report, what was not observed and why, and the rules that
// affects.
func incompleteText(inc Incomplete) string {
	var b strings.Builder
	if inc.Cluster != "" {
		fmt.Fprintf(&b, "cluster %s: ", inc.Cluster)
	}
	if inc.Resource == IncompleteCluster && inc.Cluster != "" {
		b.WriteString("not scanned: " + inc.Reason)
	} else {
		b.WriteString(inc.Resource + ": " + inc.Reason)
	}
	if len(inc.Rules) > 0 {
		fmt.Fprintf(&b, " (rules: %s)", strings.Join(inc.Rules, ", "))
	}
	return b.String()
}

func summaryLine(s Summary) string {
	var parts []string
	for _, sev := range severities {
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
