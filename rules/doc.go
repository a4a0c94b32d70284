// Package rules holds the rule catalogue and evaluates it.
//
// The flow of a scan, and where each step lives:
//
//	scanner.LoadManifests / scanner.LoadCluster   files or API lists -> raw objects
//	scanner.Build                                  -> Inventory (normalized objects, pod specs, control-plane flags)
//	rules.NewModel (package access)                -> access model: bindings, subjects, roles, grants, token holders
//	Engine.Evaluate                                -> input (input.go, input_access.go), Rego evaluation of
//	                                                  policies/, findings (results.go) with positions (locations.go)
//	Adjust, Filter                                 -> suppressions, severity overrides, --min-severity
//	package report                                 -> table, JSON, SARIF
//
// Load reads the catalogue (the rules' METADATA, typed in catalogue.go);
// Params and Settings (params.go, config.go) are what a scan tells the
// rules besides the inventory. Go normalizes, Rego decides: what the
// input holds is Kubernetes' mechanics, what is dangerous and how severe
// is in policies/.
package rules
