package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sascan/sascan/scanner"
)

// FuzzParseConfig: any bytes give a config or an error, never a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("failOn: high\ndisable: [SA020]\nexceptions:\n- {rule: SA016, reason: r, expires: 2027-01-01}\n"))
	f.Add([]byte("settings: {tokenTTL: {lowSeconds: 1, mediumSeconds: 2}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseConfig("fuzz.yaml", bytes.NewReader(data))
	})
}

// FuzzJWTClassifier puts any string where SA003 looks for tokens and checks
// that evaluation succeeds and that the string never reaches a finding.
func FuzzJWTClassifier(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLWJ5dGVz")
	f.Add("eyJ0eXAiOiJKV1QifQ.eyJleHAiOiJub3QtYS1udW1iZXIifQ.xx")
	f.Add("ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZXlKcGMzTWlPaUpyZFdKbGNtNWxkR1Z6TDNObGNuWnBZMlZoWTJOdmRXNTBJbjAuYzJsbmJtRjBkWEpsTFdKNWRHVno=")
	e := rulesEngine(f, "SA003", "SA002")
	f.Fuzz(func(t *testing.T, s string) {
		raws := []scanner.RawObject{
			{Value: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "x"}, "data": map[string]any{"k": s}, "binaryData": map[string]any{"b": s}}},
			{Value: map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": map[string]any{"name": "s", "namespace": "x"}, "stringData": map[string]any{"token": s}}},
		}
		inv := scanner.Build(raws, scanner.BuildOptions{Mode: scanner.ModeManifest})
		fs, err := e.Evaluate(context.Background(), inv, fixtureParams, EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(fs)
		if len(s) >= 24 && strings.Contains(string(out), s) {
			t.Fatalf("finding contains the input %q", s)
		}
	})
}
