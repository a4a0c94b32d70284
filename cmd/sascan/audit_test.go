package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/internal/schematest"
)

// An audit log whose events carry a token where a careless reader would
// copy it: a request body (level RequestResponse), an Authorization header
// in it, the user agent, the query string and an object name; and a
// response body with a Secret's value. None of it may reach a report.
func leakyAuditLog(t *testing.T, tok string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rules/SA035/deployer.audit.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	leak := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"x","stage":"ResponseComplete",` +
		`"requestURI":"/api/v1/namespaces/ci/secrets/deployer-token?access_token=` + tok + `","verb":"get",` +
		`"user":{"username":"system:serviceaccount:ci:deployer"},"sourceIPs":["192.0.2.11"],` +
		`"userAgent":"deploy.sh Authorization: Bearer ` + tok + `",` +
		`"objectRef":{"resource":"secrets","namespace":"ci","name":"deployer-token` + tok + `","apiVersion":"v1"},` +
		`"requestObject":{"metadata":{"annotations":{"token":"` + tok + `"}},"headers":{"Authorization":["Bearer ` + tok + `"]}},` +
		`"responseObject":{"data":{"token":"` + tok + `","password":"aHVudGVyMi1ub3QtYS10b2tlbg=="}},` +
		`"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-06-30T07:00:00Z",` +
		`"annotations":{"authentication.k8s.io/legacy-token":"system:serviceaccount:ci:deployer","authentication.k8s.io/legacy-token-manual-secret":"deployer-token","authorization.k8s.io/decision":"allow"}}`
	return string(b) + "this line is not JSON " + tok + "\n" + leak + "\n"
}

func TestAuditLog(t *testing.T) {
	repoRoot(t)
	tok := legacyJWT(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.log")
	if err := os.WriteFile(logPath, []byte(leakyAuditLog(t, tok)), 0o600); err != nil {
		t.Fatal(err)
	}
	fixture := "testdata/rules/SA035/fail-unused-secret.yaml"
	r := cli(t, "", "scan", fixedNow, "-o", "json", "--fail-on", "none", "--enable", "SA035,SA036", "--audit-log", logPath, fixture)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var rep struct {
		Findings []struct {
			RuleID   string
			Object   struct{ Kind, Namespace, Name string }
			Location struct{ Line int }
			Evidence map[string]any
		}
		Audit struct {
			First, Last   string
			Events        int
			Unparsed      int
			Evidence      []string
			UnparsedLines []struct {
				File    string
				Line    int
				Message string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.RuleID+" "+f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name+" "+strconv.Itoa(f.Location.Line))
	}
	sort.Strings(got)
	want := []string{"SA035 Secret ci/spare-token 23", "SA036 Secret ci/deployer-token 15"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings {
		if f.RuleID == "SA036" {
			if diff := cmp.Diff([]any{"deploy.sh Authorization: Bearer [redacted]", "jenkins-kubectl/1.30"}, f.Evidence["userAgents"]); diff != "" {
				t.Errorf("SA036 user agents (-want +got):\n%s", diff)
			}
		}
	}
	a := rep.Audit
	if a.First != "2026-06-30T00:00:00Z" || a.Last != "2026-06-30T12:00:00Z" || a.Events != 4 || a.Unparsed != 1 ||
		strings.Join(a.Evidence, ",") != "legacy-token,legacy-token-secret" || len(a.UnparsedLines) != 1 ||
		a.UnparsedLines[0].Line != 4 || a.UnparsedLines[0].File != logPath {
		t.Errorf("audit summary %+v", a)
	}
	if want := "audit log line not parsed"; !strings.Contains(r.err, want) || !strings.Contains(r.err, "line=4") {
		t.Errorf("stderr does not name the unparsed line: %s", r.err)
	}
	schematest.Check(t, []byte(r.out))

	// No token, body or Secret value in any output, or on stderr.
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	payload := strings.Split(tok, ".")[1]
	for _, format := range []string{"table", "json", "sarif", "html"} {
		out := filepath.Join(dir, "report."+format)
		r := cli(t, "", "scan", fixedNow, "--log-level", "debug", "-o", format+"="+out, "--fail-on", "none", "--audit-log", logPath, fixture)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", format, r.code, r.err)
		}
		written, _ := os.ReadFile(out)
		checkNoSecret(t, format, r.out+r.err+string(written), tok, sig, payload)
	}
	r = cli(t, "", "access", "sa", "ci/deployer", "-o", "json", "--audit-log", logPath, fixture)
	if r.code != 0 {
		t.Fatalf("access sa: exit %d: %s", r.code, r.err)
	}
	checkNoSecret(t, "access sa", r.out+r.err, tok, sig, payload)
}

func checkNoSecret(t *testing.T, what, all string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, "aHVudGVyMi1ub3QtYS10b2tlbg", "hunter2") {
		if strings.Contains(all, s) {
			t.Errorf("%s output contains a secret value %.20s…", what, s)
		}
	}
}

// An audit log that holds no event is an error (exit 2) naming it; a
// fleet scan refuses --audit-log.
func TestAuditLogErrors(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.log")
	os.WriteFile(bad, []byte("nope\n"), 0o600)
	r := cli(t, "", "scan", "--audit-log", bad, "testdata/rules/SA035/pass-used-secret.yaml")
	if r.code != exitError || !strings.Contains(r.err, "read audit log "+bad+": no audit event: 1 lines, none parsed") {
		t.Errorf("exit %d, stderr %s", r.code, r.err)
	}
	r = cli(t, "", "scan", "--audit-log", "-", "-")
	if r.code != exitError || !strings.Contains(r.err, "both read stdin") {
		t.Errorf("exit %d, stderr %s", r.code, r.err)
	}
	r = cli(t, "", "cluster", "--context", "a", "--context", "b", "--audit-log", bad)
	if r.code != exitError || !strings.Contains(r.err, "--audit-log is one cluster's") {
		t.Errorf("exit %d, stderr %s", r.code, r.err)
	}
}
