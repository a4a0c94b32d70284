package scanner

import (
	_ "embed"
)

// bootstrapYAML is the RBAC bootstrap policy of the newest Kubernetes
// version the rules know, generated from Kubernetes' own bootstrap policy
// package by hack/kube/bootstrap (make bootstrap-policy).
//
//go:embed builtin/bootstrap.yaml
var bootstrapYAML []byte

// BootstrapPolicy returns fresh copies of the bundled bootstrap policy's
// objects (ClusterRoles and ClusterRoleBindings). The policy is part of
// the binary, so a parse failure is a build defect caught by the package
// tests, and yields no objects here.
func BootstrapPolicy() []map[string]any {
	var out []map[string]any
	for _, c := range splitDocuments(bootstrapYAML) {
		r := parseDocument(fileChunk{file: "builtin", c: c})
		for _, o := range r.objects {
			out = append(out, o.Value)
		}
	}
	return out
}

// builtinClusterRoles are the bootstrap policy's ClusterRoles.
func builtinClusterRoles() []map[string]any {
	var out []map[string]any
	for _, o := range BootstrapPolicy() {
		if o["kind"] == "ClusterRole" {
			out = append(out, o)
		}
	}
	return out
}
