package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/sascan/sascan/report"
	"github.com/sascan/sascan/rules"
	"github.com/sascan/sascan/scanner"
)

type clusterOptions struct {
	common        commonOptions
	cluster       scanner.ClusterOptions
	allNamespaces bool
	// allNamespacesSet: -A was given explicitly.
	allNamespacesSet bool
	requestTimeout   string
	// contexts are the --context values: one is a single-cluster scan,
	// several a fleet.
	contexts    []string
	allContexts bool
	parallel    int
	clusterName string
	global      *globalOptions
	streams     streams
}

// defaultParallelClusters: each cluster scan holds its objects in memory
// and evaluates on every CPU, so a fleet scan runs two at once.
const defaultParallelClusters = 2

func newClusterCommand(s streams, g *globalOptions) *cobra.Command {
	o := &clusterOptions{global: g, streams: s}
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Scan live clusters through kubeconfig or in-cluster configuration",
		Long: `Scan a live cluster with read-only list requests. Secret values are not read
unless --read-secret-data is given: Secrets are listed as metadata plus type.
A resource the credentials may not list is a warning and an "incomplete" entry in
the report naming the rules it affects; the scan goes on. An unreachable API
server or refused credentials exit 2 (of a single cluster; a fleet goes on).

Several --context flags, or --all-contexts, scan a fleet into one report,
--parallel-clusters at a time: every finding names its cluster (the context),
the summary has a row per cluster, and SARIF has one run per cluster with its
own category (automationDetails.id sascan/cluster/CONTEXT/). A cluster that
cannot be scanned (unreachable, refused credentials, a list that keeps failing)
is an "incomplete" entry naming it and the error, and the others are still
scanned; the exit code is 2 only when no cluster could be scanned, else 1 or 0
as for one cluster. In a fleet, a --baseline finding suppresses the same finding
in its own cluster only.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 the scan could not be done.`,
		Example: fmt.Sprintf(`  %[1]s cluster
  %[1]s cluster --context prod -n payments -n checkout
  %[1]s cluster -o sarif --output-file cluster.sarif
  %[1]s cluster -o table -o html=cluster.html
  %[1]s cluster --read-secret-data -o json
  %[1]s cluster --context prod-eu --context prod-us -o table -o sarif=fleet.sarif
  %[1]s cluster --all-contexts --parallel-clusters 4 -o json --output-file fleet.json
  %[1]s cluster --cluster-name prod-eu -o json   # in a CronJob, for sascan merge
  %[1]s cluster --audit-log /var/log/kubernetes/audit/   # verdicts from token use (SA035-SA040)`, programName()),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.allNamespacesSet = cmd.Flags().Changed("all-namespaces")
			return o.run(cmd.Context())
		},
	}
	o.common.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&o.cluster.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringArrayVar(&o.contexts, "context", nil, "kubeconfig context to scan (default: the current one; repeatable: several scan a fleet into one report)")
	f.BoolVar(&o.allContexts, "all-contexts", false, "scan every context of the kubeconfig into one report")
	f.IntVar(&o.parallel, "parallel-clusters", defaultParallelClusters, "clusters a fleet scan lists and evaluates at once (each holds its objects in memory)")
	f.StringVar(&o.clusterName, "cluster-name", "", "the name this cluster's findings carry (default: the context; \"in-cluster\" inside a pod), so that sascan merge tells clusters apart")
	f.StringArrayVarP(&o.cluster.Namespaces, "namespace", "n", nil, "scan only this namespace (repeatable)")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", true, "scan every namespace (the default)")
	f.StringSliceVar(&o.cluster.ExcludeNamespaces, "exclude-namespace", nil, "do not report objects of these namespaces")
	f.StringVar(&o.requestTimeout, "request-timeout", "30s", "timeout of each API request")
	f.Int64Var(&o.cluster.ChunkSize, "chunk-size", 500, "list page size")
	f.Float32Var(&o.cluster.QPS, "qps", 20, "API requests per second (per cluster)")
	f.IntVar(&o.cluster.Burst, "burst", 40, "API request burst (per cluster)")
	f.BoolVar(&o.cluster.ReadSecretData, "read-secret-data", false, "read Secret values (needs list secrets) for SA002 and SA003 on live objects")
	return cmd
}

// rulesReading names the enabled rules that read objects of the listed
// resource (a plural name, as in scanner.Resources), from what each rule
// reads (rules.Engine.KindsRead).
func rulesReading(reads map[string][]string, resource string) []string {
	kind := ""
	for _, r := range scanner.Resources {
		if r.GVR.Resource == resource {
			kind = r.Kind
		}
	}
	var ids []string
	for id, kinds := range reads {
		if slices.Contains(kinds, kind) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// fleet reports whether the flags ask for several clusters in one report.
func (o *clusterOptions) fleet() bool {
	return o.allContexts || len(o.contexts) > 1
}

func (o *clusterOptions) run(ctx context.Context) error {
	tuneGC()
	if o.allNamespacesSet && len(o.cluster.Namespaces) > 0 {
		return fmt.Errorf("--all-namespaces and --namespace exclude each other")
	}
	if !o.allNamespaces && len(o.cluster.Namespaces) == 0 {
		return fmt.Errorf("--all-namespaces=false needs --namespace")
	}
	if o.allContexts && len(o.contexts) > 0 {
		return fmt.Errorf("--all-contexts and --context exclude each other")
	}
	if o.fleet() && o.clusterName != "" {
		return fmt.Errorf("--cluster-name names one cluster; the clusters of a fleet scan are named by their contexts")
	}
	if o.fleet() && len(o.common.auditLogs) > 0 {
		return fmt.Errorf("--audit-log is one cluster's: scan the clusters of a fleet one at a time with their own logs")
	}
	if o.parallel < 1 {
		return fmt.Errorf("--parallel-clusters must be at least 1")
	}
	if o.requestTimeout != "" {
		d, err := time.ParseDuration(o.requestTimeout)
		if err != nil {
			return fmt.Errorf("--request-timeout: %w", err)
		}
		o.cluster.RequestTimeout = d
	}
	if !o.global.quiet && isTerminal(o.streams.Err) {
		o.cluster.Progress = o.streams.Err
	}
	if o.fleet() {
		return o.runFleet(ctx)
	}
	if len(o.contexts) == 1 {
		o.cluster.Context = o.contexts[0]
	}
	cfg, contextName, err := scanner.RestConfig(o.cluster)
	if err != nil {
		return err
	}
	name := cmp.Or(o.clusterName, contextName)
	// The lists start at once: loading and compiling the rules needs no
	// cluster data, so it runs while the API server answers. A bad flag or
	// policy stops the lists.
	listCtx, stopListing := context.WithCancel(ctx)
	defer stopListing()
	type listed struct {
		res *scanner.ClusterResult
		err error
	}
	lists := make(chan listed, 1)
	start := time.Now()
	go func() {
		res, err := scanner.LoadCluster(listCtx, cfg, contextName, o.cluster)
		lists <- listed{res, err}
	}()
	st, err := o.common.resolve(ctx, rules.ModeCluster, o.global, o.streams.Err)
	if err != nil {
		return err
	}
	if o.cluster.ReadSecretData {
		st.log.Warn("--read-secret-data: sascan reads Secret values; they never appear in its output")
	}
	if err := o.common.readAudit(ctx, st, o.streams.In); err != nil {
		return err
	}
	l := <-lists
	if l.err != nil {
		return l.err
	}
	st.log.Debug("listed cluster objects", "context", contextName, "objects", len(l.res.Objects), "took", time.Since(start).Round(time.Millisecond))
	cs, err := o.evaluate(ctx, st, st.log, name, l.res, st.baseline.All())
	if err != nil {
		return err
	}
	r := &report.Report{
		Tool:       report.Tool{Name: "sascan", Version: buildStamp().Version},
		Source:     report.Source{Mode: rules.ModeCluster, Context: contextName},
		Objects:    cs.objects,
		Findings:   cs.findings,
		Incomplete: cs.incomplete,
		Rules:      st.rules,
		Audit:      st.audit,
	}
	if name != contextName {
		r.Source.Cluster = name
	}
	if err := o.common.write(r, st, o.global, o.streams.Out); err != nil {
		return err
	}
	if rules.FailsAt(r.Findings, st.failOn) {
		return errFindings
	}
	return nil
}

// scannedCluster is what the scan of one cluster gives.
type scannedCluster struct {
	objects    int
	findings   []rules.Finding // suppressed and filtered
	incomplete []report.Incomplete
}

// evaluate runs the rules over one cluster's lists. name is the cluster's
// name in the findings; baseline the fingerprints that apply to it.
func (o *clusterOptions) evaluate(ctx context.Context, st *settings, log *slog.Logger, name string, res *scanner.ClusterResult, baseline map[string]bool) (*scannedCluster, error) {
	params := st.params
	if kv, err := rules.ParseKubeVersion(res.Version); err == nil && o.common.kubeVersion == "" {
		params.KubeVersion = kv
	}
	params.Namespaces, params.ExcludeNamespaces = o.cluster.Namespaces, o.cluster.ExcludeNamespaces
	params.Unlisted = nil
	for _, inc := range res.Incomplete {
		// "secrets" failed cluster-wide, "secrets in ci" in one namespace.
		ns := "*"
		if _, in, ok := strings.Cut(inc.Resource, " in "); ok {
			ns = in
		}
		params.Unlisted = append(params.Unlisted, ns)
	}
	inv := scanner.Build(res.Objects, scanner.BuildOptions{Mode: scanner.ModeCluster})
	res.Objects = nil // the inventory holds them (see scan.go)
	engine, err := st.engine.wait(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	findings, err := engine.Evaluate(ctx, inv, params, rules.EvalOptions{Cluster: name, ReleaseRaw: true})
	if err != nil {
		return nil, err
	}
	log.Debug("evaluated rules", "rules", len(st.rules), "findings", len(findings), "took", time.Since(start).Round(time.Millisecond))
	cs := &scannedCluster{objects: observedObjects(inv), findings: st.suppressAndFilter(findings, inv, baseline)}
	if !o.cluster.ReadSecretData {
		cs.incomplete = append(cs.incomplete, report.Incomplete{Resource: "secret values", Reason: "not read (pass --read-secret-data)", Rules: []string{"SA002", "SA003"}})
	}
	var reads map[string][]string
	if len(res.Incomplete) > 0 {
		reads = engine.KindsRead() // walks every rule's dependencies: only when a list failed
	}
	for _, inc := range res.Incomplete {
		resource, _, _ := strings.Cut(inc.Resource, " ")
		log.Warn("cannot list", "resource", inc.Resource, "reason", inc.Reason)
		cs.incomplete = append(cs.incomplete, report.Incomplete{Resource: inc.Resource, Reason: inc.Reason, Rules: rulesReading(reads, resource)})
	}
	return cs, nil
}

// runFleet scans several contexts into one report, o.parallel at a time. A
// cluster that cannot be listed is an incomplete entry and the others go
// on; an error of the rules themselves, or the end of ctx, stops them all.
func (o *clusterOptions) runFleet(ctx context.Context) error {
	names := slices.Clone(o.contexts)
	if o.allContexts {
		var err error
		if names, err = scanner.Contexts(o.cluster.Kubeconfig); err != nil {
			return err
		}
		if len(names) == 0 {
			return fmt.Errorf("--all-contexts: the kubeconfig has no context")
		}
	}
	sort.Strings(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return fmt.Errorf("--context %s is given twice", names[i])
		}
	}
	st, err := o.common.resolve(ctx, rules.ModeCluster, o.global, o.streams.Err)
	if err != nil {
		return err
	}
	for _, out := range st.outputs {
		if out.format == report.FormatSARIF && len(names) > report.GitHubMaxRuns {
			return fmt.Errorf("--output sarif: %d contexts: %w; scan at most %d at a time (or write -o json per group and sascan merge them)", len(names), report.ErrTooManyRuns, report.GitHubMaxRuns)
		}
	}
	if o.cluster.ReadSecretData {
		st.log.Warn("--read-secret-data: sascan reads Secret values; they never appear in its output")
	}
	scans := make([]*scannedCluster, len(names))
	failed := make([]error, len(names))
	var progress sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.parallel)
	for i, name := range names {
		g.Go(func() error {
			log := st.log.With("cluster", name)
			copts := o.cluster
			copts.Context = name
			if copts.Progress != nil {
				copts.Progress = &prefixWriter{mu: &progress, w: copts.Progress, prefix: name + ": "}
			}
			start := time.Now()
			res, err := listCluster(gctx, copts)
			if err != nil {
				if ctx.Err() != nil || gctx.Err() != nil {
					return err
				}
				failed[i] = err
				return nil
			}
			log.Debug("listed cluster objects", "objects", len(res.Objects), "took", time.Since(start).Round(time.Millisecond))
			scans[i], err = o.evaluate(gctx, st, log, name, res, st.baseline.Cluster(name))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r := &report.Report{
		Tool:   report.Tool{Name: "sascan", Version: buildStamp().Version},
		Source: report.Source{Mode: rules.ModeCluster, Clusters: names},
		Rules:  st.rules,
	}
	var causes []string
	for i, name := range names {
		if failed[i] != nil {
			causes = append(causes, fmt.Sprintf("%s: %v", name, failed[i]))
		}
	}
	if len(causes) == len(names) {
		return fmt.Errorf("no cluster could be scanned (%s)", strings.Join(causes, "; "))
	}
	for i, name := range names {
		cs := scans[i]
		if cs == nil {
			st.log.Warn("cannot scan the cluster; the others were scanned", "cluster", name, "error", failed[i])
			r.Clusters = append(r.Clusters, report.Cluster{Name: name})
			r.Incomplete = append(r.Incomplete, report.Incomplete{Cluster: name, Resource: report.IncompleteCluster, Reason: failed[i].Error()})
			continue
		}
		r.Clusters = append(r.Clusters, report.Cluster{Name: name, Scanned: true, Objects: cs.objects})
		r.Findings = append(r.Findings, cs.findings...)
		for _, inc := range cs.incomplete {
			inc.Cluster = name
			r.Incomplete = append(r.Incomplete, inc)
		}
	}
	rules.SortFindings(r.Findings)
	if err := o.common.write(r, st, o.global, o.streams.Out); err != nil {
		return err
	}
	if rules.FailsAt(r.Findings, st.failOn) {
		return errFindings
	}
	return nil
}

// listCluster lists one context's cluster.
func listCluster(ctx context.Context, copts scanner.ClusterOptions) (*scanner.ClusterResult, error) {
	cfg, contextName, err := scanner.RestConfig(copts)
	if err != nil {
		return nil, err
	}
	return scanner.LoadCluster(ctx, cfg, contextName, copts)
}

// prefixWriter writes each progress line of one cluster of a fleet with
// the cluster's name before it; the clusters share mu.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, p.prefix+string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}
