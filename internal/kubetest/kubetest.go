// Package kubetest connects the integration tests to the test API server
// that hack/kube/up.sh starts (make test-integration).
package kubetest

import (
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Config returns the client configuration of the API server KUBECONFIG
// names, and fails the test when there is none.
func Config(t testing.TB) *rest.Config {
	t.Helper()
	kc := os.Getenv("KUBECONFIG")
	if kc == "" {
		t.Fatal("KUBECONFIG is not set: run make test-integration")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// SecondKubeconfig is the kubeconfig of the second API server the fleet
// tests scan beside the first (SASCAN_FLEET_KUBECONFIG, set by make
// test-integration); it fails the test when there is none.
func SecondKubeconfig(t testing.TB) string {
	t.Helper()
	kc := os.Getenv("SASCAN_FLEET_KUBECONFIG")
	if kc == "" {
		t.Fatal("SASCAN_FLEET_KUBECONFIG is not set: run make test-integration")
	}
	return kc
}
