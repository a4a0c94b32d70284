package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// withPacing sets the small-scan pacing for one test and restores the
// process's own afterwards.
func withPacing(t *testing.T) {
	t.Helper()
	oldPercent := debug.SetGCPercent(smallScanGCPercent)
	oldLimit := debug.SetMemoryLimit(smallScanMemoryLimit)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
}

func TestWatchLiveHeapRestoresDefaultsAboveThreshold(t *testing.T) {
	withPacing(t)
	keep := make([]byte, 1<<20)
	runtime.GC() // the live-heap metric now counts keep
	done := make(chan struct{})
	go func() {
		watchLiveHeap(1<<10, time.Millisecond, nil)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not restore the default pacing")
	}
	runtime.KeepAlive(keep)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent = %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit = %d, want none", got)
	}
}

func TestWatchLiveHeapKeepsPacingBelowThreshold(t *testing.T) {
	withPacing(t)
	runtime.GC()
	// A threshold just above the live heap, so the watcher's comparison
	// is a real one: a check that misread the metric or the threshold
	// would restore the defaults.
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	threshold := sample[0].Value.Uint64() + 32<<20
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		watchLiveHeap(threshold, time.Millisecond, stop)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	close(stop)
	<-done
	if got := debug.SetGCPercent(smallScanGCPercent); got != smallScanGCPercent {
		t.Errorf("GC percent = %d, want %d", got, smallScanGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != smallScanMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, smallScanMemoryLimit)
	}
}

// A scan applies the pacing unless GOGC or GOMEMLIMIT is set.
func TestScanPacesTheCollectorUnlessTheEnvironmentSays(t *testing.T) {
	oldOnce := gcTuning
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		gcTuning = oldOnce
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	scan := func() {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"scan", "-o", "json", "--fail-on", "none", "../../testdata/rules/SA016"},
			streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != exitClean {
			t.Fatalf("scan: exit %d: %s", code, errb.String())
		}
	}
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			gcTuning = new(sync.Once)
			t.Setenv(env, "100")
			scan()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GC percent = %d with %s set, want it left alone", got, env)
			}
		})
	}
	gcTuning = new(sync.Once)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	scan()
	if got := debug.SetGCPercent(100); got != smallScanGCPercent {
		t.Errorf("GC percent after a scan = %d, want %d", got, smallScanGCPercent)
	}
	if want := softMemoryLimit(containerMemoryLimit(os.ReadFile)); debug.SetMemoryLimit(-1) != want {
		t.Errorf("memory limit after a scan = %d, want %d", debug.SetMemoryLimit(-1), want)
	}
}

// A scan prepares huge pages for as much heap as the lower of the soft
// limit and the runtime's own memory limit, with or without the pacing.
func TestScanPreparesTheHeap(t *testing.T) {
	oldOnce, oldHuge, oldPrepare := gcTuning, hugeHeapOnce, prepareHeap
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		gcTuning, hugeHeapOnce, prepareHeap = oldOnce, oldHuge, oldPrepare
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	prepared := make(chan int, 1)
	prepareHeap = func(n int) (hugeRange, bool) { prepared <- n; return hugeRange{}, false }
	soft := softMemoryLimit(containerMemoryLimit(os.ReadFile))
	for _, tc := range []struct {
		name    string
		gogc    string
		runtime int64 // the runtime's memory limit before the scan
		want    int64
	}{
		{"paced", "", math.MaxInt64, soft},
		{"GOGC set", "100", math.MaxInt64, soft},
		{"lower runtime limit", "100", soft / 2, soft / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gcTuning, hugeHeapOnce = new(sync.Once), new(sync.Once)
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", "")
			debug.SetMemoryLimit(tc.runtime)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"scan", "-o", "json", "--fail-on", "none", "../../testdata/rules/SA016"},
				streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != exitClean {
				t.Fatalf("scan: exit %d: %s", code, errb.String())
			}
			select {
			case n := <-prepared:
				if int64(n) != tc.want {
					t.Errorf("prepared %d bytes of heap, want %d", n, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the scan did not prepare the heap")
			}
		})
	}
}

// The soft limit follows a container's memory limit when that is lower:
// cgroup v2 and v1 files, "max", v1's unlimited value, unreadable files.
func TestSoftMemoryLimitFollowsTheContainer(t *testing.T) {
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, os.ErrNotExist
		}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"v2 512Mi", map[string]string{"/sys/fs/cgroup/memory.max": "536870912\n"}, 536870912 / 10 * 9},
		{"v2 max", map[string]string{"/sys/fs/cgroup/memory.max": "max\n"}, smallScanMemoryLimit},
		{"v2 above ours", map[string]string{"/sys/fs/cgroup/memory.max": "8589934592\n"}, smallScanMemoryLimit},
		{"v1 1Gi", map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824"}, 1073741824 / 10 * 9},
		{"v1 unlimited", map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712"}, smallScanMemoryLimit},
		{"none", nil, smallScanMemoryLimit},
	} {
		if got := softMemoryLimit(containerMemoryLimit(files(tc.files))); got != tc.want {
			t.Errorf("%s: soft limit %d, want %d", tc.name, got, tc.want)
		}
	}
}
