// Command image builds sascan's release container image without a Docker
// daemon or a base image: an OCI image index for linux/amd64 and
// linux/arm64 written to an OCI image layout, from the static binaries
// goreleaser built and Debian's CA certificates. It also pushes that layout
// and checks that deploy/cronjob.yaml runs the release's image.
//
//	image build -dist DIST -o LAYOUT [-ca FILE]
//	image push -layout LAYOUT REPO
//	image check-deploy [-version V] [-snapshot] [-repo REPO] FILE
//
// make image, make image-push and .goreleaser.yaml's before hook run it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const defaultRepo = "ghcr.io/sascan/sascan"

const usage = `usage:
  image build -dist DIST -o LAYOUT [-ca FILE]       the release image of goreleaser's DIST as an OCI layout
  image push -layout LAYOUT REPO                    push it to REPO:<version>
  image check-deploy [-version V] [-snapshot] FILE  FILE's CronJob runs REPO:V
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "image:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	fs := flag.NewFlagSet("image "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch args[0] {
	case "build":
		var o buildOptions
		fs.StringVar(&o.Dist, "dist", "dist", "goreleaser's dist folder (metadata.json, artifacts.json)")
		fs.StringVar(&o.Out, "o", "", "the OCI image layout to write (must not exist)")
		fs.StringVar(&o.CACerts, "ca", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to install (Debian's ca-certificates)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if o.Out == "" || fs.NArg() != 0 {
			return errors.New("build: want -o LAYOUT and no arguments")
		}
		r, err := buildImage(o)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s: sascan %s (commit %s) for linux/amd64 and linux/arm64, tagged %s\n", o.Out, r.Version, r.Commit, r.Version)
		return err
	case "push":
		dir := fs.String("layout", "dist/image", "the OCI image layout written by image build")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("push: want one repository (such as %s)", defaultRepo)
		}
		ref, err := pushImage(ctx, *dir, fs.Arg(0))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, ref)
		return err
	case "check-deploy":
		version := fs.String("version", "", "the version being released: the CronJob must run REPO:VERSION")
		snapshot := fs.Bool("snapshot", false, "a snapshot: only check that the CronJob runs some release of REPO")
		repo := fs.String("repo", defaultRepo, "the image repository")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("check-deploy: want one file")
		}
		if !*snapshot && *version == "" {
			return errors.New("check-deploy: want -version (or -snapshot)")
		}
		if *snapshot {
			*version = ""
		}
		return checkDeploy(fs.Arg(0), *repo, *version)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
