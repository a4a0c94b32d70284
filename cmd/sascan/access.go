package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/report"
	"github.com/sascan/sascan/rules"
	"github.com/sascan/sascan/scanner"
)

// accessOptions are the flags of `sascan access` and its subcommands: the
// same sources as scan (paths, -k) and cluster (--cluster with kubeconfig
// flags).
type accessOptions struct {
	outputs          []string
	live             bool
	cluster          scanner.ClusterOptions
	kustomize        []string
	defaultNamespace string
	kubeVersion      string
	maxFileSize      int64
	auditLogs        []string
	global           *globalOptions
	streams          streams
}

func (o *accessOptions) bind(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringArrayVarP(&o.outputs, "output", "o", []string{"table"}, "answer format: table, json or html, optionally =FILE (repeatable: -o table -o html=answer.html)")
	f.BoolVar(&o.live, "cluster", false, "answer for a live cluster (kubeconfig or in-cluster) instead of manifests")
	f.StringVar(&o.cluster.Kubeconfig, "kubeconfig", "", "with --cluster: path to the kubeconfig file")
	f.StringVar(&o.cluster.Context, "context", "", "with --cluster: kubeconfig context to use")
	f.StringArrayVarP(&o.kustomize, "kustomize", "k", nil, "build the kustomization in DIR and read its output (repeatable)")
	f.StringVar(&o.defaultNamespace, "default-namespace", "default", "namespace for namespaced manifests without one")
	f.StringVar(&o.kubeVersion, "kube-version", "", "target Kubernetes version for version-gated capabilities, e.g. 1.34")
	f.Int64Var(&o.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "largest manifest file read, in bytes")
}

func newAccessCommand(s streams, g *globalOptions) *cobra.Command {
	o := &accessOptions{global: g, streams: s, cluster: scanner.ClusterOptions{QPS: 20, Burst: 40, ChunkSize: 500, RequestTimeout: 30 * time.Second}}
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Answer who can do what, from manifests or a live cluster",
		Long: `Answer RBAC questions with the access model the rules use: who-can lists the
subjects a request is allowed to, the bindings that allow it and the workloads whose
tokens carry it; sa shows one ServiceAccount's permissions by privilege tier, the
bindings that grant each, and the workloads that hold its token and how.

Answers follow the API server's RBAC authorizer (checked against SubjectAccessReview
in the project's tests). -o html=FILE writes the answer as a self-contained page.
Exit codes: 0 an answer, 2 bad input.`,
		Example: fmt.Sprintf(`  %[1]s access who-can get secrets -n kube-system deploy/
  %[1]s access who-can create pods/exec -n shop --cluster
  %[1]s access who-can patch deployments.apps -n web -o json manifests/
  %[1]s access sa shop/default deploy/
  %[1]s access sa shop/default -o table -o html=shop-default.html deploy/`, programName()),
	}
	o.bind(cmd)
	cmd.AddCommand(newWhoCanCommand(o), newAccessSACommand(o))
	return cmd
}

func newWhoCanCommand(o *accessOptions) *cobra.Command {
	var namespace, subresource, name string
	cmd := &cobra.Command{
		Use:   "who-can VERB RESOURCE|URL [PATH|-]...",
		Short: "List the subjects, bindings and token-holding workloads that can make a request",
		Example: fmt.Sprintf(`  %[1]s access who-can get secrets -n kube-system deploy/
  %[1]s access who-can create pods --subresource exec -n shop --cluster
  %[1]s access who-can get /metrics --cluster`, programName()),
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a := parseRequest(args[0], args[1], subresource, name, namespace)
			return o.run(cmd.Context(), args[2:], func(inv *scanner.Inventory, m *access.Model, concl *rules.Access) any {
				return whoCan(inv, m, concl, a)
			})
		},
	}
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "the request's namespace (empty: cluster-wide)")
	cmd.Flags().StringVar(&subresource, "subresource", "", "the request's subresource (or write RESOURCE/SUBRESOURCE)")
	cmd.Flags().StringVar(&name, "name", "", "the object's name (for rules narrowed by resourceNames)")
	return cmd
}

func newAccessSACommand(o *accessOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sa NAMESPACE/NAME [PATH|-]...",
		Short: "Show a ServiceAccount's effective permissions, by tier, and who holds its token",
		Long: `Show a ServiceAccount's effective permissions by privilege tier, the bindings
that grant each, and the workloads that hold its token. With --audit-log, also
what it did in the log's window: the requests it made, which rules of each
grant allowed them, and least-privilege Roles (a ClusterRole for cluster-wide
requests) with their bindings, as YAML to apply, that allow exactly those
requests beyond the discovery baseline.`,
		Example: fmt.Sprintf("  %[1]s access sa shop/default deploy/\n  %[1]s access sa kube-system/replicaset-controller --cluster\n  %[1]s access sa ci/deployer --cluster --audit-log /var/log/kubernetes/audit.log", programName()),
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ns, name, ok := strings.Cut(args[0], "/")
			if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
				return fmt.Errorf("ServiceAccount %q: want NAMESPACE/NAME", args[0])
			}
			return o.run(cmd.Context(), args[1:], func(inv *scanner.Inventory, m *access.Model, concl *rules.Access) any {
				return serviceAccountAccess(inv, m, concl, ns, name)
			})
		},
	}
	cmd.Flags().StringArrayVar(&o.auditLogs, "audit-log", nil, "kube-apiserver audit log (plain or gzip, a folder, - for stdin): show what the account used and least-privilege roles (repeatable)")
	return cmd
}

// parseRequest reads VERB and RESOURCE as kubectl auth can-i does:
// "pods", "pods/exec", "deployments.apps", "deployments.apps/scale", or a
// non-resource URL starting with "/". A built-in resource named without
// its group gets it from client-go's scheme ("deployments" is apps), as
// kubectl finds it through discovery.
func parseRequest(verb, resource, subresource, name, namespace string) access.Attributes {
	if strings.HasPrefix(resource, "/") {
		return access.Attributes{Verb: verb, Path: resource}
	}
	res, sub, _ := strings.Cut(resource, "/")
	if subresource != "" {
		sub = subresource
	}
	res, group, qualified := strings.Cut(res, ".")
	if !qualified {
		group = builtinGroup(res)
	}
	return access.Attributes{Verb: verb, Group: group, Resource: res, Subresource: sub, Name: name, Namespace: namespace}
}

// builtinGroup is the API group of a built-in resource: the core group
// when it has the resource, else the first group (by name) that does;
// "" for a resource the scheme does not know.
func builtinGroup(resource string) string {
	var groups []string
	for gvk := range scheme.Scheme.AllKnownTypes() {
		plural, _ := meta.UnsafeGuessKindToResource(gvk)
		if plural.Resource == resource {
			if gvk.Group == "" {
				return ""
			}
			groups = append(groups, gvk.Group)
		}
	}
	if len(groups) == 0 {
		return ""
	}
	slices.Sort(groups)
	return groups[0]
}

func requestText(a access.Attributes) string {
	if !a.ResourceRequest() {
		return a.Verb + " " + a.Path
	}
	s := a.Verb + " " + a.Resource
	if a.Group != "" {
		s += "." + a.Group
	}
	if a.Subresource != "" {
		s += "/" + a.Subresource
	}
	if a.Name != "" {
		s += " " + a.Name
	}
	if a.Namespace != "" {
		return s + " in namespace " + a.Namespace
	}
	return s + " cluster-wide"
}

func (o *accessOptions) run(ctx context.Context, paths []string, answer func(*scanner.Inventory, *access.Model, *rules.Access) any) error {
	outs, err := parseOutputs(o.outputs, "")
	if err != nil {
		return err
	}
	for i, out := range outs {
		if out.format != report.FormatTable && out.format != report.FormatJSON && out.format != report.FormatHTML {
			return fmt.Errorf("--output: %q: want table, json or html", o.outputs[i])
		}
	}
	params := rules.Params{Now: time.Now().UTC(), DefaultNamespace: o.defaultNamespace}
	if o.kubeVersion != "" {
		if params.KubeVersion, err = rules.ParseKubeVersion(o.kubeVersion); err != nil {
			return fmt.Errorf("--kube-version: %w", err)
		}
	}
	var inv *scanner.Inventory
	if o.live {
		if len(paths) > 0 || len(o.kustomize) > 0 {
			return fmt.Errorf("--cluster reads a live cluster: give no paths")
		}
		cfg, contextName, err := scanner.RestConfig(o.cluster)
		if err != nil {
			return err
		}
		res, err := scanner.LoadCluster(ctx, cfg, contextName, o.cluster)
		if err != nil {
			return err
		}
		for _, inc := range res.Incomplete {
			fmt.Fprintf(o.streams.Err, "%s: warning: %s not listed (%s): the answer may miss grants\n", programName(), inc.Resource, inc.Reason)
		}
		if kv, err := rules.ParseKubeVersion(res.Version); err == nil && o.kubeVersion == "" {
			params.KubeVersion = kv
		}
		inv = scanner.Build(res.Objects, scanner.BuildOptions{Mode: scanner.ModeCluster})
	} else {
		if len(paths) == 0 && len(o.kustomize) == 0 {
			return fmt.Errorf("give manifests (paths, - for stdin, -k DIR) or --cluster")
		}
		m, err := loadManifests(ctx, paths, o.kustomize, scanner.LoadOptions{Stdin: o.streams.In, MaxFileSize: o.maxFileSize})
		if err != nil {
			return err
		}
		if len(m.Errors) > 0 {
			for _, e := range m.Errors {
				fmt.Fprintf(o.streams.Err, "%s: error: %v\n", programName(), e)
			}
			return scanIncomplete{len(m.Errors)}
		}
		inv = scanner.Build(m.Objects, scanner.BuildOptions{Mode: scanner.ModeManifest, DefaultNamespace: o.defaultNamespace, Builtins: true, KubeMinor: params.KubeVersion.Minor})
	}
	if len(o.auditLogs) > 0 {
		if slices.Contains(o.auditLogs, "-") && slices.Contains(paths, "-") {
			return fmt.Errorf("--audit-log - and the path - both read stdin: give one of them a file")
		}
		log, err := o.global.logger(o.streams.Err)
		if err != nil {
			return err
		}
		if params.Audit, err = readLedger(ctx, o.auditLogs, o.streams.In, log); err != nil {
			return err
		}
	}
	cat, err := rules.Load(rules.LoadOptions{})
	if err != nil {
		return err
	}
	model := rules.NewModel(inv, params)
	input, err := rules.InputValue(inv, model, params, rules.InputOptions{Projection: cat.Projection()})
	if err != nil {
		return err
	}
	concl, err := rules.EvaluateAccess(ctx, cat, input)
	if err != nil {
		return err
	}
	a := answer(inv, model, concl)
	if sa, ok := a.(*report.ServiceAccountAccess); ok && params.Audit != nil {
		if err := addUsage(sa, model, params.Audit); err != nil {
			return err
		}
	}
	for _, out := range outs {
		if out.file == "" {
			if err := report.RenderAccess(o.streams.Out, out.format, a); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(out.file, func(w io.Writer) error { return report.RenderAccess(w, out.format, a) }); err != nil {
			return fmt.Errorf("write %s answer to %s: %w", out.format, out.file, err)
		}
	}
	return nil
}

// holderLimit is how many token holders an answer names per subject.
const holderLimit = 5

func whoCan(inv *scanner.Inventory, m *access.Model, concl *rules.Access, a access.Attributes) *report.WhoCan {
	out := &report.WhoCan{Question: requestText(a), Grants: []report.WhoCanGrant{}}
	for _, g := range m.WhoCan(a) {
		s := g.Binding.Subjects[g.Subject]
		holders := subjectHolders(inv, m, concl, s)
		out.Grants = append(out.Grants, report.WhoCanGrant{
			Subject:           subjectOf(s),
			Binding:           bindingRef(inv, g.Binding),
			TokenHolders:      holders[:min(len(holders), holderLimit)],
			TokenHoldersTotal: len(holders),
		})
	}
	return out
}

// subjectHolders lists the workloads holding the token of a ServiceAccount
// the subject names or includes (a ServiceAccount group), in order.
func subjectHolders(inv *scanner.Inventory, m *access.Model, concl *rules.Access, s access.Subject) []report.TokenHolder {
	var keys []string
	switch {
	case s.ServiceAccount != "":
		keys = []string{s.ServiceAccount}
	case s.Group != "" && access.IsServiceAccountGroup(s.Group):
		ns, scoped := strings.CutPrefix(s.Group, "system:serviceaccounts:")
		for k := range concl.Holders {
			if !scoped || strings.HasPrefix(k, ns+"/") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
	}
	var out []report.TokenHolder
	for _, k := range keys {
		for _, h := range concl.Holders[k] {
			o := inv.Objects[h.Object]
			out = append(out, report.TokenHolder{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, ServiceAccount: k, Ways: h.Ways})
		}
	}
	return out
}

func subjectOf(s access.Subject) report.Subject {
	if s.ServiceAccount != "" && s.Kind == "ServiceAccount" {
		ns, name, _ := strings.Cut(s.ServiceAccount, "/")
		return report.Subject{Kind: s.Kind, Namespace: ns, Name: name}
	}
	return report.Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}
}

func bindingRef(inv *scanner.Inventory, b *access.Binding) report.BindingRef {
	ref := report.BindingRef{Kind: b.Kind, Namespace: b.Namespace, Name: b.Name, Role: b.RoleKind + "/" + b.RoleName, Scope: b.Scope}
	if b.Role == nil {
		ref.Role += " (not found)"
	}
	if src := inv.Objects[b.Object].Source; src != nil {
		ref.Location = fmt.Sprintf("%s:%d", src.File, src.Line)
	}
	return ref
}

func serviceAccountAccess(inv *scanner.Inventory, m *access.Model, concl *rules.Access, ns, name string) *report.ServiceAccountAccess {
	key := ns + "/" + name
	out := &report.ServiceAccountAccess{ServiceAccount: key, Grants: []report.SAGrant{}, TokenHolders: []report.TokenHolder{}}
	out.InScan = slices.Contains(m.ServiceAccounts, key)
	for _, g := range m.GrantsTo(access.ServiceAccount(ns, name)) {
		s := g.Binding.Subjects[g.Subject]
		via := "direct"
		if s.Group != "" {
			via = s.Group
		}
		var caps []string
		for _, c := range concl.Capabilities[g.Binding.Object] {
			caps = append(caps, fmt.Sprintf("%s %s", c.ID, concl.TierName(c.Tier)))
		}
		sort.Strings(caps)
		caps = slices.Compact(caps)
		var rs []string
		if g.Binding.Role != nil {
			for _, r := range g.Binding.Role.Rules {
				rs = append(rs, ruleText(r))
			}
		}
		tier, ok := concl.BindingTiers[g.Binding.Object]
		if !ok {
			tier = 3
		}
		out.Grants = append(out.Grants, report.SAGrant{Binding: bindingRef(inv, g.Binding), Via: via, PrivilegeTier: concl.TierName(tier), Capabilities: caps, Rules: rs})
	}
	sort.SliceStable(out.Grants, func(i, j int) bool { return out.Grants[i].PrivilegeTier < out.Grants[j].PrivilegeTier })
	top, ok := concl.AccountTiers[key]
	if !ok {
		top = 3
	}
	out.PrivilegeTier = concl.TierName(top)
	out.TokenHolders = append(out.TokenHolders, subjectHolders(inv, m, concl, access.Subject{ServiceAccount: key})...)
	return out
}

func ruleText(r access.Rule) string {
	if len(r.NonResourceURLs) > 0 {
		return fmt.Sprintf("%s %s", strings.Join(r.Verbs, ","), strings.Join(r.NonResourceURLs, ","))
	}
	groups := make([]string, len(r.APIGroups))
	for i, g := range r.APIGroups {
		if g == "" {
			g = `""`
		}
		groups[i] = g
	}
	s := fmt.Sprintf("%s %s [%s]", strings.Join(r.Verbs, ","), strings.Join(r.Resources, ","), strings.Join(groups, ","))
	if len(r.ResourceNames) > 0 {
		s += " names " + strings.Join(r.ResourceNames, ",")
	}
	return s
}
