package rules

import (
	"cmp"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// How the rules are spread over the CPUs. OPA evaluates one query on one
// core, and a library document (the capabilities of every binding, the
// attack-path graph) is computed once per cache: a worker that evaluates
// two rules reading it with one cache computes it once, two workers
// compute it twice. The schedule therefore keeps rules that read the same
// library documents on one worker and starts each worker on its heaviest
// rules, so that what is left at the end, when workers take rules from one
// another, is small.
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
			shared := 0
			for d := range deps[i] {
				if last[d] {
					shared++
				}
			}
			union := max(len(last)+len(deps[i])-shared, 1)
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

// workQueues hands out the rules of a schedule: worker w takes the next
// rule of its own queue, and when that is empty the last (lightest) rule
// of the longest other queue. Safe for concurrent use; each call to
// newWorkQueues starts over.
type workQueues struct {
	mu     sync.Mutex
	queues [][]int
}

func newWorkQueues(s [][]int) *workQueues {
	q := &workQueues{queues: make([][]int, len(s))}
	for i := range s {
		q.queues[i] = slices.Clone(s[i])
	}
	return q
}

// next returns worker w's next rule, or false when every queue is empty.
func (q *workQueues) next(w int) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if own := q.queues[w]; len(own) > 0 {
		q.queues[w] = own[1:]
		return own[0], true
	}
	longest := -1
	for i, other := range q.queues {
		if len(other) > 0 && (longest < 0 || len(other) > len(q.queues[longest])) {
			longest = i
		}
	}
	if longest < 0 {
		return 0, false
	}
	other := q.queues[longest]
	q.queues[longest] = other[:len(other)-1]
	return other[len(other)-1], true
}
