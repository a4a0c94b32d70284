package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sascan/sascan/internal/gen"
)

// BenchmarkScan scans generated dumps end to end (load, evaluate, JSON
// render) through the CLI, as a user runs it. It reports objects/s; the
// targets (100k objects in at most 6 s, peak RSS at most 1.5 GiB, linear
// 10k to 100k) are checked with `make bench` and /usr/bin/time.
func BenchmarkScan(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "dump.yaml")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := gen.Write(f, n, 1); err != nil {
				b.Fatal(err)
			}
			f.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var errb bytes.Buffer
				code := run(context.Background(), []string{"scan", "-o", "json", "--fail-on", "none", path}, streams{In: bytes.NewReader(nil), Out: io.Discard, Err: &errb})
				if code != exitClean {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}
