package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sascan/sascan/internal/gen"
)

// BenchmarkScan scans generated dumps end to end (load, evaluate, JSON
// render) through the CLI, as a user runs it, for each generator profile:
// the corpus mix, a large multi-tenant cluster's dense RBAC with
// ServiceAccount-group bindings, its attack paths, and one crowded
// namespace. Next to each scan it measures the floor the targets are
// stated against: decoding the same file with yaml.v3 on one core. It
// scans twice: the built binary in a process of its own (process: wall
// time and peak RSS as a user sees them), and the CLI's run function in
// the benchmark's process (scan: allocations; make pgo profiles it). Each
// reports objects/s and x-floor (time over that floor).
func BenchmarkScan(b *testing.B) {
	for _, bc := range []struct {
		profile gen.Profile
		n       int
	}{
		{gen.ProfileMix, 1000}, {gen.ProfileMix, 10000}, {gen.ProfileMix, 100000},
		{gen.ProfileRBACHeavy, 10000}, {gen.ProfileRBACHeavy, 100000},
		{gen.ProfilePaths, 10000}, {gen.ProfilePaths, 100000},
		{gen.ProfileDense, 10000}, {gen.ProfileDense, 100000},
	} {
		// The dump is written inside the sub-benchmark, so a -bench filter
		// that skips it does not pay for it.
		b.Run(fmt.Sprintf("profile=%s/objects=%d", bc.profile, bc.n), func(b *testing.B) { scanDump(b, bc.profile, bc.n) })
	}
}

// BenchmarkGrowth measures how a scan's time grows from 10,000 to
// 100,000 objects of each profile (the x-10k metric: the median 100k scan
// over the median 10k scan). Each round scans both sizes back to back, in
// processes of their own, so that a machine whose speed drifts over minutes
// (a shared VM) slows both sides of the ratio alike; in BenchmarkScan the
// two sizes run minutes apart. (Not BenchmarkScan...: make pgo's pattern
// would run it.)
func BenchmarkGrowth(b *testing.B) {
	for _, profile := range []gen.Profile{gen.ProfileMix, gen.ProfileRBACHeavy, gen.ProfilePaths, gen.ProfileDense} {
		b.Run(fmt.Sprintf("profile=%s", profile), func(b *testing.B) {
			small, large := writeDump(b, profile, 10000), writeDump(b, profile, 100000)
			bin := benchBinary(b)
			report := filepath.Join(b.TempDir(), "report.json")
			var ts, tl []time.Duration
			for b.Loop() {
				ts = append(ts, scanProcess(b, bin, small, report).wall)
				tl = append(tl, scanProcess(b, bin, large, report).wall)
			}
			b.ReportMetric(median(ts).Seconds(), "s-10k")
			b.ReportMetric(median(tl).Seconds(), "s-100k")
			b.ReportMetric(float64(median(tl))/float64(median(ts)), "x-10k")
		})
	}
}

// median is the median of xs (the mean of the middle two of an even
// count).
func median[T time.Duration | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// writeDump writes a generated dump of n objects and returns its path.
func writeDump(b *testing.B, profile gen.Profile, n int) string {
	path := filepath.Join(b.TempDir(), "dump.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.WriteProfile(f, profile, n, 1); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// scanProcess scans path with the binary in a process of its own, as a
// user runs it, writing the JSON report to report.
func scanProcess(b *testing.B, bin, path, report string) processRun {
	cmd := exec.Command(bin, "scan", "-o", "json", "--fail-on", "none", "--output-file", report, path)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %s", err, errb.String())
	}
	return processRun{wall: time.Since(start), sys: cmd.ProcessState.SystemTime(), rss: cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}
}

// processRun is what one scan in a process of its own took: its wall
// time, its time in the kernel (mostly faulting in fresh memory, whose
// cost varies with the host: README, Performance) and its peak RSS in KiB.
type processRun struct {
	wall, sys time.Duration
	rss       int64
}

// scanDump writes one dump and benchmarks its floor and its scan.
func scanDump(b *testing.B, profile gen.Profile, n int) {
	path := writeDump(b, profile, n)
	var floor time.Duration
	b.Run("yaml-floor", func(b *testing.B) {
		for b.Loop() {
			if err := decodeOneCore(path); err != nil {
				b.Fatal(err)
			}
		}
		floor = b.Elapsed() / time.Duration(b.N)
	})
	// The binary as a user runs it: a fresh process (no heap left by the
	// dump's generation or the floor's decoding), built with the
	// profile-guided optimization, its peak RSS read from the kernel.
	// Each scan is paired with a decoding of the floor right before it,
	// and x-floor is the median of the pairs' ratios: a machine whose
	// speed drifts over minutes (a shared VM) slows both sides of a pair
	// alike, where the yaml-floor runs above may be a minute away.
	b.Run("process", func(b *testing.B) {
		bin := benchBinary(b)
		report := filepath.Join(b.TempDir(), "report.json")
		var rss int64
		var walls, sys, floors []time.Duration
		var ratios []float64
		for b.Loop() {
			b.StopTimer() // ns/op is the scans' alone
			start := time.Now()
			if err := decodeOneCore(path); err != nil {
				b.Fatal(err)
			}
			f := time.Since(start)
			b.StartTimer()
			r := scanProcess(b, bin, path, report)
			rss = max(rss, r.rss)
			walls, sys, floors = append(walls, r.wall), append(sys, r.sys), append(floors, f)
			ratios = append(ratios, float64(r.wall)/float64(f))
		}
		b.ReportMetric(float64(n)/median(walls).Seconds(), "objects/s")
		b.ReportMetric(float64(rss)/1024, "MB-peak-rss")
		b.ReportMetric(median(sys).Seconds(), "s-sys")
		b.ReportMetric(median(walls).Seconds(), "s-scan")
		b.ReportMetric(median(floors).Seconds(), "s-floor")
		b.ReportMetric(median(ratios), "x-floor")
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var errb bytes.Buffer
			code := run(context.Background(), []string{"scan", "-o", "json", "--fail-on", "none", path}, streams{In: bytes.NewReader(nil), Out: io.Discard, Err: &errb})
			if code != exitClean {
				b.Fatalf("exit %d: %s", code, errb.String())
			}
		}
		per := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(n)/per.Seconds(), "objects/s")
		if floor > 0 {
			b.ReportMetric(float64(per)/float64(floor), "x-floor")
		}
	})
}

var bench struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// benchBinary builds sascan once per test process, as `make build` does
// (with cmd/sascan/default.pgo); TestMain removes it.
func benchBinary(b *testing.B) string {
	bench.once.Do(func() {
		if bench.dir, bench.err = os.MkdirTemp("", "sascan-bench-"); bench.err != nil {
			return
		}
		bench.bin = filepath.Join(bench.dir, "sascan")
		if out, err := exec.Command("go", "build", "-o", bench.bin, ".").CombinedOutput(); err != nil {
			bench.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.bin
}

// decodeOneCore is the floor: decodeAll on one core.
func decodeOneCore(path string) error {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	return decodeAll(path)
}

// decodeAll decodes every document of a YAML stream with yaml.v3, the
// parser sascan reads manifests with.
func decodeAll(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
