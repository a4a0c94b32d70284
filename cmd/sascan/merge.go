package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sascan/sascan/report"
	"github.com/sascan/sascan/rules"
)

type mergeOptions struct {
	common  commonOptions // outputs, fail-on, min-severity, baseline, policies
	global  *globalOptions
	streams streams
}

func newMergeCommand(s streams, g *globalOptions) *cobra.Command {
	o := &mergeOptions{global: g, streams: s}
	cmd := &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Combine the JSON reports of several cluster scans into one report",
		Long: `Combine JSON reports of sascan cluster (each of one cluster, as a CronJob in
every cluster writes them, or of a fleet) into one report of every cluster:
table, JSON, SARIF or HTML, with the rules of a fleet scan. Every finding
names its cluster, the summary has a row per cluster, and SARIF has one run
per cluster with its own category (automationDetails.id sascan/cluster/NAME/).

A cluster is named by its report's --cluster-name, else its context; two
reports of the same name are an error (inside a pod every context is
"in-cluster": give each CronJob --cluster-name). Findings keep the suppressions
of their own scans; --baseline suppresses more, each baseline finding in its own
cluster only. Reports of other sascan versions merge with a warning (their rules
may differ); a finding of a rule this sascan does not know is an error (load a
custom policy's metadata with -p).

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 a file that is not a sascan JSON report of a cluster scan, or reports that
cannot be merged.`,
		Example: fmt.Sprintf(`  %[1]s merge prod-eu.json prod-us.json staging.json
  %[1]s merge -o table -o sarif=fleet.sarif --fail-on critical reports/*.json
  %[1]s merge -o html=fleet.html reports/*.json
  %[1]s merge --baseline last-week.json -o json --output-file fleet.json reports/*.json`, programName()),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), args)
		},
	}
	c := &o.common
	f := cmd.Flags()
	f.StringArrayVarP(&c.outputs, "output", "o", []string{"table"}, "report format: table, json, sarif or html, optionally =FILE (repeatable: -o table -o sarif=results.sarif -o html=fleet.html)")
	f.StringVar(&c.outputFile, "output-file", "", "write the report to FILE instead of stdout")
	f.StringVar(&c.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above: none, info, low, medium, high, critical (default high)")
	f.StringVar(&c.minSeverity, "min-severity", "", "do not report findings below this severity")
	f.StringArrayVarP(&c.policyDirs, "policy", "p", nil, "directory or file of the custom policies the scans loaded, for their rules' descriptions in SARIF (repeatable)")
	f.StringVar(&c.baseline, "baseline", "", "JSON report of a previous scan or merge: its findings are marked suppressed, each in its own cluster")
	f.StringVar(&c.writeBaseline, "write-baseline", "", "write the merged JSON report to FILE for use with --baseline")
	return cmd
}

func (o *mergeOptions) run(_ context.Context, files []string) error {
	c := &o.common
	log, err := o.global.logger(o.streams.Err)
	if err != nil {
		return err
	}
	st := &settings{log: log}
	if st.outputs, err = parseOutputs(c.outputs, c.outputFile); err != nil {
		return err
	}
	if st.failOn, err = rules.ParseThreshold(cmp.Or(c.failOn, "high")); err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	if c.minSeverity != "" {
		if st.minSeverity, err = rules.ParseThreshold(c.minSeverity); err != nil {
			return fmt.Errorf("--min-severity: %w", err)
		}
	}
	if c.baseline != "" {
		if st.baseline, err = readBaseline(c.baseline); err != nil {
			return err
		}
	}
	cat, err := rules.Load(rules.LoadOptions{PolicyDirs: c.policyDirs})
	if err != nil {
		return err
	}
	var inputs []report.Input
	known := map[string]bool{}
	for _, rule := range cat.Rules {
		known[rule.ID] = true
	}
	versions := map[string][]string{}
	for _, name := range files {
		r, err := readReport(name)
		if err != nil {
			return err
		}
		for _, f := range r.Findings {
			if !known[f.RuleID] {
				return fmt.Errorf("%s: finding of rule %s, which this sascan does not know (a custom policy: pass its folder with -p; a rule of a newer sascan: merge with that version)", name, f.RuleID)
			}
		}
		versions[r.Tool.Version] = append(versions[r.Tool.Version], name)
		inputs = append(inputs, report.Input{File: name, Report: r})
	}
	if len(versions) > 1 {
		var parts []string
		for _, v := range slices.Sorted(maps.Keys(versions)) {
			parts = append(parts, fmt.Sprintf("%s (%s)", v, strings.Join(versions[v], ", ")))
		}
		log.Warn("the reports come from different sascan versions, whose rules may differ: " + strings.Join(parts, ", "))
	}
	r, err := report.Merge(inputs)
	if err != nil {
		return err
	}
	if st.baseline != nil {
		byCluster := map[string]map[string]bool{}
		for i := range r.Findings {
			name := r.Findings[i].Location.Cluster
			if byCluster[name] == nil {
				byCluster[name] = st.baseline.Cluster(name)
			}
			rules.SuppressBaseline(r.Findings[i:i+1], byCluster[name])
		}
	}
	r.Findings = rules.Filter(r.Findings, st.minSeverity)
	r.Tool = report.Tool{Name: "sascan", Version: buildStamp().Version}
	// SARIF's driver lists the rules a cluster scan runs, and any other
	// rule a finding names.
	named := map[string]bool{}
	for _, f := range r.Findings {
		named[f.RuleID] = true
	}
	for _, rule := range cat.Rules {
		if rule.RunsIn(rules.ModeCluster) || named[rule.ID] {
			r.Rules = append(r.Rules, rule)
		}
	}
	scanned := 0
	for _, cl := range r.Clusters {
		if cl.Scanned {
			scanned++
		}
	}
	if scanned == 0 {
		return fmt.Errorf("no cluster of the reports was scanned")
	}
	for _, out := range st.outputs {
		if out.format == report.FormatSARIF && scanned > report.GitHubMaxRuns {
			return fmt.Errorf("--output sarif: %d scanned clusters: %w; merge at most %d reports' clusters into one SARIF file", scanned, report.ErrTooManyRuns, report.GitHubMaxRuns)
		}
	}
	if err := c.write(r, st, o.global, o.streams.Out); err != nil {
		return err
	}
	if rules.FailsAt(r.Findings, st.failOn) {
		return errFindings
	}
	return nil
}

func readReport(name string) (*report.Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, ioCause(err))
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return r, nil
}
