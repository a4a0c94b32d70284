package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Subject is who a binding names.
type Subject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// BindingRef is a binding and what it grants.
type BindingRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Scope     string `json:"scope"`
	Location  string `json:"location,omitempty"`
}

// TokenHolder is a workload that holds a ServiceAccount's token.
type TokenHolder struct {
	Kind           string   `json:"kind"`
	Namespace      string   `json:"namespace"`
	Name           string   `json:"name"`
	ServiceAccount string   `json:"serviceAccount"`
	Ways           []string `json:"ways"`
}

// WhoCan answers `sascan access who-can`.
type WhoCan struct {
	Question string        `json:"question"`
	Grants   []WhoCanGrant `json:"grants"`
}

// WhoCanGrant is one subject of one binding that allows the request, and
// the workloads whose tokens carry it.
type WhoCanGrant struct {
	Subject           Subject       `json:"subject"`
	Binding           BindingRef    `json:"binding"`
	TokenHolders      []TokenHolder `json:"tokenHolders"`
	TokenHoldersTotal int           `json:"tokenHoldersTotal"`
}

// ServiceAccountAccess answers `sascan access sa`.
type ServiceAccountAccess struct {
	ServiceAccount string        `json:"serviceAccount"`
	InScan         bool          `json:"inScan"`
	PrivilegeTier  string        `json:"privilegeTier"`
	Grants         []SAGrant     `json:"grants"`
	TokenHolders   []TokenHolder `json:"tokenHolders"`
	// Usage is what the account did in the --audit-log window; nil
	// without audit logs.
	Usage *SAUsage `json:"usage,omitempty"`
}

// SAUsage is a ServiceAccount's requests in the audit logs' window, and
// the roles that allow exactly those the baseline does not.
type SAUsage struct {
	First    string `json:"first"`
	Last     string `json:"last"`
	Requests int64  `json:"requests"`
	Denied   int64  `json:"denied"`
	// Used lists the distinct allowed requests ("list pods in ci: 4").
	Used []string `json:"used"`
	// LeastPrivilegeYAML holds the generated Roles and ClusterRole with
	// their bindings to the account, ready for kubectl apply; "" when the
	// baseline allows everything the account did.
	LeastPrivilegeYAML string `json:"leastPrivilegeYAML"`
}

// SAGrant is one binding that applies to the ServiceAccount.
type SAGrant struct {
	Binding       BindingRef `json:"binding"`
	Via           string     `json:"via"` // "direct" or the group
	PrivilegeTier string     `json:"privilegeTier"`
	Capabilities  []string   `json:"capabilities"`
	Rules         []string   `json:"rules"`
	// UsedRules are the rules (indexes into Rules) that allowed some of the
	// account's requests in the --audit-log window; nil without audit logs.
	UsedRules []int `json:"usedRules,omitempty"`
}

// RenderAccess writes an answer as a table, JSON or an HTML page.
func RenderAccess(w io.Writer, format Format, answer any) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(answer)
	case FormatHTML:
		return accessHTML(w, answer)
	case FormatTable:
		switch a := answer.(type) {
		case *WhoCan:
			return whoCanTable(w, a)
		case *ServiceAccountAccess:
			return saTable(w, a)
		}
	}
	return fmt.Errorf("access answers render as table, json or html, not %s", format)
}

func newTable(w io.Writer, wrapColumn int) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowConfig(tw.CellConfig{
			Formatting:   tw.CellFormatting{AutoWrap: tw.WrapNormal},
			Padding:      tw.CellPadding{Global: tw.PaddingDefault},
			ColMaxWidths: tw.CellWidth{PerColumn: tw.NewMapper[int, int]().Set(wrapColumn, 60)},
		}),
	)
}

func subjectText(s Subject) string {
	if s.Namespace != "" {
		return s.Kind + " " + s.Namespace + "/" + s.Name
	}
	return s.Kind + " " + s.Name
}

func bindingText(b BindingRef) string {
	if b.Namespace != "" {
		return b.Kind + " " + b.Namespace + "/" + b.Name
	}
	return b.Kind + " " + b.Name
}

func holdersText(hs []TokenHolder, total int) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, fmt.Sprintf("%s %s/%s (%s)", h.Kind, h.Namespace, h.Name, strings.Join(h.Ways, ", ")))
	}
	if total > len(hs) {
		parts = append(parts, fmt.Sprintf("and %d more", total-len(hs)))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "\n")
}

func whoCanTable(w io.Writer, a *WhoCan) error {
	if len(a.Grants) == 0 {
		_, err := fmt.Fprintf(w, "no subject can %s\n", a.Question)
		return err
	}
	t := newTable(w, 4)
	t.Header("SUBJECT", "BINDING", "ROLE", "SCOPE", "TOKEN HOLDERS")
	for _, g := range a.Grants {
		if err := t.Append(subjectText(g.Subject), bindingText(g.Binding), g.Binding.Role, g.Binding.Scope, holdersText(g.TokenHolders, g.TokenHoldersTotal)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d grant(s) allow %s\n", len(a.Grants), a.Question)
	return err
}

func saTable(w io.Writer, a *ServiceAccountAccess) error {
	state := "in the scan"
	if !a.InScan {
		state = "not in the scan"
	}
	if _, err := fmt.Fprintf(w, "ServiceAccount %s (%s): privilege tier %s\n", a.ServiceAccount, state, a.PrivilegeTier); err != nil {
		return err
	}
	if len(a.Grants) > 0 {
		t := newTable(w, 4)
		header := []any{"TIER", "BINDING", "VIA", "SCOPE", "CAPABILITIES", "RULES"}
		if a.Usage != nil {
			header = append(header, "USED")
		}
		t.Header(header...)
		for _, g := range a.Grants {
			caps := strings.Join(g.Capabilities, ", ")
			if caps == "" {
				caps = "-"
			}
			row := []any{g.PrivilegeTier, bindingText(g.Binding) + "\n" + g.Binding.Role, g.Via, g.Binding.Scope, caps, fmt.Sprint(len(g.Rules))}
			if a.Usage != nil {
				row = append(row, fmt.Sprintf("%d of %d rules", len(g.UsedRules), len(g.Rules)))
			}
			if err := t.Append(row...); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	} else if _, err := fmt.Fprintln(w, "no binding applies to it"); err != nil {
		return err
	}
	if len(a.Grants) > 0 {
		if _, err := fmt.Fprintln(w, "(the rules of each grant: -o json)"); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "workloads holding its token: %s\n", strings.ReplaceAll(holdersText(a.TokenHolders, len(a.TokenHolders)), "\n", "; ")); err != nil {
		return err
	}
	if u := a.Usage; u != nil {
		text := fmt.Sprintf("audit window %s to %s: %d requests (%d denied)\n", u.First, u.Last, u.Requests, u.Denied)
		for _, r := range u.Used {
			text += "  used: " + r + "\n"
		}
		if u.LeastPrivilegeYAML != "" {
			text += "least-privilege roles for what it used (kubectl apply -f):\n" + u.LeastPrivilegeYAML
		} else {
			text += "it used nothing beyond the discovery baseline: it needs no role\n"
		}
		if _, err := io.WriteString(w, text); err != nil {
			return err
		}
	}
	return nil
}
