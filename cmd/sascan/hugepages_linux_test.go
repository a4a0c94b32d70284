package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
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
	// Release what earlier tests left free now, so that the scavenger has
	// nothing to release while the advice should stay.
	debug.FreeOSMemory()
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

// hugeHeap, where the kernel's mode asks for it, advises a range of the
// heap that it has the runtime collect and release (no page of it
// resident), and takes the advice back once the runtime releases memory
// again.
func TestHugeHeapAdvisesAReleasedRange(t *testing.T) {
	mode, err := os.ReadFile(thpModeFile)
	if err != nil || !wantHugeHeap(mode, os.Getenv("GODEBUG")) {
		t.Skipf("transparent huge pages are not in madvise mode here: %q, %v", mode, err)
	}
	objects := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(objects)
	before := objects[0].Value.Uint64()
	r, ok := hugeHeap(64 << 20)
	if !ok {
		t.Fatal("hugeHeap advised nothing in madvise mode")
	}
	metrics.Read(objects)
	if after := objects[0].Value.Uint64(); after > before+32<<20 {
		t.Errorf("heap objects %d bytes after hugeHeap, %d before: the 64 MiB it mapped was not collected", after, before)
	}
	if r.size < 60<<20 {
		t.Fatalf("advised %d bytes of 64 MiB", r.size)
	}
	beg := uint64(r.addr)
	checkAdvice(t, beg, beg+uint64(r.size), true)
	// Released, untouched: the runtime may since have used a little of it.
	vec := make([]byte, r.size/4096)
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, r.addr, r.size, uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	resident := 0
	for _, v := range vec {
		resident += int(v & 1)
	}
	if resident > len(vec)/4 {
		t.Errorf("%d of the range's %d pages resident, want it returned to the kernel", resident, len(vec))
	}
	// Release memory until the advice goes: the first release may come
	// before the goroutine hugeHeap started has read where it starts from.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && advisedAnywhere(t, beg, beg+uint64(r.size)) {
		garbage := make([]byte, 8<<20)
		garbage[0] = 1
		garbage = nil
		debug.FreeOSMemory()
		time.Sleep(20 * time.Millisecond)
	}
	checkAdvice(t, beg, beg+uint64(r.size), false)
}

// advisedAnywhere reports whether a mapping in [beg, end) carries the
// advice.
func advisedAnywhere(t *testing.T, beg, end uint64) bool {
	t.Helper()
	for _, m := range mappings(t) {
		if max(m.start, beg) < min(m.end, end) && m.advised {
			return true
		}
	}
	return false
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
