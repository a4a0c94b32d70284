package rules

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// A Projection is what of each object the rules' input carries: only the
// fields the built-in policies name. A policy reads an object through
// constant keys (obj.object.spec.template, object.get(x, "volumes", [])),
// so a mapping key no policy names is never read, and leaving it out of
// the input changes no finding while it saves most of the input's terms
// (probes, resources, ports, managed fields).
//
// What a policy reads without naming keys is kept whole:
//   - Kubernetes' free-form maps (freeFormKeys: labels, annotations, data,
//     selectors), which rules iterate, and any other mapping whose values
//     are all scalars;
//   - every object that may hold a token (the token rules walk all its
//     strings);
//   - arrays keep their length and order (rules count and index them).
//
// An object whose kind no policy names, and that none of the input's own
// documents is built from (termKinds), goes in without its content
// (object is {}): the rules reach objects only by kinds they name
// (input.kinds, input.index), or by the ids the input's documents and
// token candidates give (podSpecs, access, controlPlanes), so nothing
// reads it. A ServiceMonitor or a PodDisruptionBudget keeps its identity
// (a rule could still name it in a finding), not its spec. Under the
// projection an object's own input term also leaves out the keys no
// policy names (objectTerm).
//
// There is no projection with user policies (-p), which see whole objects,
// nor when a policy reads a value whole with walk, json.marshal or
// yaml.marshal (wholeReaders). TestProjectionKeepsFindings scans the
// fixtures, the corpus and generated clusters with and without it and
// requires the same findings.
type Projection struct {
	fields map[string]bool
}

// Projection returns the projection of the catalogue's built-in policies,
// or nil (whole objects) when it holds user policies. It is computed once:
// objects a live scan prepares while listing are used as they are only
// under the same projection.
func (c *Catalogue) Projection() *Projection {
	c.projOnce.Do(func() {
		if c.user || readsWhole(c.modules) {
			return
		}
		fields := map[string]bool{}
		for _, k := range inputKeys() {
			fields[k] = true
		}
		for _, m := range c.modules {
			ast.WalkTerms(m, func(t *ast.Term) bool {
				if s, ok := t.Value.(ast.String); ok {
					fields[string(s)] = true
				}
				return false
			})
		}
		c.proj = &Projection{fields: fields}
	})
	return c.proj
}

// termKinds are the kinds the input's documents are built from
// (inputSources): a pod spec holds parts of its workload's term, and the
// access model and the control-plane flags give rules the ids of such
// objects, whose content the rules then read. The kinds a field is built
// from (fieldSources: exposure's Services and Ingresses) are read in Go
// only, and go in as far as policies name them.
var termKinds = func() map[string]bool {
	kinds := map[string]bool{}
	for _, l := range inputSources {
		for _, k := range l {
			kinds[k] = true
		}
	}
	return kinds
}()

// readsContent reports whether the rules may read the content of an
// object of kind k: no projection, a kind a policy names, or one the
// input's documents are built from (termKinds).
func (p *Projection) readsContent(k string) bool {
	return p == nil || p.fields[k] || termKinds[k]
}

// names reports whether a policy names key (always without projection).
func (p *Projection) names(key string) bool {
	return p == nil || p.fields[key]
}

// freeFormKeys name Kubernetes' maps whose keys are the user's: kept whole
// whatever their values.
var freeFormKeys = map[string]bool{
	"labels": true, "annotations": true, "data": true, "stringData": true, "binaryData": true,
	"selector": true, "matchLabels": true, "nodeSelector": true,
}

// wholeReaders are the built-in functions that read every part of a value.
var wholeReaders = map[string]bool{"walk": true, "json.marshal": true, "json.marshal_with_options": true, "yaml.marshal": true}

// readsWhole reports whether a module calls one of wholeReaders.
func readsWhole(modules map[string]*ast.Module) bool {
	found := false
	for _, m := range modules {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if e.IsCall() && wholeReaders[e.Operator().String()] {
				found = true
			}
			return found
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if call, ok := t.Value.(ast.Call); ok && wholeReaders[call[0].String()] {
				found = true
			}
			return found
		})
	}
	return found
}

// inputKeys are the keys the input's own documents read from objects
// (podSpecTerm): the way to each pod spec, its containers, their volume
// mounts and the volumes they name.
func inputKeys() []string {
	return append(append(scanner.PodSpecKeys(), access.ContainerFields()...), keyVolumes, keyVolumeMounts, keyName)
}

// terms converts raw objects to input terms under a projection (nil:
// whole objects). With share set it also shares equal subterms: a term is
// immutable during evaluation, so the pods of one template, the same
// volume mount or the same label set in ten thousand objects can be one
// term (InputValue has a terms per worker, so objects share with the
// others of the same worker; strings over maxSharedString are not
// shared). Each converted term has an id, equal within one terms exactly
// when the values are equal (share) or never (no share); a mapping's or
// array's signature is its keys and its values' ids.
type terms struct {
	proj   *Projection
	share  map[string]sharedTerm // by signature; nil: no sharing
	nextID uint64
	sig    []byte
}

// maxSharedString is the longest string terms shares.
const maxSharedString = 64

type sharedTerm struct {
	t  *ast.Term
	id uint64
}

func newTerms(p *Projection, share bool) *terms {
	c := &terms{proj: p}
	if share {
		c.share = map[string]sharedTerm{}
	}
	return c
}

// object converts one raw object.
func (c *terms) object(raw map[string]any) (ast.Value, error) {
	t, _, err := c.value(raw, true)
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// value converts v; project is false below a mapping kept whole.
func (c *terms) value(v any, project bool) (*ast.Term, uint64, error) {
	switch v := v.(type) {
	case map[string]any:
		return c.mapping(v, project)
	case []any:
		return c.array(v, project)
	case string:
		if len(v) > maxSharedString {
			// A long string (a last-applied annotation, a ConfigMap's
			// file) is rarely repeated; its signature would copy it.
			return c.fresh(ast.StringTerm(v))
		}
		return c.scalar(append(append(c.sig[:0], 's'), v...), v)
	case bool:
		b := byte('f')
		if v {
			b = 't'
		}
		return c.scalar(append(c.sig[:0], 'b', b), v)
	case int64:
		return c.scalar(binary.AppendVarint(append(c.sig[:0], 'i'), v), v)
	case int:
		return c.scalar(binary.AppendVarint(append(c.sig[:0], 'i'), int64(v)), v)
	case float64:
		return c.scalar(binary.LittleEndian.AppendUint64(append(c.sig[:0], 'f'), math.Float64bits(v)), v)
	case nil:
		return c.scalar(append(c.sig[:0], 'z'), v)
	default:
		t, err := ast.InterfaceToValue(v)
		if err != nil {
			return nil, 0, err
		}
		return c.fresh(ast.NewTerm(t))
	}
}

// str is the term of string s, shared like the strings of objects.
func (c *terms) str(s string) *ast.Term {
	t, _, _ := c.value(s, false) // a string converts without error
	return t
}

func (c *terms) scalar(sig []byte, v any) (*ast.Term, uint64, error) {
	c.sig = sig
	if s, ok := c.share[string(sig)]; ok {
		return s.t, s.id, nil
	}
	t, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, 0, err
	}
	return c.keep(string(sig), ast.NewTerm(t))
}

func (c *terms) mapping(m map[string]any, project bool) (*ast.Term, uint64, error) {
	if project && (c.proj == nil || scalars(m)) {
		project = false // kept whole
	}
	type item struct {
		k  string
		v  *ast.Term
		id uint64
	}
	items := make([]item, 0, len(m))
	for k, v := range m {
		if project && !c.proj.fields[k] {
			continue
		}
		t, id, err := c.value(v, project && !freeFormKeys[k])
		if err != nil {
			return nil, 0, err
		}
		items = append(items, item{k, t, id})
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.k, b.k) })
	sig := append(c.sig[:0], 'm')
	for _, it := range items {
		sig = binary.AppendUvarint(sig, uint64(len(it.k)))
		sig = append(sig, it.k...)
		sig = binary.AppendUvarint(sig, it.id)
	}
	c.sig = sig
	if s, ok := c.share[string(sig)]; ok {
		return s.t, s.id, nil
	}
	key := string(sig)
	kvs := make([][2]*ast.Term, len(items))
	for i, it := range items {
		kt, _, err := c.scalar(append(append(c.sig[:0], 's'), it.k...), it.k)
		if err != nil {
			return nil, 0, err
		}
		kvs[i] = [2]*ast.Term{kt, it.v}
	}
	return c.keep(key, ast.NewTerm(ast.NewObject(kvs...)))
}

func (c *terms) array(a []any, project bool) (*ast.Term, uint64, error) {
	ts := make([]*ast.Term, len(a))
	ids := make([]uint64, len(a))
	for i, e := range a {
		t, id, err := c.value(e, project)
		if err != nil {
			return nil, 0, err
		}
		ts[i], ids[i] = t, id
	}
	sig := append(c.sig[:0], 'a')
	for _, id := range ids {
		sig = binary.AppendUvarint(sig, id)
	}
	c.sig = sig
	if s, ok := c.share[string(sig)]; ok {
		return s.t, s.id, nil
	}
	return c.keep(string(sig), ast.NewTerm(ast.NewArray(ts...)))
}

// keep records t under its signature (when sharing) and gives it an id.
func (c *terms) keep(sig string, t *ast.Term) (*ast.Term, uint64, error) {
	if c.share == nil {
		return c.fresh(t)
	}
	c.nextID++
	c.share[sig] = sharedTerm{t, c.nextID}
	return t, c.nextID, nil
}

func (c *terms) fresh(t *ast.Term) (*ast.Term, uint64, error) {
	c.nextID++
	return t, c.nextID, nil
}

// scalars reports whether every value of m is a scalar.
func scalars(m map[string]any) bool {
	for _, v := range m {
		switch v.(type) {
		case map[string]any, []any:
			return false
		case nil, string, bool, int, int64, float64, json.Number:
		default:
			// Anything else the loaders produce is converted by
			// InterfaceToValue; treat it as structure, not a scalar.
			return false
		}
	}
	return true
}
