package main

import (
	"bytes"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// Huge pages for a scan's heap. Nearly every page a scan allocates is
// fresh memory that the kernel must fault in and zero once: a
// 100,000-object scan peaks near 1.4 GB, which is some 340,000 faults of
// 4 KiB pages. Where transparent huge pages are on only for the memory
// that asks for them (the "madvise" mode, Ubuntu's default and that of
// the VMs this project is tested on), the Go runtime does not ask, and in
// make bench's process runs on a 2-core VM those faults took a quarter of
// the scan's time. hugeHeap maps
// the heap's first n bytes in one piece, asks the kernel to back them
// with 2 MiB pages (MADV_HUGEPAGE) and gives them back to the runtime
// unused; the scan's allocations then land there and fault in a few
// hundred huge pages. Under "always" the kernel does this already, under
// "never" it cannot; GODEBUG=disablethp=1 (the runtime's own switch for
// keeping huge pages out of the heap) turns it off.
const thpModeFile = "/sys/kernel/mm/transparent_hugepage/enabled"

// wantHugeHeap reports whether a heap should ask for huge pages under the
// kernel's THP mode file content and the GODEBUG value.
func wantHugeHeap(mode []byte, godebug string) bool {
	if strconv.IntSize < 64 || !bytes.Contains(mode, []byte("[madvise]")) {
		return false
	}
	for _, kv := range strings.Split(godebug, ",") {
		if strings.TrimSpace(kv) == "disablethp=1" {
			return false
		}
	}
	return true
}

// hugeHeap prepares n bytes of heap for huge pages when the system's mode
// asks for it (see above), and takes the advice back once the runtime
// first returns memory to the kernel (unadviseOnRelease). It returns the
// advised range, and false when it advised none.
func hugeHeap(n int) (hugeRange, bool) {
	mode, err := os.ReadFile(thpModeFile)
	if err != nil || !wantHugeHeap(mode, os.Getenv("GODEBUG")) {
		return hugeRange{}, false
	}
	r, err := adviseHugeHeap(n)
	if err != nil {
		return hugeRange{}, false
	}
	debug.FreeOSMemory() // return the advised range to the runtime, untouched
	go unadviseOnRelease(r, gcPollInterval)
	return r, true
}

// unadviseOnRelease takes r's advice back as soon as the runtime releases
// heap memory (its scavenger, under the memory limit or in the
// background), polling every so often. The runtime counts a released
// page as gone; were the advice to stay, a later fault anywhere in that
// page's 2 MiB would bring back all of it, unseen by the memory limit.
// What the scan first touches, where huge pages pay, is touched by then
// (rbac-heavy 100k faults in as many huge pages either way).
func unadviseOnRelease(r hugeRange, every time.Duration) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(sample)
	low := sample[0].Value.Uint64()
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		metrics.Read(sample)
		released := sample[0].Value.Uint64()
		if released > low {
			_ = r.unadvise()
			return
		}
		low = released
	}
}
