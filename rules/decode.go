package rules

import (
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sascan/sascan/internal/spread"
)

// asTerm has an evaluation return its results as OPA's terms, not
// converted to Go values: decodeFindings reads the findings from them, so
// no converted copy of every finding is built in between.
var asTerm = rego.EvalGenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil })

// decodeFindings reads a rule's findings, the set an evaluation with asTerm
// returns, into rawFindings. Keys other than rawFinding's are ignored;
// evidence is converted to its JSON shape, with numbers as float64, as
// encoding/json would give them.
func decodeFindings(v ast.Value) ([]rawFinding, error) {
	elems, ok := elements(v) // a set; an array from a user's complete rule
	if !ok {
		return nil, fmt.Errorf("want a set of findings, got %s", ast.ValueName(v))
	}
	if elems.Len() < spreadMin {
		return collect(elems, decodeFinding)
	}
	// A large result (one finding per ServiceAccount of a big cluster)
	// is decoded on every CPU: when it is the last rule's, the other
	// workers have nothing left to evaluate.
	terms := make([]*ast.Term, 0, elems.Len())
	elems.Until(func(t *ast.Term) bool {
		terms = append(terms, t)
		return false
	})
	out := make([]rawFinding, len(terms))
	errs := make([]error, len(terms))
	spread.Each(len(terms), func(i int) { out[i], errs[i] = decodeFinding(terms[i].Value) })
	for _, err := range errs {
		if err != nil {
			return nil, err // the first, as one core would have stopped at it
		}
	}
	return out, nil
}

// spreadMin is how many findings a rule returns before they are decoded
// and made on every CPU.
const spreadMin = 1000

var (
	keyObject      = ast.StringTerm("object")
	keyPath        = ast.StringTerm("path")
	keyMessage     = ast.StringTerm("message")
	keySeverity    = ast.StringTerm("severity")
	keyConfidence  = ast.StringTerm("confidence")
	keyAllowListed = ast.StringTerm("allowListed")
	keyKey         = ast.StringTerm("key")
	keyEvidence    = ast.StringTerm("evidence")
	keyRelated     = ast.StringTerm("related")
)

func decodeFinding(v ast.Value) (rawFinding, error) {
	var f rawFinding
	m, ok := v.(ast.Object)
	if !ok {
		return f, fmt.Errorf("want a finding object, got %s", termText(v))
	}
	var err error
	if f.Object, err = intField(m, keyObject); err != nil {
		return f, err
	}
	for _, s := range []struct {
		key *ast.Term
		dst *string
	}{{keyPath, &f.Path}, {keyMessage, &f.Message}, {keySeverity, &f.Severity}, {keyConfidence, &f.Confidence}, {keyAllowListed, &f.AllowListed}, {keyKey, &f.Key}} {
		if *s.dst, err = stringField(m, s.key); err != nil {
			return f, err
		}
	}
	if ev := m.Get(keyEvidence); ev != nil && ev.Value != ast.NullValue {
		em, ok := ev.Value.(ast.Object)
		if !ok {
			return f, fmt.Errorf("evidence: want an object, got %s", termText(ev.Value))
		}
		p, err := plain(em)
		if err != nil {
			return f, fmt.Errorf("evidence: %w", err)
		}
		f.Evidence = p.(map[string]any)
	}
	if rel := m.Get(keyRelated); rel != nil && rel.Value != ast.NullValue {
		rl, ok := elements(rel.Value)
		if !ok {
			return f, fmt.Errorf("related: want a list, got %s", termText(rel.Value))
		}
		var err error
		if f.Related, err = collect(rl, decodeRelated); err != nil {
			return f, fmt.Errorf("related: %w", err)
		}
	}
	return f, nil
}

func decodeRelated(v ast.Value) (rawRelated, error) {
	var r rawRelated
	m, ok := v.(ast.Object)
	if !ok {
		return r, fmt.Errorf("want {object, path}, got %s", termText(v))
	}
	var err error
	if r.Object, err = intField(m, keyObject); err != nil {
		return r, err
	}
	r.Path, err = stringField(m, keyPath)
	return r, err
}

// collect converts each element of elems with f, in order.
func collect[T any](elems elementList, f func(ast.Value) (T, error)) ([]T, error) {
	if elems.Len() == 0 {
		return nil, nil
	}
	out := make([]T, 0, elems.Len())
	var err error
	elems.Until(func(e *ast.Term) bool {
		var x T
		x, err = f(e.Value)
		out = append(out, x)
		return err != nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// elementList is an array or a set.
type elementList interface {
	Len() int
	Until(func(*ast.Term) bool) bool
}

// elements is v's elements when it is an array or a set (in order), which
// JSON holds as a list.
func elements(v ast.Value) (elementList, bool) {
	switch x := v.(type) {
	case ast.Set:
		return x, true
	case *ast.Array:
		return x, true
	}
	return nil, false
}

func intField(m ast.Object, key *ast.Term) (int, error) {
	t := m.Get(key)
	if t == nil || t.Value == ast.NullValue {
		return 0, nil
	}
	if n, ok := t.Value.(ast.Number); ok {
		if i, ok := n.Int(); ok {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: want an object id, got %s", string(key.Value.(ast.String)), termText(t.Value))
}

func stringField(m ast.Object, key *ast.Term) (string, error) {
	t := m.Get(key)
	if t == nil || t.Value == ast.NullValue {
		return "", nil
	}
	if s, ok := t.Value.(ast.String); ok {
		return string(s), nil
	}
	return "", fmt.Errorf("%s: want a string, got %s", string(key.Value.(ast.String)), termText(t.Value))
}

// plain converts a value to what decoding its JSON text (as OPA writes it)
// into any gives: objects as map[string]any, arrays and sets as []any,
// numbers as float64.
func plain(v ast.Value) (any, error) {
	switch x := v.(type) {
	case ast.Null:
		return nil, nil
	case ast.Boolean:
		return bool(x), nil
	case ast.String:
		return string(x), nil
	case ast.Number:
		f, err := json.Number(x).Float64()
		if err != nil {
			return string(x), nil
		}
		return f, nil
	case ast.Object:
		out := make(map[string]any, x.Len())
		var err error
		x.Until(func(k, e *ast.Term) bool {
			key := termText(k.Value) // a key that is not a string: its JSON text, as OPA writes it
			if ks, ok := k.Value.(ast.String); ok {
				key = string(ks)
			}
			out[key], err = plain(e.Value)
			return err != nil
		})
		return out, err
	case *ast.Array, ast.Set:
		elems, _ := elements(x)
		out, err := collect(elems, plain)
		if out == nil && err == nil {
			out = []any{} // an empty list, not null
		}
		return out, err
	}
	return nil, fmt.Errorf("not a JSON value: %s", termText(v))
}

// termText is v as JSON, for error messages.
func termText(v ast.Value) string {
	j, err := ast.JSON(v)
	if err != nil {
		return v.String()
	}
	b, err := json.Marshal(j)
	if err != nil {
		return v.String()
	}
	return string(b)
}
