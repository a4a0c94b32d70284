package report

import (
	"fmt"
	"slices"
	"sort"

	"github.com/sascan/sascan/rules"
)

// Input is one report to merge and the file it was read from.
type Input struct {
	File   string
	Report *Report
}

// Merge combines reports of sascan cluster (of one cluster each, as
// per-cluster CronJobs write them, or fleet reports) into one fleet report:
// its clusters sorted by name, every finding and incomplete entry naming
// its cluster, findings in report order. A manifest report, a report that
// names no cluster, a cluster in two reports, and a finding or incomplete
// entry of a cluster its report does not hold are errors naming the file.
// The merged report's Tool and Rules are the caller's to set.
func Merge(inputs []Input) (*Report, error) {
	out := &Report{Source: Source{Mode: rules.ModeCluster}}
	from := map[string]string{} // cluster -> file
	for _, in := range inputs {
		r := in.Report
		if r.Source.Mode != rules.ModeCluster {
			return nil, fmt.Errorf("%s: a report of a %s scan; sascan merge combines reports of sascan cluster", in.File, r.Source.Mode)
		}
		clusters := r.Clusters
		incomplete := slices.Clone(r.Incomplete)
		if !r.Fleet() {
			name := r.Source.ClusterName()
			if name == "" {
				return nil, fmt.Errorf("%s: the report names no cluster (source.context)", in.File)
			}
			clusters = []Cluster{{Name: name, Scanned: true, Objects: r.Objects}}
			for i := range incomplete {
				incomplete[i].Cluster = name
			}
		}
		held := map[string]bool{}
		for _, c := range clusters {
			if f, ok := from[c.Name]; ok {
				return nil, fmt.Errorf("%s and %s both hold cluster %q: give each cluster its own name (sascan cluster --cluster-name)", f, in.File, c.Name)
			}
			from[c.Name] = in.File
			held[c.Name] = c.Scanned
			out.Clusters = append(out.Clusters, c)
		}
		for _, f := range r.Findings {
			if scanned, ok := held[f.Location.Cluster]; !ok || !scanned {
				return nil, fmt.Errorf("%s: finding %s on %s names cluster %q, which the report did not scan", in.File, f.RuleID, f.Object, f.Location.Cluster)
			}
			out.Findings = append(out.Findings, f)
		}
		for _, inc := range incomplete {
			if _, ok := held[inc.Cluster]; !ok {
				return nil, fmt.Errorf("%s: incomplete entry %q names cluster %q, which the report does not hold", in.File, inc.Resource, inc.Cluster)
			}
			out.Incomplete = append(out.Incomplete, inc)
		}
		out.Errors = append(out.Errors, r.Errors...)
		out.Hints = append(out.Hints, r.Hints...)
	}
	sort.SliceStable(out.Clusters, func(i, j int) bool { return out.Clusters[i].Name < out.Clusters[j].Name })
	order := map[string]int{}
	for i, c := range out.Clusters {
		order[c.Name] = i
		out.Source.Clusters = append(out.Source.Clusters, c.Name)
		out.Objects += c.Objects
	}
	sort.SliceStable(out.Incomplete, func(i, j int) bool {
		return order[out.Incomplete[i].Cluster] < order[out.Incomplete[j].Cluster]
	})
	// The cluster is a sort key, so the order does not depend on the
	// order of the files.
	rules.SortFindings(out.Findings)
	if out.Clusters == nil {
		out.Clusters = []Cluster{}
	}
	return out, nil
}
