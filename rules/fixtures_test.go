package rules

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/ledger"
	"github.com/sascan/sascan/scanner"
)

// Test vectors assume rules.md's conventions: now = 2026-07-01, Kubernetes
// 1.34, default parameters.
var fixtureParams = Params{
	Now:              time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
	KubeVersion:      KubeVersion{Major: 1, Minor: 34, Known: true},
	DefaultNamespace: "default",
	Settings:         DefaultSettings(),
}

// fixture is one testdata/rules/<ID>/{fail,pass}-*.yaml with its
// "# expect:" header lines:
//
//	# expect: SA016 low Deployment web/frontend line=9 path=spec.template.spec confidence=likely
//	# expect: none SA018
//	# audit-log: pass-used.audit.jsonl
//
// An "# audit-log:" line names an audit log (JSON lines, beside the
// fixture) the scan reads as --audit-log would.
//
// The findings of the folder's rule and of every rule named in the header
// must equal the expectations exactly (confidence defaults to certain).
type fixture struct {
	path  string
	kube  string // "# kube-version: 1.29" overrides the default 1.34
	whole bool   // "# corpus-complete: true"
	live  bool   // "# mode: cluster": objects as a live cluster returns them
	audit string // "# audit-log: FILE": an audit log beside the fixture, as --audit-log FILE
	rule  string
	want  map[string][]string // rule -> formatted findings
	rules map[string]bool     // rules asserted
}

// params are the scan parameters the fixture's header asks for.
func (fx fixture) params(t *testing.T) Params {
	t.Helper()
	params := fixtureParams
	if fx.kube != "" {
		kv, err := ParseKubeVersion(fx.kube)
		if err != nil {
			t.Fatal(err)
		}
		params.KubeVersion = kv
	}
	params.CorpusComplete = fx.whole
	if fx.audit != "" {
		l, err := ledger.Read(context.Background(), []string{fx.audit}, ledger.Options{})
		if err != nil {
			t.Fatal(err)
		}
		params.Audit = l
	}
	return params
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob("../testdata/rules/*/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []fixture
	for _, f := range files {
		fx := fixture{path: f, rule: filepath.Base(filepath.Dir(f)), want: map[string][]string{}, rules: map[string]bool{}}
		fx.rules[fx.rule] = true
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "# mode:"); ok {
				fx.live = strings.TrimSpace(v) == ModeCluster
				continue
			}
			if v, ok := strings.CutPrefix(line, "# corpus-complete:"); ok {
				fx.whole = strings.TrimSpace(v) == "true"
				continue
			}
			if v, ok := strings.CutPrefix(line, "# audit-log:"); ok {
				fx.audit = filepath.Join(filepath.Dir(f), strings.TrimSpace(v))
				continue
			}
			if v, ok := strings.CutPrefix(line, "# kube-version:"); ok {
				fx.kube = strings.TrimSpace(v)
				continue
			}
			exp, ok := strings.CutPrefix(line, "# expect:")
			if !ok {
				continue
			}
			fields := strings.Fields(exp)
			if len(fields) == 2 && fields[0] == "none" {
				fx.rules[fields[1]] = true
				continue
			}
			if len(fields) < 5 {
				t.Fatalf("%s: bad expect line %q", f, line)
			}
			if !strings.Contains(exp, "confidence=") {
				fields = append(fields, "confidence=certain")
			}
			fx.rules[fields[0]] = true
			fx.want[fields[0]] = append(fx.want[fields[0]], normalizeExpect(fields))
		}
		fh.Close()
		out = append(out, fx)
	}
	return out
}

// normalizeExpect orders the key=value fields so expectations compare
// whatever order they were written in.
func normalizeExpect(fields []string) string {
	head, kv := fields[:4], append([]string(nil), fields[4:]...)
	sort.Strings(kv)
	return strings.Join(append(head, kv...), " ")
}

func formatFinding(f Finding) string {
	obj := f.Object.Name
	if f.Object.Namespace != "" {
		obj = f.Object.Namespace + "/" + f.Object.Name
	}
	fields := []string{f.RuleID, f.Severity.String(), f.Object.Kind, obj, fmt.Sprintf("line=%d", f.Location.Line), "confidence=" + string(f.Confidence)}
	if f.Path != "" {
		fields = append(fields, "path="+f.Path)
	}
	if f.key != "" {
		fields = append(fields, "key="+f.key)
	}
	return normalizeExpect(fields)
}

func scanFiles(t *testing.T, e *Engine, paths ...string) ([]Finding, *scanner.Inventory) {
	t.Helper()
	return scanWith(t, e, fixtureParams, paths...)
}

func scanWith(t *testing.T, e *Engine, params Params, paths ...string) ([]Finding, *scanner.Inventory) {
	t.Helper()
	return scanMode(t, e, params, scanner.ModeManifest, paths...)
}

// scanMode evaluates e over the inventory of paths built as mode would.
func scanMode(t *testing.T, e *Engine, params Params, mode scanner.Mode, paths ...string) ([]Finding, *scanner.Inventory) {
	t.Helper()
	inv := loadInventory(t, mode, paths...)
	fs, err := e.Evaluate(context.Background(), inv, params, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return fs, inv
}

// loadInventory loads manifests and builds the inventory as the given mode
// would: a cluster inventory has no implicit or bundled objects.
func loadInventory(t *testing.T, mode scanner.Mode, paths ...string) *scanner.Inventory {
	t.Helper()
	m, err := scanner.LoadManifests(context.Background(), paths, scanner.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Errors) > 0 {
		t.Fatalf("load errors: %v", m.Errors)
	}
	return scanner.Build(m.Objects, scanner.BuildOptions{Mode: mode, DefaultNamespace: "default", Builtins: mode == scanner.ModeManifest})
}

func manifestEngine(t *testing.T) (*Catalogue, *Engine) {
	t.Helper()
	return modeEngine(t, ModeManifest)
}

// rulesEngine is an engine of the built-in rules ids alone.
func rulesEngine(tb testing.TB, ids ...string) *Engine {
	tb.Helper()
	return loadEngine(tb, LoadOptions{}, ids...)
}

// loadEngine loads the catalogue opts says and returns an engine of the
// rules ids alone.
func loadEngine(tb testing.TB, opts LoadOptions, ids ...string) *Engine {
	tb.Helper()
	cat, err := Load(opts)
	if err != nil {
		tb.Fatal(err)
	}
	enabled := make([]*Rule, len(ids))
	for i, id := range ids {
		if enabled[i] = cat.Rule(id); enabled[i] == nil {
			tb.Fatalf("no rule %s", id)
		}
	}
	e, err := NewEngine(context.Background(), cat, enabled)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func modeEngine(t *testing.T, mode string) (*Catalogue, *Engine) {
	t.Helper()
	cat, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	enabled, err := Select(cat, mode, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(context.Background(), cat, enabled)
	if err != nil {
		t.Fatal(err)
	}
	return cat, e
}

// TestFixtures scans every rule fixture and compares exact findings
// (rule, severity, object, line, path, confidence).
func TestFixtures(t *testing.T) {
	_, e := manifestEngine(t)
	_, live := modeEngine(t, ModeCluster)
	for _, fx := range loadFixtures(t) {
		t.Run(strings.TrimPrefix(fx.path, "../testdata/rules/"), func(t *testing.T) {
			params := fx.params(t)
			var fs []Finding
			if fx.live {
				fs, _ = scanMode(t, live, params, scanner.ModeCluster, fx.path)
			} else {
				fs, _ = scanWith(t, e, params, fx.path)
			}
			got := map[string][]string{}
			for _, f := range fs {
				if fx.rules[f.RuleID] {
					got[f.RuleID] = append(got[f.RuleID], formatFinding(f))
				}
			}
			for id := range fx.rules {
				sort.Strings(got[id])
				sort.Strings(fx.want[id])
				if diff := cmp.Diff(fx.want[id], got[id]); diff != "" {
					t.Errorf("%s findings (-want +got):\n%s", id, diff)
				}
			}
			if strings.HasPrefix(filepath.Base(fx.path), "pass-") && len(got[fx.rule]) > 0 {
				t.Errorf("pass fixture has %s findings", fx.rule)
			}
			if strings.HasPrefix(filepath.Base(fx.path), "fail-") && len(fx.want[fx.rule]) == 0 {
				t.Errorf("fail fixture expects no %s finding", fx.rule)
			}
		})
	}
}
