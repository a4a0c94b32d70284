package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// adviseHuge leaves MADV_HUGEPAGE on every mapping of the range it
// returns, which is b less at most one huge page at each end.
func TestAdviseHugeMarksTheRange(t *testing.T) {
	const n = 64 << 20
	b, got, r := advised(t, n)
	if len(got) < n-2*hugePageSize {
		t.Fatalf("advised %d bytes of %d", len(got), n)
	}
	beg := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(got))))
	if r.addr != uintptr(beg) || r.size != uintptr(len(got)) {
		t.Errorf("range %x+%d, want %x+%d", r.addr, r.size, beg, len(got))
	}
	checkAdvice(t, beg, beg+uint64(len(got)), true)
	runtime.KeepAlive(b)
}

// Once the runtime releases heap memory, the advice is taken back.
func TestUnadviseOnRelease(t *testing.T) {
	b, _, r := advised(t, 64<<20)
	beg := uint64(r.addr)
	done := make(chan struct{})
	go func() {
		unadviseOnRelease(r, time.Millisecond)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	checkAdvice(t, beg, beg+uint64(r.size), true) // nothing released yet
	garbage := make([]byte, 32<<20)
	garbage[0] = 1
	garbage = nil
	debug.FreeOSMemory()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the advice was not taken back after the runtime released memory")
	}
	checkAdvice(t, beg, beg+uint64(r.size), false)
	runtime.KeepAlive(b)
}

// advised allocates n bytes and advises them (adviseHuge), skipping the
// test where the kernel has no transparent huge pages.
func advised(t *testing.T, n int) (b, got []byte, r hugeRange) {
	t.Helper()
	b = make([]byte, n)
	got, r, err := adviseHuge(b)
	if errors.Is(err, syscall.EINVAL) {
		t.Skip("this kernel has no transparent huge pages")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, got, r
}

// checkAdvice checks that the mappings cover [beg, end) and carry the
// advice, or do not.
func checkAdvice(t *testing.T, beg, end uint64, want bool) {
	t.Helper()
	covered := uint64(0)
	for _, m := range mappings(t) {
		lo, hi := max(m.start, beg), min(m.end, end)
		if lo >= hi {
			continue
		}
		if m.advised != want {
			t.Errorf("mapping %x-%x in the range %x-%x: advised %v, want %v", m.start, m.end, beg, end, m.advised, want)
		}
		covered += hi - lo
	}
	if covered != end-beg {
		t.Errorf("mappings cover %d bytes of the range's %d", covered, end-beg)
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
