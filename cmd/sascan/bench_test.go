package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
// stated against: decoding the same file with yaml.v3 on one core. It reports objects/s and x-floor (scan time over that floor);
// peak RSS is measured on the CLI with /usr/bin/time (README,
// Performance).
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

// scanDump writes one dump and benchmarks its floor and its scan.
func scanDump(b *testing.B, profile gen.Profile, n int) {
	path := filepath.Join(b.TempDir(), "dump.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.WriteProfile(f, profile, n, 1); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var floor time.Duration
	b.Run("yaml-floor", func(b *testing.B) {
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		for b.Loop() {
			if err := decodeAll(path); err != nil {
				b.Fatal(err)
			}
		}
		floor = b.Elapsed() / time.Duration(b.N)
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
