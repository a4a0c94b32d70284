// Package policies holds sascan's built-in Rego: the shared library under
// lib/ and one folder per rule family, each rule in its own file with its
// tests beside it. The files are embedded in the binary.
package policies

import "embed"

// FS holds every .rego file of the built-in catalogue and library,
// including the *_test.rego files that `go test` runs.
//
//go:embed */*.rego
var FS embed.FS
