//go:build !linux

package main

import "errors"

type hugeRange struct{}

func adviseHugeHeap(int) (hugeRange, error) { return hugeRange{}, errors.ErrUnsupported }

func (hugeRange) unadvise() error { return errors.ErrUnsupported }
