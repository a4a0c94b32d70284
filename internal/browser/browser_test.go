package browser

import (
	"context"
	"net/url"
	"os"
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
	}
	if err := p.Eval(ctx, `({ran: window.ran || null, blocked: window.blocked || null})`, &got); err != nil {
		t.Fatal(err)
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
