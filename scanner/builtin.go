package scanner

import (
	_ "embed"
)

//go:embed builtin/clusterroles.yaml
var builtinRolesYAML []byte

// builtinClusterRoles returns fresh copies of the bundled bootstrap
// ClusterRoles. The snapshot is part of the binary, so a parse failure is a
// build defect caught by the package tests, and yields no roles here.
func builtinClusterRoles() []map[string]any {
	var out []map[string]any
	for _, c := range splitDocuments(builtinRolesYAML) {
		r := parseDocument(fileChunk{file: "builtin", c: c})
		for _, o := range r.objects {
			out = append(out, o.Value)
		}
	}
	return out
}
