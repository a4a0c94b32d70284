package main

import (
	"syscall"
	"unsafe"
)

const hugePageSize = 2 << 20

// adviseHugeHeap has the runtime map n bytes of heap in one allocation,
// which no one touches (fresh memory is already zero), and asks the
// kernel to back the 2 MiB pages inside it with huge pages. The advice
// stays on the range after the runtime releases it: the allocations that
// reuse it fault in huge pages.
func adviseHugeHeap(n int) error {
	_, err := adviseHuge(make([]byte, n))
	return err
}

// adviseHuge gives b's whole 2 MiB pages MADV_HUGEPAGE and returns them.
func adviseHuge(b []byte) ([]byte, error) {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	beg := int((hugePageSize - p%hugePageSize) % hugePageSize)
	end := len(b) - int((p+uintptr(len(b)))%hugePageSize)
	if beg >= end {
		return nil, syscall.EINVAL
	}
	return b[beg:end], syscall.Madvise(b[beg:end], syscall.MADV_HUGEPAGE)
}
