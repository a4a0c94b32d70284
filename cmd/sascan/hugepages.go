package main

import (
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
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
// asks for it (see above).
func hugeHeap(n int) {
	mode, err := os.ReadFile(thpModeFile)
	if err != nil || !wantHugeHeap(mode, os.Getenv("GODEBUG")) {
		return
	}
	if adviseHugeHeap(n) == nil {
		debug.FreeOSMemory() // return the advised range to the runtime, untouched
	}
}
