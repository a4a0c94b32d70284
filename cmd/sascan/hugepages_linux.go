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
func adviseHugeHeap(n int) (hugeRange, error) {
	_, r, err := adviseHuge(make([]byte, n))
	return r, err
}

// adviseHuge gives b's whole 2 MiB pages MADV_HUGEPAGE and returns them.
func adviseHuge(b []byte) ([]byte, hugeRange, error) {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	beg := int((hugePageSize - p%hugePageSize) % hugePageSize)
	end := len(b) - int((p+uintptr(len(b)))%hugePageSize)
	if beg >= end {
		return nil, hugeRange{}, syscall.EINVAL
	}
	r := hugeRange{addr: p + uintptr(beg), size: uintptr(end - beg)}
	return b[beg:end], r, syscall.Madvise(b[beg:end], syscall.MADV_HUGEPAGE)
}

// A hugeRange is an advised range of the heap, by address: holding it
// keeps no memory alive.
type hugeRange struct{ addr, size uintptr }

// unadvise takes the advice back (MADV_NOHUGEPAGE): the huge pages
// faulted in stay, and later faults in the range take 4 KiB pages.
func (r hugeRange) unadvise() error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, r.addr, r.size, syscall.MADV_NOHUGEPAGE); e != 0 {
		return e
	}
	return nil
}
