package spread

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Every index is called once, on more than one goroutine when there are
// CPUs for it, and nothing is called for n <= 0.
func TestEach(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for _, n := range []int{0, -1, 1, 2, 7} {
		calls := make([]atomic.Int32, max(n, 0))
		Each(n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d: fn(%d) called %d times", n, i, c)
			}
		}
	}
	// Three calls that each wait for the other two see them only when
	// they run at once.
	var arrived atomic.Int32
	deadline := time.Now().Add(10 * time.Second)
	Each(3, func(i int) {
		arrived.Add(1)
		for arrived.Load() < 3 {
			if time.Now().After(deadline) {
				t.Errorf("fn(%d) ran alone", i)
				return
			}
			runtime.Gosched()
		}
	})
}
