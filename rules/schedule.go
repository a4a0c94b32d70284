package rules

import (
	"cmp"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"
)

// How the rules are spread over the CPUs. OPA evaluates one query on one
// core, and a library document (the capabilities of every binding, the
// attack-path graph) is computed once per cache: a worker that evaluates
// two rules reading it with one cache computes it once. Between rules a
// worker hands the documents it computed to the others (sharedDocs), but
// two workers that start on the same document at once both compute it.
// The schedule therefore keeps rules that read the same library documents
// on one worker and starts each worker on its heaviest rules, so that what
// is left at the end, when workers take rules from one another, is small;
// and a worker never takes a rule whose twin another evaluates (twins,
// workQueues).
//
// A rule's weight is the number of rules it depends on, directly or not:
// how much of the library its evaluation can start. It is an estimate,
// known before any input is seen; the stealing at the end absorbs its
// errors.

// dependencies returns, for each rule, the set of compiled rules its
// findings depend on.
func dependencies(c *ast.Compiler, rules []*Rule) []map[*ast.Rule]bool {
	out := make([]map[*ast.Rule]bool, len(rules))
	for i, r := range rules {
		seen := map[*ast.Rule]bool{}
		var visit func(x util.T)
		visit = func(x util.T) {
			for d := range c.Graph.Dependencies(x) {
				if dr, ok := d.(*ast.Rule); ok && !seen[dr] {
					seen[dr] = true
					visit(dr)
				}
			}
		}
		for _, fr := range c.GetRules(r.refTerms().Append(ast.StringTerm("findings"))) {
			visit(fr)
		}
		out[i] = seen
	}
	return out
}

// sharedDocuments lists the documents (rules without arguments, whose
// value a worker's cache holds) that more than one rule depends on: any two
// rules may end on different workers (a worker that is done takes rules
// from the others), so each such document is handed from the worker that
// computed it to the others (sharedDocs). Sorted by path.
func sharedDocuments(deps []map[*ast.Rule]bool) []ast.Ref {
	readers := map[string]int{}
	refs := map[string]ast.Ref{}
	for _, d := range deps {
		seen := map[string]bool{}
		for r := range d {
			if len(r.Head.Args) > 0 || r.Module == nil {
				continue
			}
			ref := r.Ref()
			if !ref.IsGround() {
				ref = r.Path() // a partial set or object: its whole extent
			}
			k := ref.String()
			if !seen[k] {
				seen[k] = true
				readers[k]++
				refs[k] = ref
			}
		}
	}
	var out []ast.Ref
	for k, n := range readers {
		if n > 1 {
			out = append(out, refs[k])
		}
	}
	slices.SortFunc(out, func(a, b ast.Ref) int { return cmp.Compare(a.String(), b.String()) })
	return out
}

// workerCache is a worker's topdown.VirtualCache. OPA caches two things
// there: documents, by their ref, and the result of each function call,
// by the function's ref and its arguments (such a key's first term is
// itself a ref). Documents stay for the worker's next rule; function
// results only for the rule that computed them: most are called with
// arguments no other rule passes (a finding's text, evidence, object), and
// a scan's worth of them held about 100 MB at the end of the 100k mix.
type workerCache struct {
	docs, calls topdown.VirtualCache
}

func newWorkerCache() *workerCache {
	return &workerCache{docs: topdown.NewVirtualCache(), calls: topdown.NewVirtualCache()}
}

// nextRule forgets the function results of the rule before. It is called
// between evaluations, when no frame is pushed.
func (c *workerCache) nextRule() {
	c.calls = topdown.NewVirtualCache()
}

// forget empties the cache, for good: evaluation state that OPA pools
// refers to it after the last rule (release).
func (c *workerCache) forget() {
	c.docs, c.calls = topdown.NewVirtualCache(), topdown.NewVirtualCache()
}

func (c *workerCache) of(ref ast.Ref) topdown.VirtualCache {
	if len(ref) > 0 {
		if _, call := ref[0].Value.(ast.Ref); call {
			return c.calls
		}
	}
	return c.docs
}

func (c *workerCache) Push() {
	c.docs.Push()
	c.calls.Push()
}

func (c *workerCache) Pop() {
	c.docs.Pop()
	c.calls.Pop()
}

func (c *workerCache) Get(ref ast.Ref) (*ast.Term, bool) { return c.of(ref).Get(ref) }

func (c *workerCache) Put(ref ast.Ref, value *ast.Term) { c.of(ref).Put(ref, value) }

func (c *workerCache) Keys() []ast.Ref { return append(c.docs.Keys(), c.calls.Keys()...) }

// sharedDocs passes shared documents between the workers' caches at rule
// boundaries: after each rule a worker gives the others what it computed,
// before each rule it takes what the others gave. Two workers compute a
// document twice only when they start on it at about the same time; no
// lock is taken while OPA evaluates.
type sharedDocs struct {
	refs []ast.Ref
	mu   sync.Mutex
	// given[i] is refs[i]'s value once a worker computed it; undefined[i]
	// records a document that has none.
	given     []*ast.Term
	undefined []bool
}

func newSharedDocs(refs []ast.Ref) *sharedDocs {
	return &sharedDocs{refs: refs, given: make([]*ast.Term, len(refs)), undefined: make([]bool, len(refs))}
}

// give records the shared documents cache holds that no worker gave yet;
// took[i] is set for each (the worker has it).
func (s *sharedDocs) give(cache topdown.VirtualCache, took []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ref := range s.refs {
		if took[i] || s.given[i] != nil || s.undefined[i] {
			continue
		}
		if v, undefined := cache.Get(ref); v != nil || undefined {
			if v != nil {
				settle(v) // read by other workers from now on
			}
			s.given[i], s.undefined[i], took[i] = v, undefined, true
		}
	}
}

// take puts into cache the documents other workers gave that this worker
// does not hold yet (took[i] false).
func (s *sharedDocs) take(cache topdown.VirtualCache, took []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ref := range s.refs {
		if !took[i] && (s.given[i] != nil || s.undefined[i]) {
			cache.Put(ref, s.given[i])
			took[i] = true
		}
	}
}

// forget drops the documents given, once no rule is left to take them.
func (s *sharedDocs) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.given)
}

// schedule splits rules 0..len(deps)-1 into n queues: the rules in an
// order where each one shares the most dependencies with the one before
// it, cut into n runs of about equal weight, each run heaviest first.
func schedule(deps []map[*ast.Rule]bool, n int) [][]int {
	if len(deps) == 0 {
		return make([][]int, n)
	}
	weight := func(i int) int { return len(deps[i]) }
	// The chain starts at the heaviest rule (the lowest index of equals).
	left := make([]int, len(deps))
	for i := range left {
		left[i] = i
	}
	first := slices.MaxFunc(left, func(a, b int) int { return cmp.Or(cmp.Compare(weight(a), weight(b)), cmp.Compare(b, a)) })
	chain := []int{first}
	left = slices.DeleteFunc(left, func(i int) bool { return i == first })
	for len(left) > 0 {
		last := deps[chain[len(chain)-1]]
		best, bestShared, bestUnion := 0, -1, 1
		for k, i := range left {
			shared, union := overlap(last, deps[i])
			union = max(union, 1)
			// shared/union > bestShared/bestUnion, the first of equals
			if shared*bestUnion > bestShared*union {
				best, bestShared, bestUnion = k, shared, union
			}
		}
		chain = append(chain, left[best])
		left = slices.Delete(left, best, best+1)
	}
	total := 0
	for _, i := range chain {
		total += weight(i)
	}
	queues := make([][]int, n)
	acc := 0
	for _, i := range chain {
		q := min(acc*n/max(total, 1), n-1)
		queues[q] = append(queues[q], i)
		acc += weight(i)
	}
	for _, q := range queues {
		slices.SortStableFunc(q, func(a, b int) int { return cmp.Compare(weight(b), weight(a)) })
	}
	return queues
}

// overlap counts the rules a and b both hold, and those either holds.
func overlap(a, b map[*ast.Rule]bool) (shared, union int) {
	for d := range a {
		if b[d] {
			shared++
		}
	}
	return shared, len(a) + len(b) - shared
}

// Twins are rules that compute nearly the same library documents: the
// rules each depends on, the finding library left out (every rule reads
// it), overlap by two thirds of their union or more. In the built-in
// catalogue the attack-path rules SA033 and SA034 (about three quarters:
// they read one graph), SA011 and SA012, and SA004 and SA019 are twins.
const twinShareNum, twinShareDen = 2, 3

// libraryDependencies returns, for each rule, the rules its findings
// depend on, not following into the finding library.
func libraryDependencies(c *ast.Compiler, rules []*Rule) []map[*ast.Rule]bool {
	out := make([]map[*ast.Rule]bool, len(rules))
	for i, r := range rules {
		out[i] = map[*ast.Rule]bool{}
		for _, d := range closure(c, append(r.refTerms(), ast.StringTerm("findings")), findingLibrary) {
			out[i][d] = true
		}
	}
	return out
}

// twins returns, for each rule, its twins among deps (each rule's
// libraryDependencies).
func twins(deps []map[*ast.Rule]bool) [][]bool {
	out := make([][]bool, len(deps))
	for i := range deps {
		out[i] = make([]bool, len(deps))
		for j := range deps {
			if i == j {
				continue
			}
			shared, union := overlap(deps[i], deps[j])
			out[i][j] = union > 0 && twinShareDen*shared >= twinShareNum*union
		}
	}
	return out
}

// workQueues hands out the rules of a schedule: worker w takes the next
// rule of its own queue, and when that is empty the last (lightest) rule
// of the longest other queue. It never hands out a twin of a rule another
// worker is evaluating: the two would compute the same documents at once
// (sharedDocs hands them over only once a rule is evaluated), doubling the
// work and the memory, where the twin evaluated after reads them from the
// cache. A worker left with only such rules waits for the other's rule
// to end. Safe for concurrent use; each call to newWorkQueues starts over.
type workQueues struct {
	mu      sync.Mutex
	changed *sync.Cond // a rule was evaluated
	queues  [][]int
	twins   [][]bool // twins[i][j]: rules i and j are twins; nil: none
	running []int    // the rule each worker evaluates, -1 for none
}

func newWorkQueues(s [][]int, twins [][]bool) *workQueues {
	q := &workQueues{queues: make([][]int, len(s)), twins: twins, running: make([]int, len(s))}
	q.changed = sync.NewCond(&q.mu)
	for i := range s {
		q.queues[i] = slices.Clone(s[i])
		q.running[i] = -1
	}
	return q
}

// next ends worker w's rule and returns its next one, or false when every
// queue is empty.
func (q *workQueues) next(w int) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running[w] >= 0 {
		q.running[w] = -1
		q.changed.Broadcast()
	}
	for {
		ri, ok, left := q.pick(w)
		if ok {
			q.running[w] = ri
			return ri, true
		}
		if !left {
			return 0, false
		}
		q.changed.Wait()
	}
}

// ended records that worker w evaluates no rule now: its rule's
// evaluation returned (making its findings computes no documents), or the
// worker stops (a rule failed, or the scan was cancelled). Whoever waits
// for that rule's twin goes on.
func (q *workQueues) ended(w int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.running[w] = -1
	q.changed.Broadcast()
}

// pick takes worker w's next rule that is no twin of a running rule: the
// first such of its own queue, else the last (lightest) such of the other
// queues, the longest first. left reports whether any rule is left.
func (q *workQueues) pick(w int) (ri int, ok, left bool) {
	if i := slices.IndexFunc(q.queues[w], q.free); i >= 0 {
		ri = q.queues[w][i]
		q.queues[w] = slices.Delete(q.queues[w], i, i+1)
		return ri, true, true
	}
	byLength := make([]int, 0, len(q.queues))
	for i, other := range q.queues {
		if len(other) > 0 {
			byLength = append(byLength, i)
			left = true
		}
	}
	slices.SortStableFunc(byLength, func(a, b int) int { return cmp.Compare(len(q.queues[b]), len(q.queues[a])) })
	for _, o := range byLength {
		other := q.queues[o]
		for i := len(other) - 1; i >= 0; i-- {
			if q.free(other[i]) {
				ri = other[i]
				q.queues[o] = slices.Delete(other, i, i+1)
				return ri, true, true
			}
		}
	}
	return 0, false, left
}

// free reports whether rule ri is no twin of a rule being evaluated.
func (q *workQueues) free(ri int) bool {
	if q.twins == nil {
		return true
	}
	for _, r := range q.running {
		if r >= 0 && q.twins[r][ri] {
			return false
		}
	}
	return true
}
