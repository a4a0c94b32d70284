package scanner

import (
	"embed"
	"fmt"
	"slices"
)

// bootstrapPolicies are the RBAC bootstrap policies of the Kubernetes
// versions the rules support, bootstrap-1.<minor>.yaml, generated from
// Kubernetes' own bootstrap policy package with each version's default
// feature gates by hack/kube/bootstrap (make bootstrap-policy).
//
//go:embed builtin/bootstrap-*.yaml
var bootstrapPolicies embed.FS

// BootstrapMinors are the minor versions of Kubernetes 1.x whose bootstrap
// policy is bundled, oldest first.
var BootstrapMinors = []int{35, 36, 37}

// BootstrapPolicy returns fresh copies of the bootstrap policy's objects
// (ClusterRoles and ClusterRoleBindings) of Kubernetes 1.<minor>: the
// bundled version itself, the oldest one below it, the newest above it or
// for 0 (unknown). The policies are part of the binary, so a read or
// parse failure is a build defect caught by the package tests, and yields
// no objects here.
func BootstrapPolicy(minor int) []map[string]any {
	m := BootstrapMinors[len(BootstrapMinors)-1]
	if minor > 0 && minor < m {
		m = max(minor, BootstrapMinors[0])
		for !slices.Contains(BootstrapMinors, m) {
			m++
		}
	}
	data, err := bootstrapPolicies.ReadFile(fmt.Sprintf("builtin/bootstrap-1.%d.yaml", m))
	if err != nil {
		return nil
	}
	var out []map[string]any
	for _, c := range splitDocuments(data) {
		r := parseDocument(fileChunk{file: "builtin", c: c})
		for _, o := range r.objects {
			out = append(out, o.Value)
		}
	}
	return out
}

// builtinClusterRoles are the bootstrap policy's ClusterRoles.
func builtinClusterRoles(minor int) []map[string]any {
	var out []map[string]any
	for _, o := range BootstrapPolicy(minor) {
		if o["kind"] == "ClusterRole" {
			out = append(out, o)
		}
	}
	return out
}
