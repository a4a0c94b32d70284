package browser

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The page's errors are heard: an uncaught exception, console.error and a
// script the page's Content-Security-Policy blocks. (The report's browser
// test relies on this to say "no errors".)
func TestPageErrors(t *testing.T) {
	path, err := Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI runs the browser tests", err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := Start(ctx, path, 800, 600)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	page := `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="script-src 'sha256-x0Frz6AsH/MLaUzBLFdmV8Vk08FdTqxtAPIypC6u4OI='">` +
		`<script>console.error("bad"); window.ran = 1; throw new Error("boom")</script>` +
		`<script>window.blocked = 1</script>`
	if err := p.Navigate(ctx, "data:text/html,"+url.PathEscape(page)); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Ran     any `json:"ran"`
		Blocked any `json:"blocked"`
		Width   int `json:"width"`
		Height  int `json:"height"`
	}
	if err := p.Eval(ctx, `({ran: window.ran || null, blocked: window.blocked || null, width: window.innerWidth, height: window.innerHeight})`, &got); err != nil {
		t.Fatal(err)
	}
	if got.Width != 800 || got.Height != 600 {
		t.Errorf("viewport %dx%d, want the 800x600 Start was given", got.Width, got.Height)
	}
	if got.Ran != float64(1) || got.Blocked != nil {
		t.Errorf("the allowed script ran: %v, the other: %v", got.Ran, got.Blocked)
	}
	errs := p.Errors()
	for _, want := range []string{"console.error: bad", "Error: boom", "Content Security Policy"} {
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("no error with %q in %q", want, errs)
		}
	}
}

// Start leaves no file descriptor open and no profile behind when it
// fails: when the binary cannot start, and when it starts but never
// answers on the pipe.
func TestStartFailsClean(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count open files")
	}
	openFDs := func() int {
		t.Helper()
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	notChromium, err := exec.LookPath("true")
	if err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct{ name, path string }{
		{"no such binary", filepath.Join(t.TempDir(), "no-chromium")},
		{"exits at once", notChromium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			before := openFDs()
			if b, err := Start(ctx, tc.path, 800, 600); err == nil {
				b.Close()
				t.Fatal("Start succeeded")
			}
			// The pipe's reader closes its end when it sees the end of
			// the stream, just after Start returns.
			deadline := time.Now().Add(5 * time.Second)
			for openFDs() != before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if after := openFDs(); after != before {
				t.Errorf("%d file descriptors open after a failed Start, %d before", after, before)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left behind in TMPDIR: %v", left)
			}
		})
	}
}
