package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/sascan/sascan/rules"
)

// An attack path's steps become one thread flow through its related
// locations, in order; a finding without steps has no code flow.
func TestSARIFCodeFlowOfAnAttackPath(t *testing.T) {
	rule := &rules.Rule{ID: "SA033", Title: "Path", Description: "d", Family: "paths", Severity: rules.High, Remediation: "fix"}
	ref := func(kind, ns, name string) rules.ObjectRef {
		return rules.ObjectRef{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name}
	}
	path := rules.Finding{
		RuleID: "SA033", Title: "Path", Severity: rules.Critical, Confidence: rules.Likely, Message: "m",
		Object: ref("ServiceAccount", "ci", "bot"), Location: rules.Location{File: "p.yaml", Line: 12, Column: 1},
		Evidence: map[string]any{"sink": "cluster-admin", "steps": []any{
			map[string]any{"from": "ServiceAccount ci/bot", "to": "ServiceAccount ops/operator", "action": "create or alter workloads (P04) in namespace ops", "via": "RoleBinding ops/ci-deploys"},
			map[string]any{"from": "ServiceAccount ops/operator", "to": "cluster-admin", "action": "everything (P01) cluster-wide", "via": "ClusterRoleBinding operator-admin"},
		}},
		Related: []rules.Related{
			{Object: ref("Deployment", "ci", "runner"), Location: rules.Location{File: "p.yaml", Line: 16, Column: 1}},
			{Object: ref("RoleBinding", "ops", "ci-deploys"), Location: rules.Location{File: "p.yaml", Line: 33, Column: 1}},
			{Object: ref("ClusterRoleBinding", "", "operator-admin"), Location: rules.Location{File: "p.yaml", Line: 43, Column: 1}},
		},
		Fingerprint: "f1",
	}
	plain := path
	plain.Evidence = map[string]any{"sink": "cluster-admin"}
	plain.Fingerprint = "f2"
	r := &Report{Tool: Tool{Name: "sascan", Version: "1.0.0"}, Source: Source{Mode: "manifest"}, Findings: []rules.Finding{path, plain}, Rules: []*rules.Rule{rule}}
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				CodeFlows []struct {
					ThreadFlows []struct {
						Locations []struct {
							Location struct {
								Message          struct{ Text string }
								PhysicalLocation struct {
									Region struct{ StartLine int }
								}
							}
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 2 || len(res[0].CodeFlows) != 1 || len(res[0].CodeFlows[0].ThreadFlows) != 1 || len(res[1].CodeFlows) != 0 {
		t.Fatalf("want one thread flow on the path and none on the other finding:\n%s", buf.String())
	}
	var got []string
	for _, l := range res[0].CodeFlows[0].ThreadFlows[0].Locations {
		got = append(got, l.Location.Message.Text+" @"+strconv.Itoa(l.Location.PhysicalLocation.Region.StartLine))
	}
	want := []string{
		"the token is taken from Deployment ci/runner @16",
		"ServiceAccount ci/bot -> ServiceAccount ops/operator: create or alter workloads (P04) in namespace ops (RoleBinding ops/ci-deploys) @33",
		"ServiceAccount ops/operator -> cluster-admin: everything (P01) cluster-wide (ClusterRoleBinding operator-admin) @43",
	}
	if len(got) != len(want) {
		t.Fatalf("thread flow %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: %q, want %q", i, got[i], want[i])
		}
	}
	validate(t, buf.Bytes())
}
