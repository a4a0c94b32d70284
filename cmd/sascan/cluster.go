package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
	global           *globalOptions
	streams          streams
}

func newClusterCommand(s streams, g *globalOptions) *cobra.Command {
	o := &clusterOptions{global: g, streams: s}
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Scan a live cluster through kubeconfig or in-cluster configuration",
		Long: `Scan a live cluster with read-only list requests. Secret values are not read
unless --read-secret-data is given: Secrets are listed as metadata plus type.
A resource the credentials may not list is a warning and an "incomplete" entry in
the report naming the rules it affects; the scan goes on. An unreachable API
server or refused credentials exit 2.`,
		Example: fmt.Sprintf(`  %[1]s cluster
  %[1]s cluster --context prod -n payments -n checkout
  %[1]s cluster -o sarif --output-file cluster.sarif
  %[1]s cluster -o table -o html=cluster.html
  %[1]s cluster --read-secret-data -o json`, programName()),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.allNamespacesSet = cmd.Flags().Changed("all-namespaces")
			return o.run(cmd.Context())
		},
	}
	o.common.bind(cmd)
	f := cmd.Flags()
	f.StringVar(&o.cluster.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringVar(&o.cluster.Context, "context", "", "kubeconfig context to use")
	f.StringArrayVarP(&o.cluster.Namespaces, "namespace", "n", nil, "scan only this namespace (repeatable)")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", true, "scan every namespace (the default)")
	f.StringSliceVar(&o.cluster.ExcludeNamespaces, "exclude-namespace", nil, "do not report objects of these namespaces")
	f.StringVar(&o.requestTimeout, "request-timeout", "30s", "timeout of each API request")
	f.Int64Var(&o.cluster.ChunkSize, "chunk-size", 500, "list page size")
	f.Float32Var(&o.cluster.QPS, "qps", 20, "API requests per second")
	f.IntVar(&o.cluster.Burst, "burst", 40, "API request burst")
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

func (o *clusterOptions) run(ctx context.Context) error {
	tuneGC()
	if o.allNamespacesSet && len(o.cluster.Namespaces) > 0 {
		return fmt.Errorf("--all-namespaces and --namespace exclude each other")
	}
	if !o.allNamespaces && len(o.cluster.Namespaces) == 0 {
		return fmt.Errorf("--all-namespaces=false needs --namespace")
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
	cfg, contextName, err := scanner.RestConfig(o.cluster)
	if err != nil {
		return err
	}
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
	o.cluster.Prepare = rules.PrepareObject
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
	l := <-lists
	if l.err != nil {
		return l.err
	}
	res := l.res
	st.log.Debug("listed cluster objects", "context", contextName, "objects", len(res.Objects), "took", time.Since(start).Round(time.Millisecond))
	if kv, err := rules.ParseKubeVersion(res.Version); err == nil && o.common.kubeVersion == "" {
		st.params.KubeVersion = kv
	}
	st.params.Namespaces, st.params.ExcludeNamespaces = o.cluster.Namespaces, o.cluster.ExcludeNamespaces
	for _, inc := range res.Incomplete {
		// "secrets" failed cluster-wide, "secrets in ci" in one namespace.
		ns := "*"
		if _, in, ok := strings.Cut(inc.Resource, " in "); ok {
			ns = in
		}
		st.params.Unlisted = append(st.params.Unlisted, ns)
	}
	inv := scanner.Build(res.Objects, scanner.BuildOptions{Mode: scanner.ModeCluster})
	res.Objects = nil // the inventory holds them (see scan.go)
	engine, err := st.engine.wait(ctx)
	if err != nil {
		return err
	}
	start = time.Now()
	findings, err := engine.Evaluate(ctx, inv, st.params, rules.EvalOptions{Cluster: contextName, ReleaseRaw: true})
	if err != nil {
		return err
	}
	st.log.Debug("evaluated rules", "rules", len(st.rules), "findings", len(findings), "took", time.Since(start).Round(time.Millisecond))
	findings = st.suppressAndFilter(findings, inv)
	r := &report.Report{
		Tool:     report.Tool{Name: "sascan", Version: buildStamp().Version},
		Source:   report.Source{Mode: rules.ModeCluster, Context: contextName},
		Objects:  observedObjects(inv),
		Findings: findings,
		Rules:    st.rules,
	}
	if !o.cluster.ReadSecretData {
		r.Incomplete = append(r.Incomplete, report.Incomplete{Resource: "secret values", Reason: "not read (pass --read-secret-data)", Rules: []string{"SA002", "SA003"}})
	}
	reads := engine.KindsRead()
	for _, inc := range res.Incomplete {
		resource, _, _ := strings.Cut(inc.Resource, " ")
		st.log.Warn("cannot list", "resource", inc.Resource, "reason", inc.Reason)
		r.Incomplete = append(r.Incomplete, report.Incomplete{Resource: inc.Resource, Reason: inc.Reason, Rules: rulesReading(reads, resource)})
	}
	if err := o.common.write(r, st, o.global, o.streams.Out); err != nil {
		return err
	}
	if rules.FailsAt(findings, st.failOn) {
		return errFindings
	}
	return nil
}
