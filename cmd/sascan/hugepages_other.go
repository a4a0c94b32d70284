//go:build !linux

package main

import "errors"

func adviseHugeHeap(int) error { return errors.ErrUnsupported }
