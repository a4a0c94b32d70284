//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"golang.org/x/sys/unix"
)

// openPTY returns a pseudo-terminal of cols columns: the end sascan writes
// to (a terminal) and the end the test reads. Output is not post-processed
// (no \r added), so what is read is what was written.
func openPTY(t *testing.T, cols uint16) (reader, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: 50}); err != nil {
		t.Fatal(err)
	}
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Oflag &^= unix.OPOST
	if err := unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	return m, s
}

// On a terminal the table fits its width, the message column wrapping
// first; written to a pipe or file it is at full width, a line per finding.
func TestTableFitsTheTerminal(t *testing.T) {
	repoRoot(t)
	for _, cols := range []uint16{80, 120} {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			reader, term := openPTY(t, cols)
			got := make(chan []byte)
			go func() {
				b, _ := io.ReadAll(reader) // EIO once the terminal end is closed
				got <- b
			}()
			var errb bytes.Buffer
			code := run(context.Background(), []string{"scan", "--no-color", fixedNow, "examples/demo"}, streams{In: strings.NewReader(""), Out: term, Err: &errb})
			term.Close()
			out := <-got
			if code != exitFindings {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
				if w := twwidth.Width(line); w > int(cols) {
					t.Errorf("line %d is %d columns wide, more than %d: %s", i+1, w, cols, line)
				}
			}
			golden(t, fmt.Sprintf("demo-%dcols.txt", cols), out)
		})
	}
	// Not a terminal: one line per finding, however wide.
	r := cli(t, "", "scan", fixedNow, "examples/demo")
	rows := 0
	for _, line := range strings.Split(r.out, "\n") {
		if strings.HasPrefix(line, "│ ") && !strings.HasPrefix(line, "│ SEVERITY") {
			rows++
			if strings.HasPrefix(line, "│          │") {
				t.Errorf("a wrapped row: %s", line)
			}
		}
	}
	if rows != 11 {
		t.Errorf("%d rows, want a line for each of the 11 findings:\n%s", rows, r.out)
	}
}
