// Package scanner reads Kubernetes objects and normalizes them into one
// inventory, the same for manifests and live clusters:
//
//	LoadManifests, LoadKustomization   files, folders, stdin, Lists, Helm and Kustomize output -> RawObject
//	LoadCluster                        paginated API lists (protobuf) -> RawObject
//	Build                              -> Inventory: namespaces defaulted, implicit default
//	                                      ServiceAccounts, shadowed duplicates, owner links,
//	                                      pod specs located, control-plane flags parsed
//	Locate                             field positions for findings, resolved in one batch
//
// The access model (package access) and the rules (package rules) read
// the inventory; nothing here judges what an object means.
package scanner
