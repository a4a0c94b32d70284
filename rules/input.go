package rules

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// InputValue converts the inventory into the Rego input document once, in
// parallel: {mode, params, objects, kinds, index, tokenCandidates,
// tokenCandidateSpecs, podSpecs, projectedTokens, controlPlanes, access,
// audit}. kinds[k]
// lists the objects of kind k, so that rules never scan every object;
// index finds an object by its identity (keyIndex); tokenCandidates lists
// the ids of the objects with a string in which a JWT could be found
// (mayHoldToken), so the token rules read only those, and
// tokenCandidateSpecs the indexes in podSpecs of those objects' pod specs.
// projectedTokens lists [pod spec, volume, source] indexes of the projected
// token sources of the pod specs that run with a credential (not static).
func InputValue(inv *scanner.Inventory, model *access.Model, p Params, opts InputOptions) (ast.Value, error) {
	proj := opts.Projection
	if len(model.PodSpecs) != len(inv.PodSpecs) {
		return nil, fmt.Errorf("build input: the access model has %d pod specs, the inventory %d: built from another inventory", len(model.PodSpecs), len(inv.PodSpecs))
	}
	objs := make([]*ast.Term, len(inv.Objects))
	candidate := make([]bool, len(inv.Objects))
	workers := runtime.GOMAXPROCS(0)
	var accessModel *ast.Term
	err := parallel(workers+1, func(w int) error {
		if w == workers { // the access model does not read the object terms
			accessModel = accessTerm(model)
			settle(accessModel)
			return nil
		}
		c := newTerms(proj, !opts.Unshared)
		for i := w; i < len(inv.Objects); i += workers {
			o := inv.Objects[i]
			pr := proj.prepareWith(o.Kind, o.Raw, c)
			t, err := objectTerm(o, pr, c)
			if err != nil {
				return err
			}
			settle(t)
			objs[i] = t
			candidate[i] = pr.tokenCandidate
			if opts.ReleaseRaw {
				o.ReleaseRaw()
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	specs := make([]*ast.Term, len(inv.PodSpecs))
	var index *ast.Term
	_ = parallel(workers+1, func(w int) error {
		if w == workers {
			index = keyIndex(inv, objs)
			return nil
		}
		c := newTerms(proj, !opts.Unshared)
		for i := w; i < len(specs); i += workers {
			ps := inv.PodSpecs[i]
			specs[i] = podSpecTerm(objs[ps.Object], ps, model.PodSpecs[i], c)
			settle(specs[i])
		}
		return nil
	})
	cps := make([]any, 0, len(inv.ControlPlanes))
	for _, cp := range inv.ControlPlanes {
		flags := map[string]any{}
		names := make([]string, 0, len(cp.Flags))
		for n := range cp.Flags {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			var occ []any
			for _, f := range cp.Flags[n] {
				occ = append(occ, map[string]any{"value": f.Value, "bare": f.Bare, "path": f.Path})
			}
			flags[n] = occ
		}
		cps = append(cps, map[string]any{"object": cp.Object, "component": cp.Component, "path": cp.Path, "flags": flags})
	}
	// kinds holds the object terms themselves (shared, not copied), so a
	// rule reads the objects of a kind without a lookup per object.
	kinds := map[string][]*ast.Term{}
	candidates := []any{}
	for i, o := range inv.Objects {
		kinds[o.Kind] = append(kinds[o.Kind], objs[i])
		if candidate[i] {
			candidates = append(candidates, o.ID)
		}
	}
	byKind := ast.NewObject()
	for k, l := range kinds {
		byKind.Insert(ast.StringTerm(k), ast.ArrayTerm(l...))
	}
	candidateSpecs := []any{}
	for i, ps := range inv.PodSpecs {
		if candidate[ps.Object] {
			candidateSpecs = append(candidateSpecs, i)
		}
	}
	projected := []any{}
	for i, ps := range model.PodSpecs {
		if ps.Static {
			continue
		}
		for _, t := range ps.ProjectedTokens {
			projected = append(projected, []any{i, t.Volume, t.Source})
		}
	}
	rest, err := ast.InterfaceToValue(map[string]any{
		"tokenCandidates":     candidates,
		"tokenCandidateSpecs": candidateSpecs,
		"projectedTokens":     projected,
		"mode":                string(inv.Mode),
		"params":              p.value(),
		"controlPlanes":       cps,
	})
	if err != nil {
		return nil, fmt.Errorf("convert input: %w", err)
	}
	settle(ast.NewTerm(rest))
	obj := rest.(ast.Object)
	obj.Insert(constTerm("objects"), ast.ArrayTerm(objs...))
	obj.Insert(constTerm("kinds"), ast.NewTerm(byKind))
	obj.Insert(constTerm("index"), index)
	obj.Insert(constTerm("podSpecs"), ast.ArrayTerm(specs...))
	obj.Insert(constTerm("access"), accessModel)
	if p.Audit != nil {
		audit := auditTerm(p.Audit, model)
		settle(audit)
		obj.Insert(constTerm("audit"), audit)
	}
	// The objects, pod specs and access model were settled as they were
	// built: sort only the keys of the objects holding them.
	byKind.Foreach(func(*ast.Term, *ast.Term) {})
	obj.Foreach(func(*ast.Term, *ast.Term) {})
	return obj, nil
}

// keyIndex is the input's index of objects by identity:
// {kind: {group: {"namespace/name": object}}}, the key of a cluster-scoped
// object being "/name". Only the last definition of an identity is there
// (the others are shadowed), as `kubectl apply` of the input would leave.
// It holds the object terms themselves.
func keyIndex(inv *scanner.Inventory, objs []*ast.Term) *ast.Term {
	type kindGroup struct{ kind, group string }
	// Keys are gathered first and each inserted once: replacing a key's
	// value in an ast.Object rehashes the whole object.
	last := map[kindGroup]map[string]int{}
	for i, o := range inv.Objects {
		if o.Shadowed {
			continue
		}
		kg := kindGroup{o.Kind, o.Group}
		if last[kg] == nil {
			last[kg] = map[string]int{}
		}
		last[kg][o.Namespace+"/"+o.Name] = i
	}
	// An object's hash is summed as its entries are inserted: each object
	// is complete before it goes into the one above it. The objects were
	// settled as they were built: sort only the keys of the index's own
	// objects (Foreach does).
	noop := func(*ast.Term, *ast.Term) {}
	byKind := map[string]ast.Object{}
	for kg, keys := range last {
		m := ast.NewObject()
		for k, i := range keys {
			m.Insert(ast.StringTerm(k), objs[i])
		}
		m.Foreach(noop)
		if byKind[kg.kind] == nil {
			byKind[kg.kind] = ast.NewObject()
		}
		byKind[kg.kind].Insert(ast.StringTerm(kg.group), ast.NewTerm(m))
	}
	index := ast.NewObject()
	for kind, groups := range byKind {
		groups.Foreach(noop)
		index.Insert(ast.StringTerm(kind), ast.NewTerm(groups))
	}
	index.Foreach(noop)
	return ast.NewTerm(index)
}

// settle sorts the keys of every object and set of t now. OPA sorts them
// in place the first time they are read in order, under a sync.Once that
// some readers do not take (set union, object copy); a term several
// evaluation workers read (the input, a document one worker hands to the
// others) is settled before they share it, so that none of them writes it.
func settle(t *ast.Term) {
	ast.WalkTerms(t, func(*ast.Term) bool { return false })
}

// InputOptions tune how InputValue builds the input.
type InputOptions struct {
	// Projection is what of each object goes in (nil: whole objects).
	Projection *Projection
	// ReleaseRaw drops each raw object once its term is built, so the raw
	// objects and their terms are not all in memory at once.
	ReleaseRaw bool
	// Unshared: InputValue converts every object with terms of its own.
	// Tests compare with it.
	Unshared bool
}

// podSpecTerm is one pod spec as the rules read it (lib/k8s pod_specs):
// {obj, path, spec, meta, sa, saKey, static, automount, containers,
// tokenContainers, autoTokenContainers, injectedVolumes, secretRefs, host,
// exposure}. obj, spec and meta are the
// object's own sub-terms, not copies; containers lists every container
// (init, regular, ephemeral) with its field path, the volumes its
// volumeMounts name and how it holds the token (the access model's
// auto and projected); tokenContainers and autoTokenContainers are the
// non-ephemeral ones that hold a token, and an automounted one.
func podSpecTerm(obj *ast.Term, ps scanner.PodSpec, m access.PodSpec, c *terms) *ast.Term {
	meta := ps.Meta
	if meta == nil {
		meta = []string{"metadata"}
	}
	raw := get(obj, "object")
	spec := get(raw, ps.Path...)
	if spec == nil {
		spec = ast.ObjectTerm()
	}
	md := get(raw, meta...)
	if md == nil {
		md = ast.ObjectTerm()
	}
	specPath := strings.Join(ps.Path, ".")
	volumes := map[string][]*ast.Term{}
	if vs, ok := valueOf(get(spec, keyVolumes)).(*ast.Array); ok {
		vs.Foreach(func(v *ast.Term) {
			if name, ok := valueOf(get(v, keyName)).(ast.String); ok {
				volumes[string(name)] = append(volumes[string(name)], v)
			}
		})
	}
	var containers, holding, auto []*ast.Term
	for _, ct := range m.Containers {
		cs, _ := valueOf(get(spec, ct.Field)).(*ast.Array)
		ctr := cs.Elem(ct.Index)
		var mounted []*ast.Term
		if ms, ok := valueOf(get(ctr, keyVolumeMounts)).(*ast.Array); ok {
			ms.Foreach(func(mt *ast.Term) {
				if name, ok := valueOf(get(mt, keyName)).(ast.String); ok {
					mounted = append(mounted, volumes[string(name)]...)
				}
			})
		}
		t := ast.ObjectTerm(
			ast.Item(constTerm("field"), c.str(ct.Field)),
			ast.Item(constTerm("index"), ast.InternedTerm(ct.Index)),
			ast.Item(constTerm("path"), c.str(fmt.Sprintf("%s.%s[%d]", specPath, ct.Field, ct.Index))),
			ast.Item(constTerm("c"), ctr),
			ast.Item(constTerm("mounted"), arrayTerm(mounted)),
			ast.Item(constTerm("auto"), ast.InternedTerm(ct.Auto)),
			ast.Item(constTerm("projected"), ast.InternedTerm(ct.Projected)),
		)
		containers = append(containers, t)
		if ct.HoldsToken() {
			holding = append(holding, t)
			if ct.Auto {
				auto = append(auto, t)
			}
		}
	}
	return ast.ObjectTerm(
		ast.Item(constTerm("obj"), obj),
		ast.Item(constTerm("path"), c.str(specPath)),
		ast.Item(constTerm("spec"), spec),
		ast.Item(constTerm("meta"), md),
		ast.Item(constTerm("sa"), c.str(m.ServiceAccount)),
		ast.Item(constTerm("saKey"), c.str(m.Key)),
		ast.Item(constTerm("static"), ast.InternedTerm(m.Static)),
		ast.Item(constTerm("automount"), ast.InternedTerm(m.Automount)),
		ast.Item(constTerm("containers"), arrayTerm(containers)),
		ast.Item(constTerm("tokenContainers"), arrayTerm(holding)),
		ast.Item(constTerm("autoTokenContainers"), arrayTerm(auto)),
		ast.Item(constTerm("injectedVolumes"), intsTerm(m.Injected)),
		ast.Item(constTerm("secretRefs"), secretRefsTerm(specPath, m)),
		ast.Item(constTerm("host"), hostTerm(m.Host)),
		ast.Item(constTerm("exposure"), exposureTerm(m.Exposure)),
	)
}

// exposureTerm lists the Services that select a pod spec's pods
// (access.Exposure), each as {service, type, ingresses}. Most pod specs
// have none: they share one term.
func exposureTerm(ex []access.Exposure) *ast.Term {
	if len(ex) == 0 {
		return emptyArray
	}
	ts := make([]*ast.Term, len(ex))
	for i, e := range ex {
		ts[i] = ast.ObjectTerm(
			ast.Item(constTerm("service"), ast.StringTerm(e.Service)),
			ast.Item(constTerm("type"), ast.StringTerm(e.Type)),
			ast.Item(constTerm("ingresses"), stringsTerm(e.Ingresses)),
		)
	}
	return ast.ArrayTerm(ts...)
}

// arrayTerm is the array of ts; the empty ones share emptyArray.
func arrayTerm(ts []*ast.Term) *ast.Term {
	if len(ts) == 0 {
		return emptyArray
	}
	return ast.ArrayTerm(ts...)
}

// emptyArray is an empty array, settled once and never changed.
var emptyArray = func() *ast.Term {
	t := ast.ArrayTerm()
	settle(t)
	return t
}()

// emptyObject is the content of an object whose kind no rule reads
// (Projection), settled once and never changed.
var emptyObject = func() ast.Value {
	t := ast.ObjectTerm()
	settle(t)
	return t.Value
}()

// hostTerm is what of its node a pod spec reaches (access.Host):
// {privileged, namespaces, hostPath, capabilities}. Most pod specs reach
// nothing: they share one term.
func hostTerm(h access.Host) *ast.Term {
	if !h.Privileged && !h.Path && len(h.Namespaces) == 0 && len(h.Capabilities) == 0 {
		return noHost
	}
	return newHostTerm(h)
}

// noHost is the host term of a pod spec that reaches nothing of its node,
// settled once and never changed.
var noHost = func() *ast.Term {
	t := newHostTerm(access.Host{})
	settle(t)
	return t
}()

func newHostTerm(h access.Host) *ast.Term {
	ns := make([]*ast.Term, len(h.Namespaces))
	for i, n := range h.Namespaces {
		ns[i] = constTerm(n)
	}
	return ast.ObjectTerm(
		ast.Item(constTerm("privileged"), ast.InternedTerm(h.Privileged)),
		ast.Item(constTerm("namespaces"), ast.ArrayTerm(ns...)),
		ast.Item(constTerm("hostPath"), ast.InternedTerm(h.Path)),
		ast.Item(constTerm("capabilities"), stringsTerm(h.Capabilities)),
	)
}

// secretRefsTerm lists the Secrets a pod spec names (access.SecretRef),
// each as {secret, how, path, used}: how is "mounts" for a volume and
// "reads" for env and envFrom; used says whether a container uses it (a
// volume: some container mounts it; env and envFrom always); path is the
// volume's or the entry's field path.
func secretRefsTerm(specPath string, m access.PodSpec) *ast.Term {
	refs := make([]*ast.Term, len(m.SecretRefs))
	for i, r := range m.SecretRefs {
		how, path, used := "reads", "", true
		if r.Volume >= 0 {
			how, used = "mounts", r.Mounted
			path = fmt.Sprintf("%s.volumes[%d]", specPath, r.Volume)
		} else {
			c := m.Containers[r.Container]
			path = fmt.Sprintf("%s.%s[%d].%s[%d]", specPath, c.Field, c.Index, r.Field, r.Index)
		}
		refs[i] = ast.ObjectTerm(
			ast.Item(constTerm("secret"), ast.StringTerm(r.Secret)),
			ast.Item(constTerm("how"), ast.StringTerm(how)),
			ast.Item(constTerm("path"), ast.StringTerm(path)),
			ast.Item(constTerm("used"), ast.InternedTerm(used)),
		)
	}
	return arrayTerm(refs)
}

// The keys podSpecTerm reads from an object's term below its pod spec,
// beside the container lists; the projection keeps them (inputKeys).
const (
	keyVolumes      = "volumes"
	keyVolumeMounts = "volumeMounts"
	keyName         = "name"
)

func intsTerm(l []int) *ast.Term {
	ts := make([]*ast.Term, len(l))
	for i, n := range l {
		ts[i] = ast.InternedTerm(n)
	}
	return arrayTerm(ts)
}

// get walks object keys from t; nil when a key is missing or a value on
// the way is not an object.
func get(t *ast.Term, keys ...string) *ast.Term {
	for _, k := range keys {
		o, ok := valueOf(t).(ast.Object)
		if !ok {
			return nil
		}
		t = o.Get(ast.StringTerm(k))
	}
	return t
}

func valueOf(t *ast.Term) ast.Value {
	if t == nil {
		return nil
	}
	return t.Value
}

// objectTerm is an object's input term: {id, kind, namespace, name,
// object}, which Go reads too (podSpecTerm, keyIndex), and apiVersion,
// group, origin, owners and shadowed where a policy may read them (always
// without projection).
func objectTerm(o *scanner.Object, pr prepared, c *terms) (*ast.Term, error) {
	if pr.err != nil {
		return nil, fmt.Errorf("convert %s %s/%s: %w", o.Kind, o.Namespace, o.Name, pr.err)
	}
	kvs := make([][2]*ast.Term, 0, 10)
	kvs = append(kvs,
		ast.Item(constTerm("id"), ast.InternedTerm(o.ID)),
		ast.Item(constTerm("kind"), c.str(o.Kind)),
		ast.Item(constTerm("namespace"), c.str(o.Namespace)),
		ast.Item(constTerm("name"), ast.StringTerm(o.Name)),
		ast.Item(constTerm("object"), ast.NewTerm(pr.value)),
	)
	if c.proj.names("apiVersion") {
		kvs = append(kvs, ast.Item(constTerm("apiVersion"), c.str(o.APIVersion)))
	}
	if c.proj.names("group") {
		kvs = append(kvs, ast.Item(constTerm("group"), c.str(o.Group)))
	}
	if c.proj.names("origin") {
		kvs = append(kvs, ast.Item(constTerm("origin"), c.str(string(o.Origin))))
	}
	if c.proj.names("owners") {
		ts := make([]*ast.Term, len(o.Owners))
		for i, id := range o.Owners {
			ts[i] = ast.InternedTerm(id)
		}
		kvs = append(kvs, ast.Item(constTerm("owners"), arrayTerm(ts)))
	}
	if c.proj.names("shadowed") {
		kvs = append(kvs, ast.Item(constTerm("shadowed"), ast.InternedTerm(o.Shadowed)))
	}
	return ast.ObjectTerm(kvs...), nil
}

// constTerms are the keys and fixed values the input builders write, one
// term each, shared by every object of every scan (terms are never changed
// once built). Read only; TestConstTermsListed keeps it whole.
var constTerms = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, s := range []string{
		"access", "aggregated", "apiGroups", "apiVersion", "audit", "auto", "autoTokenContainers",
		"automount", "beyondBaseline", "bindings", "bootstrapGroups", "c", "capabilities",
		"containers", "direct", "exposure", "field", "group", "groups", "heldTokens", "host", "hostIPC", "hostNetwork",
		"hostPID", "hostPath", "how", "id", "index", "ingresses", "injectedVolumes", "kind", "kinds", "known",
		"meta", "mounted", "name", "namespace", "namespaces", "nonResourceURLs", "obj", "object",
		"objects", "origin", "owners", "path", "podSpecs", "privileged", "projected",
		"resourceNames", "resources", "role", "roles", "rules", "sa", "saKey", "sample",
		"sampleSize", "scope", "secret", "secretRefs", "selects", "service", "serviceAccount",
		"serviceAccounts", "shadowed", "spec", "static", "subjects", "tokenContainers",
		"tokenGraph", "tokenHolders", "tokenSources", "type", "used", "verbs", "way",
	} {
		m[s] = ast.StringTerm(s)
	}
	return m
}()

// constTerm is the shared term of s, or a term of its own for a string
// constTerms does not list.
func constTerm(s string) *ast.Term {
	if t, ok := constTerms[s]; ok {
		return t
	}
	return ast.StringTerm(s)
}

func (p *Projection) prepare(raw map[string]any) prepared {
	kind, _ := raw["kind"].(string)
	return p.prepareWith(kind, raw, newTerms(p, false))
}

// prepareWith converts raw, an object of kind kind, with c (c's projection
// is p's).
func (p *Projection) prepareWith(kind string, raw map[string]any, c *terms) prepared {
	if mayHoldToken(raw) {
		return p.whole(raw)
	}
	if !p.readsContent(kind) {
		return prepared{value: emptyObject}
	}
	v, err := c.object(raw)
	return prepared{value: v, err: err}
}

// whole converts an object that may hold a token: the token rules walk
// every string of it, so it goes in whole.
func (p *Projection) whole(raw map[string]any) prepared {
	v, err := ast.InterfaceToValue(raw)
	return prepared{value: v, err: err, tokenCandidate: true}
}

// prepared is what InputValue makes of an object.
type prepared struct {
	value          ast.Value
	err            error
	tokenCandidate bool
}
