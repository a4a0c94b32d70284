package rules

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// value is v as OPA's term; a list of findings becomes a set, as the
// evaluation of a rule's findings returns them.
func value(t *testing.T, v any) ast.Value {
	t.Helper()
	x, err := ast.InterfaceToValue(v)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := x.(*ast.Array); ok {
		set := ast.NewSet()
		a.Foreach(set.Add)
		return set
	}
	return x
}

func TestDecodeFindings(t *testing.T) {
	good := []any{map[string]any{
		"object": json.Number("3"), "path": "spec.containers[0]", "message": "m", "severity": "high",
		"confidence": "likely", "allowListed": "bootstrap RBAC object",
		"evidence": map[string]any{"exp": json.Number("1700000000"), "tiers": []any{json.Number("0"), "T1"}, "ok": true},
		"related":  []any{map[string]any{"object": json.Number("7"), "path": "subjects[0]"}},
		"extra":    "ignored",
	}}
	fs, err := decodeFindings(value(t, good))
	if err != nil {
		t.Fatal(err)
	}
	want := rawFinding{
		Object: 3, Path: "spec.containers[0]", Message: "m", Severity: "high", Confidence: "likely",
		AllowListed: "bootstrap RBAC object",
		Evidence:    map[string]any{"exp": float64(1700000000), "tiers": []any{float64(0), "T1"}, "ok": true},
	}
	want.Related = []rawRelated{{Object: 7, Path: "subjects[0]"}}
	if diff := cmp.Diff([]rawFinding{want}, fs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The same as decoding the JSON text, which is what the engine did before.
	raw, _ := json.Marshal(good)
	var viaJSON []rawFinding
	if err := json.Unmarshal(raw, &viaJSON); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(viaJSON, fs); diff != "" {
		t.Errorf("differs from JSON decoding (-json +direct):\n%s", diff)
	}

	bad := []struct {
		name string
		v    any
		want string
	}{
		{"a string, not a finding", []any{"oops"}, `want a finding object, got "oops"`},
		{"object id as a string", []any{map[string]any{"object": "web"}}, `object: want an object id, got "web"`},
		{"fractional object id", []any{map[string]any{"object": json.Number("1.5")}}, "object: want an object id, got 1.5"},
		{"path as a number", []any{map[string]any{"object": json.Number("0"), "path": json.Number("2")}}, "path: want a string, got 2"},
		{"evidence as a list", []any{map[string]any{"evidence": []any{}}}, "evidence: want an object, got []"},
		{"related without ids", []any{map[string]any{"related": []any{"x"}}}, `related: want {object, path}, got "x"`},
		{"not a set", map[string]any{}, "want a set of findings, got object"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeFindings(value(t, c.v))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// Evidence is what decoding its JSON text gives: sets as lists, numbers as
// float64.
func TestDecodeEvidence(t *testing.T) {
	ev := ast.NewObject(
		ast.Item(ast.StringTerm("ids"), ast.SetTerm(ast.IntNumberTerm(2), ast.IntNumberTerm(1))),
		ast.Item(ast.StringTerm("none"), ast.NullTerm()),
		ast.Item(ast.StringTerm("empty"), ast.ArrayTerm()),
	)
	f := ast.NewSet(ast.ObjectTerm(ast.Item(ast.StringTerm("evidence"), ast.NewTerm(ev))))
	fs, err := decodeFindings(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"ids": []any{float64(1), float64(2)}, "none": nil, "empty": []any{}}, fs[0].Evidence); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A key that is not a string becomes its JSON text, as OPA writes it.
	numeric := ast.NewSet(ast.ObjectTerm(ast.Item(ast.StringTerm("evidence"), ast.ObjectTerm(ast.Item(ast.IntNumberTerm(1), ast.BooleanTerm(true))))))
	fs, err = decodeFindings(numeric)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"1": true}, fs[0].Evidence); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// related may be a set, as JSON a list; findings may be a list (a user's
// complete rule); null fields are absent ones.
func TestDecodeShapes(t *testing.T) {
	rel := ast.SetTerm(ast.ObjectTerm(ast.Item(ast.StringTerm("object"), ast.IntNumberTerm(2)), ast.Item(ast.StringTerm("path"), ast.StringTerm("p"))))
	f := ast.ObjectTerm(ast.Item(ast.StringTerm("object"), ast.IntNumberTerm(1)), ast.Item(ast.StringTerm("related"), rel), ast.Item(ast.StringTerm("key"), ast.StringTerm("k")), ast.Item(ast.StringTerm("path"), ast.NullTerm()))
	fs, err := decodeFindings(ast.NewArray(f))
	if err != nil {
		t.Fatal(err)
	}
	want := []rawFinding{{Object: 1, Key: "k", Related: []rawRelated{{Object: 2, Path: "p"}}}}
	if diff := cmp.Diff(want, fs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := decodeFindings(ast.Null{}); err == nil || err.Error() != "want a set of findings, got null" {
		t.Errorf("error %v for null findings", err)
	}
}

// A rule's many findings are decoded on every CPU into what one core
// gives, in the set's order; of several bad findings the first in that
// order is reported.
func TestDecodeManyFindings(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	many := func(bad ...int) ast.Value {
		var fs []any
		for i := range spreadMin + 500 {
			f := map[string]any{
				"object": json.Number(fmt.Sprint(i)), "message": fmt.Sprintf("m%05d", i),
				"evidence": map[string]any{"n": json.Number(fmt.Sprint(i)), "list": []any{"a", json.Number("1")}},
				"related":  []any{map[string]any{"object": json.Number(fmt.Sprint(i + 1)), "path": "subjects[0]"}},
			}
			if slices.Contains(bad, i) {
				f["object"] = fmt.Sprintf("bad%05d", i)
			}
			fs = append(fs, f)
		}
		return value(t, fs)
	}
	v := many()
	elems, _ := elements(v)
	want, err := collect(elems, decodeFinding)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeFindings(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-one core +every CPU):\n%s", diff)
	}
	// The set orders findings by their keys, evidence before message and
	// object: the set's first bad finding is the one with the smallest n.
	_, err = decodeFindings(many(spreadMin+300, 700, spreadMin+200))
	if want := `object: want an object id, got "bad00700"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
