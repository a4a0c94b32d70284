package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// adviseHuge leaves MADV_HUGEPAGE on every mapping of the range it
// returns, which is b less at most one huge page at each end.
func TestAdviseHugeMarksTheRange(t *testing.T) {
	const n = 64 << 20
	b := make([]byte, n)
	got, err := adviseHuge(b)
	if errors.Is(err, syscall.EINVAL) {
		t.Skip("this kernel has no transparent huge pages")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < n-2*hugePageSize {
		t.Fatalf("advised %d bytes of %d", len(got), n)
	}
	beg := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(got))))
	end := beg + uint64(len(got))
	covered := uint64(0)
	for _, m := range mappings(t) {
		lo, hi := max(m.start, beg), min(m.end, end)
		if lo >= hi {
			continue
		}
		if !m.advised {
			t.Errorf("mapping %x-%x overlaps the advised range %x-%x without the advice", m.start, m.end, beg, end)
		}
		covered += hi - lo
	}
	if covered != end-beg {
		t.Errorf("mappings cover %d bytes of the advised range's %d", covered, end-beg)
	}
}

type mapping struct {
	start, end uint64
	advised    bool // VmFlags "hg"
}

// mappings reads the process's mappings from /proc/self/smaps.
func mappings(t *testing.T) []mapping {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	var ms []mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) > 0 && f[0] == "VmFlags:":
			if len(ms) > 0 {
				ms[len(ms)-1].advised = strings.Contains(line+" ", " hg ")
			}
		case len(f) > 0 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			lo, hi, _ := strings.Cut(f[0], "-")
			s, err1 := strconv.ParseUint(lo, 16, 64)
			e, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("smaps: %q", line)
			}
			ms = append(ms, mapping{start: s, end: e})
		}
	}
	if len(ms) == 0 {
		t.Fatal("smaps: no mapping read")
	}
	return ms
}
