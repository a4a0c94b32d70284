//go:build integration

// Fleet tests against two API servers (make test-integration starts the
// second one and sets SASCAN_FLEET_KUBECONFIG).
package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiwait "k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/sascan/sascan/internal/kubetest"
)

// In both clusters namespace "fleet" holds its default ServiceAccount; the
// first adds a legacy token Secret, the second a RoleBinding of edit to the
// default ServiceAccount. Findings on them must name the right cluster.
const (
	fleetAlpha = `apiVersion: v1
kind: Namespace
metadata: {name: fleet}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: fleet}
---
apiVersion: v1
kind: Secret
metadata:
  name: builder-token
  namespace: fleet
  annotations: {kubernetes.io/service-account.name: builder}
type: kubernetes.io/service-account-token
`
	fleetBeta = `apiVersion: v1
kind: Namespace
metadata: {name: fleet}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-edit, namespace: fleet}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: default, namespace: fleet}]
`
)

// fleetObjects creates the objects of both clusters (removed after the
// test) and returns a kubeconfig of four contexts: alpha (the first API
// server), beta (the second), gamma (a port nothing listens on) and delta
// (the first API server with a token it refuses).
func fleetObjects(t *testing.T) string {
	t.Helper()
	_, _, dynA := liveClients(t)
	second := kubetest.SecondKubeconfig(t)
	cfgB, err := clientcmd.BuildConfigFromFlags("", second)
	if err != nil {
		t.Fatal(err)
	}
	dynB, err := dynamic.NewForConfig(cfgB)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, x := range []struct {
		dyn  dynamic.Interface
		name string
		yaml string
	}{{dynA, "alpha.yaml", fleetAlpha}, {dynB, "beta.yaml", fleetBeta}} {
		p := filepath.Join(dir, x.name)
		if err := os.WriteFile(p, []byte(x.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		apply(t, x.dyn, p)
	}
	// The controller-manager creates each namespace's default
	// ServiceAccount after the namespace: wait for it in both clusters.
	sas := schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	for _, dyn := range []dynamic.Interface{dynA, dynB} {
		err := apiwait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := dyn.Resource(sas).Namespace("fleet").Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		})
		if err != nil {
			t.Fatalf("the default ServiceAccount of namespace fleet: %v", err)
		}
	}
	a, err := clientcmd.LoadFromFile(os.Getenv("KUBECONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := clientcmd.LoadFromFile(second)
	if err != nil {
		t.Fatal(err)
	}
	out := clientcmdapi.NewConfig()
	add := func(name string, src *clientcmdapi.Config, server, token string) {
		c := src.Contexts[src.CurrentContext]
		cl := *src.Clusters[c.Cluster]
		if server != "" {
			cl.Server, cl.CertificateAuthority, cl.InsecureSkipTLSVerify = server, "", true
		}
		user := *src.AuthInfos[c.AuthInfo]
		if token != "" {
			user.Token = token
		}
		out.Clusters[name], out.AuthInfos[name] = &cl, &user
		out.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	add("alpha", a, "", "")
	add("beta", b, "", "")
	add("gamma", a, "https://127.0.0.1:1", "")
	add("delta", a, "", "not-a-valid-token")
	out.CurrentContext = "alpha"
	kc := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*out, kc); err != nil {
		t.Fatal(err)
	}
	return kc
}

// inNamespace is findingRows of the findings on objects of namespace ns.
func inNamespace(m mergedReport, ns string) []string {
	var rows []string
	for i, f := range m.Findings {
		if f.Object.Namespace == ns {
			rows = append(rows, findingRows(mergedReport{Findings: m.Findings[i : i+1]})...)
		}
	}
	return rows
}

// TestFleetLive scans two API servers and two contexts that cannot be
// scanned into one report: the findings on each cluster's objects name that
// cluster, the summary has a row per cluster, the two that fail are
// incomplete entries, and SARIF has a run per scanned cluster.
func TestFleetLive(t *testing.T) {
	root := repoRoot(t)
	kc := fleetObjects(t)
	dir := t.TempDir()
	js, sf := filepath.Join(dir, "fleet.json"), filepath.Join(dir, "fleet.sarif")
	r := cli(t, "", "cluster", "--kubeconfig", kc, "--context", "gamma", "--context", "beta", "--context", "alpha", "--context", "delta",
		"--request-timeout", "5s", "--fail-on", "none", "-o", "table", "-o", "json="+js, "-o", "sarif="+sf)
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	m := decodeMerged(t, string(b))
	want := []string{
		"alpha SA001 high Secret fleet/builder-token",
		"beta SA011 high RoleBinding fleet/default-edit",
		"beta SA013 medium ServiceAccount fleet/default",
		"alpha SA017 low ServiceAccount fleet/default",
		"beta SA017 low ServiceAccount fleet/default",
	}
	if diff := cmp.Diff(want, inNamespace(m, "fleet")); diff != "" {
		t.Errorf("findings in namespace fleet (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"alpha", "beta", "delta", "gamma"}, m.Source.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	var rows []string
	for _, c := range m.Summary.Clusters {
		rows = append(rows, c.Name+" scanned="+map[bool]string{true: "yes", false: "no"}[c.Scanned])
		if c.Scanned != (c.Objects > 0) {
			t.Errorf("cluster %s: scanned %v with %d objects", c.Name, c.Scanned, c.Objects)
		}
	}
	if diff := cmp.Diff([]string{"alpha scanned=yes", "beta scanned=yes", "delta scanned=no", "gamma scanned=no"}, rows); diff != "" {
		t.Errorf("summary rows (-want +got):\n%s", diff)
	}
	perCluster := map[string]int{}
	for _, f := range m.Findings {
		perCluster[f.Location.Cluster]++
	}
	if perCluster["alpha"] == 0 || perCluster["beta"] == 0 || len(perCluster) != 2 {
		t.Errorf("findings per cluster %v", perCluster)
	}
	var failed []string
	for _, inc := range m.Incomplete {
		if inc.Resource == "cluster" {
			failed = append(failed, inc.Cluster)
			want := map[string]string{"gamma": "connection refused", "delta": "provide credentials"}[inc.Cluster]
			if want == "" || !strings.Contains(inc.Reason, want) {
				t.Errorf("cluster %s: reason %q, want it to say %q", inc.Cluster, inc.Reason, want)
			}
		}
	}
	if diff := cmp.Diff([]string{"delta", "gamma"}, failed); diff != "" {
		t.Errorf("clusters not scanned (-want +got):\n%s", diff)
	}
	for _, s := range []string{"│ SEVERITY │ RULE  │ CLUSTER │", "cluster delta: not scanned\n", "cluster gamma: not scanned\n", " in 2 of 4 clusters\n"} {
		if !strings.Contains(r.out, s) {
			t.Errorf("table lacks %q", s)
		}
	}
	for _, s := range []string{`level=WARN msg="cannot scan the cluster; the others were scanned" cluster=gamma`, `level=WARN msg="cannot scan the cluster; the others were scanned" cluster=delta`} {
		if !strings.Contains(r.err, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.err)
		}
	}
	sb, err := os.ReadFile(sf)
	if err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(sb, &log); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, run := range log.Runs {
		ids = append(ids, run.AutomationDetails.ID)
		for _, res := range run.Results {
			for _, l := range res.Locations {
				cluster := strings.TrimSuffix(strings.TrimPrefix(run.AutomationDetails.ID, "sascan/cluster/"), "/")
				if l.PhysicalLocation.ArtifactLocation.URI != "cluster/"+cluster {
					t.Fatalf("a result of run %s is in %s", run.AutomationDetails.ID, l.PhysicalLocation.ArtifactLocation.URI)
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"sascan/cluster/alpha/", "sascan/cluster/beta/"}, ids); diff != "" {
		t.Errorf("SARIF runs (-want +got):\n%s", diff)
	}
	if tool, ok := sarifValidator(t, root); ok {
		if res, err := runTool(tool, sf); err != nil || !strings.Contains(res, " 0 error(s)") {
			t.Fatalf("validate-sarif: %v\n%s", err, res)
		}
	} else {
		t.Log("../shared/tools/validate-sarif not present: the SARIF is not validated")
	}
	// The SA001 finding (high) fails the default --fail-on.
	if r := cli(t, "", "cluster", "--kubeconfig", kc, "--context", "alpha", "--context", "gamma", "-o", "json"); r.code != exitFindings {
		t.Errorf("--fail-on high: exit %d: %s", r.code, r.err)
	}
}

func runTool(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

type sarifLog struct {
	Runs []struct {
		AutomationDetails struct{ ID string } `json:"automationDetails"`
		Results           []struct {
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string } `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// TestFleetLiveEqualsMerge: a fleet scan reports what sascan merge makes of
// the clusters' own reports, byte for byte; and a baseline of one cluster
// suppresses its findings there only, not the same finding in the other.
func TestFleetLiveEqualsMerge(t *testing.T) {
	repoRoot(t)
	kc := fleetObjects(t)
	dir := t.TempDir()
	scan := func(args ...string) string {
		t.Helper()
		r := cli(t, "", append([]string{"cluster", "--kubeconfig", kc, "-n", "fleet", "--fail-on", "none", "-o", "json"}, args...)...)
		if r.code != exitClean {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.err)
		}
		return r.out
	}
	fleet := scan("--context", "alpha", "--context", "beta")
	var files []string
	for _, c := range []string{"beta", "alpha"} {
		p := filepath.Join(dir, c+".json")
		if err := os.WriteFile(p, []byte(scan("--context", c)), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	merged := cli(t, "", append([]string{"merge", "--fail-on", "none", "-o", "json"}, files...)...)
	if merged.code != exitClean {
		t.Fatalf("merge: exit %d: %s", merged.code, merged.err)
	}
	if diff := cmp.Diff(fleet, merged.out); diff != "" {
		t.Errorf("fleet scan and merge differ (-fleet +merge):\n%s", diff)
	}
	// alpha's report as the baseline: SA017 on fleet/default is suppressed
	// in alpha, and still reported in beta, where it has the same
	// fingerprint.
	withBaseline := decodeMerged(t, scan("--context", "alpha", "--context", "beta", "--baseline", files[1]))
	var sa017 []string
	for _, row := range inNamespace(withBaseline, "fleet") {
		if strings.Contains(row, " SA017 ") {
			sa017 = append(sa017, row)
		}
	}
	slices.Sort(sa017)
	want := []string{"alpha SA017 low ServiceAccount fleet/default suppressed:baseline", "beta SA017 low ServiceAccount fleet/default"}
	if diff := cmp.Diff(want, sa017); diff != "" {
		t.Errorf("SA017 with alpha's baseline (-want +got):\n%s", diff)
	}
}
