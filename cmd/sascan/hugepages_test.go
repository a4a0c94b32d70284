package main

import "testing"

func TestWantHugeHeap(t *testing.T) {
	for _, tc := range []struct {
		mode, godebug string
		want          bool
	}{
		{"always [madvise] never\n", "", true},
		{"always [madvise] never\n", "disablethp=0", true},
		{"always [madvise] never\n", "gctrace=1, disablethp=1", false},
		{"always [madvise] never\n", "disablethp=1", false},
		{"[always] madvise never\n", "", false}, // the kernel gives them already
		{"always madvise [never]\n", "", false},
		{"", "", false}, // no THP in this kernel
	} {
		if got := wantHugeHeap([]byte(tc.mode), tc.godebug); got != tc.want {
			t.Errorf("wantHugeHeap(%q, %q) = %v, want %v", tc.mode, tc.godebug, got, tc.want)
		}
	}
}
