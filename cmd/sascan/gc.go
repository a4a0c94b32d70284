package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Garbage-collector pacing for a scan. A scan allocates its Rego input
// and OPA's evaluation state in one burst and exits; most of what it
// allocates dies young. With Go's default pacing (GOGC=100) the collector
// took 14 to 18 % of the CPU in profiles of the 5k-object live benchmark
// and of manifest dumps, and the heap grew to twice the live heap: 2.7 GB
// for a 100,000-object scan whose live heap peaks near 1 GB. sascan
// therefore lets the heap grow to five times the live heap (GOGC=400) under
// a soft limit of 1400 MiB, which keeps the process within 1.5 GiB
// (make bench, README Performance) at the cost of more collections when
// the live heap nears a gigabyte. Once the live heap passes
// liveHeapForDefaultGC, where the limit would have the collector run
// almost without pause, it restores the defaults and memory follows the
// live heap as without tuning. In a container whose memory limit is lower,
// the soft limit is nine tenths of the container's (containerMemoryLimit),
// so the collector works before the kernel kills. GOGC or GOMEMLIMIT in
// the environment turn the pacing off. Either way the heap, up to the
// lower of the two limits, asks for huge pages (hugepages.go).
const (
	smallScanGCPercent   = 400
	smallScanMemoryLimit = 1400 << 20
	liveHeapForDefaultGC = 1 << 30
	gcPollInterval       = 20 * time.Millisecond
)

var gcTuning = new(sync.Once) // a variable so that tests can apply the pacing again

var hugeHeapOnce = new(sync.Once) // once per process, also when tests apply the pacing again (unless they replace it)

var prepareHeap = hugeHeap // a variable so that tests can see what a scan prepares

// tuneGC applies the pacing above, and prepares the heap's huge pages,
// once per process.
func tuneGC() {
	gcTuning.Do(func() {
		limit := softMemoryLimit(containerMemoryLimit(os.ReadFile))
		huge := int(min(limit, debug.SetMemoryLimit(-1)))
		pace := os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == ""
		if pace {
			debug.SetGCPercent(smallScanGCPercent)
			debug.SetMemoryLimit(limit)
		}
		// In the background: it takes about 10 ms, while the catalogue
		// loads. The watcher starts after it, as the live heap it reads
		// may count the range hugeHeap maps until hugeHeap has collected
		// it.
		go func() {
			hugeHeapOnce.Do(func() { prepareHeap(huge) })
			if pace {
				watchLiveHeap(liveHeapForDefaultGC, gcPollInterval, nil)
			}
		}()
	})
}

// softMemoryLimit is the pacing's soft limit under a container memory
// limit of container bytes (0: none).
func softMemoryLimit(container int64) int64 {
	if container > 0 && container/10*9 < smallScanMemoryLimit {
		return container / 10 * 9
	}
	return smallScanMemoryLimit
}

// containerMemoryLimit is the memory limit of the process's cgroup (v2's
// memory.max, else v1's memory.limit_in_bytes), or 0 when there is none or
// it cannot be read.
func containerMemoryLimit(read func(string) ([]byte, error)) int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := read(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n <= 0 || n >= math.MaxInt64/2 {
			return 0 // "max", or v1's "no limit" (a page-rounded MaxInt64)
		}
		return n
	}
	return 0
}

// watchLiveHeap restores the default pacing, with no memory limit, once
// the heap that survived the last collection exceeds threshold bytes. It
// returns then, or when stop is closed.
func watchLiveHeap(threshold uint64, every time.Duration, stop <-chan struct{}) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > threshold {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			return
		}
	}
}
