// Package spread runs independent pieces of one job on every CPU.
package spread

import (
	"runtime"
	"sync"
)

// Each calls fn(0) ... fn(n-1), spread over GOMAXPROCS goroutines, and
// returns when every call has returned. Calls run at once: fn(i) may
// write only what belongs to i.
func Each(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}
