package rules

import (
	"slices"
	"testing"

	"github.com/sascan/sascan/scanner"
)

// Each resource a live scan lists maps to the rules that read it: the
// derivation must find the kinds a rule reads through the library and the
// input, not only those it names itself.
func TestKindsRead(t *testing.T) {
	_, e := modeEngine(t, ModeCluster)
	reads := e.KindsRead()
	// Every resource a live scan lists is read by some rule (else listing
	// it would be waste, and a refused list would name no rule).
	for _, r := range scanner.Resources {
		readers := 0
		for _, kinds := range reads {
			if slices.Contains(kinds, r.Kind) {
				readers++
			}
		}
		if readers == 0 {
			t.Errorf("no rule reads %s (%s)", r.Kind, r.GVR.Resource)
		}
	}
	for _, tc := range []struct {
		kind      string
		reader    []string // rules that must read it
		nonReader []string // rules that must not
	}{
		{"Deployment", []string{"SA004", "SA016", "SA018", "SA019", "SA022", "SA013"}, []string{"SA026", "SA027"}},
		{"Pod", []string{"SA016", "SA018", "SA024", "SA027", "SA029"}, []string{"SA026"}},
		{"Service", []string{"SA019"}, []string{"SA001", "SA027"}},
		{"Ingress", []string{"SA019"}, []string{"SA016"}},
		{"ClusterRoleBinding", []string{"SA011", "SA012", "SA013", "SA014", "SA016", "SA032"}, []string{"SA026", "SA027"}},
		{"CSIDriver", []string{"SA026"}, []string{"SA013"}},
		{"ConfigMap", []string{"SA003", "SA006"}, []string{"SA026"}},
	} {
		for _, id := range tc.reader {
			if !slices.Contains(reads[id], tc.kind) {
				t.Errorf("%s does not read %s: %v", id, tc.kind, reads[id])
			}
		}
		for _, id := range tc.nonReader {
			if slices.Contains(reads[id], tc.kind) {
				t.Errorf("%s reads %s: %v", id, tc.kind, reads[id])
			}
		}
	}
}
