# sascan: make help lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/sascan
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
OPA := $(GO) tool opa
GORELEASER := $(GO) tool -modfile=hack/release/go.mod goreleaser
# The release image's tool (hack/release/image) and where the release pushes it.
IMAGE_TOOL := $(GO) -C hack/release run ./image
IMAGE_REPO ?= ghcr.io/sascan/sascan
BENCHTIME ?= 3x
BENCH ?= .

.PHONY: bootstrap-policy check-bootstrap-policy help build release-check snapshot image image-push release demo test test-browser test-go test-rego test-integration bench-cluster bench-ledger pgo fuzz cluster-up cluster-down kube-build lint fmt bench golden docs clean

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/sascan
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sascan

demo: build ## build and scan the bundled example (its findings are expected)
	./$(BIN) scan examples/demo || [ $$? -eq 1 ]

test: lint test-go ## lint (gofmt, vet, opa fmt/check, actionlint) and all Go tests, Rego tests included; CI also runs test-integration and fuzz

test-browser: ## the HTML report in headless Chromium alone, verbose (part of test-go too; make bench BENCH=HTMLPaint times it)
	$(GO) test -count=1 -run 'TestHTMLInBrowser|TestHTMLReportInBrowser|TestPageErrors|TestStartFailsClean' -v ./report ./cmd/sascan ./internal/browser

test-go: ## go test ./... (Rego unit tests run inside it)
	$(GO) test -count=1 ./...

test-rego: ## the Rego unit tests, verbose (they run inside go test: their inputs come from the Go normalization)
	$(GO) test -count=1 -run TestRego -v ./rules

lint: ## gofmt, go vet, opa fmt and opa check --strict
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@out=$$($(OPA) fmt --v1-compatible --list policies); if [ -n "$$out" ]; then echo "opa fmt needed:"; echo "$$out"; exit 1; fi
	@caps=$$(mktemp); trap 'rm -f $$caps' EXIT; $(GO) run ./cmd/sascan rules -o capabilities > $$caps && \
	$(OPA) check --strict --v1-compatible --capabilities $$caps --ignore "*_test.rego" policies
	$(GO) tool actionlint examples/github/*.yml

fmt: ## format Go and Rego
	gofmt -w $$(git ls-files '*.go')
	$(OPA) fmt --v1-compatible -w policies

kube-build: ## build kube-apiserver and kube-controller-manager for the live tests (cached)
	hack/kube/build.sh

cluster-up: ## start etcd, kube-apiserver and kube-controller-manager on 127.0.0.1; prints export KUBECONFIG=...
	@hack/kube/up.sh

cluster-down: ## stop the test control plane
	@hack/kube/down.sh

# The bundled bootstrap policies: hack/kube/go.mod's Kubernetes (1.37) and
# the two minors before it (hack/kube/bootstrap/v1.N.mod pin those).
BOOTSTRAP_OLDER := 1.35 1.36

bootstrap-policy: ## regenerate scanner/builtin/bootstrap-1.N.yaml from Kubernetes' own bootstrap policy of each supported version
	cd hack/kube && for v in $(BOOTSTRAP_OLDER); do GOFLAGS=-mod=mod $(GO) run -modfile=bootstrap/v$$v.mod ./bootstrap > ../../scanner/builtin/bootstrap-$$v.yaml || exit 1; done; \
	$(GO) run ./bootstrap > ../../scanner/builtin/bootstrap-1.37.yaml

check-bootstrap-policy: ## fail when a bundled bootstrap policy is not Kubernetes' own for its version
	cd hack/kube && for v in $(BOOTSTRAP_OLDER); do GOFLAGS=-mod=mod $(GO) run -modfile=bootstrap/v$$v.mod ./bootstrap -check ../../scanner/builtin/bootstrap-$$v.yaml || exit 1; done; \
	$(GO) run ./bootstrap -check ../../scanner/builtin/bootstrap-1.37.yaml

# The live tests' control planes. The first honours SASCAN_KUBE_DIR,
# SASCAN_ETCD_PORT (and the port 10 above it) and SASCAN_API_PORT as
# hack/kube/up.sh does; the second, for the fleet tests, these (override
# both sets to run beside another engineer's control plane).
SASCAN_FLEET_KUBE_DIR ?= /tmp/sascan-kube-fleet
SASCAN_FLEET_ETCD_PORT ?= 23890
SASCAN_FLEET_API_PORT ?= 16444

test-integration: ## live-cluster tests against real API servers (starts two and stops them); the bundled bootstrap policy is checked against Kubernetes'
	@set -eo pipefail; trap 'hack/kube/down.sh >/dev/null; SASCAN_KUBE_DIR=$(SASCAN_FLEET_KUBE_DIR) hack/kube/down.sh >/dev/null' EXIT; \
	$(MAKE) --no-print-directory check-bootstrap-policy; \
	eval "$$(hack/kube/up.sh | tail -1)"; \
	fleet=$$(SASCAN_KUBE_DIR=$(SASCAN_FLEET_KUBE_DIR) SASCAN_ETCD_PORT=$(SASCAN_FLEET_ETCD_PORT) SASCAN_API_PORT=$(SASCAN_FLEET_API_PORT) hack/kube/up.sh | tail -1); \
	export SASCAN_FLEET_KUBECONFIG=$${fleet#export KUBECONFIG=}; \
	$(GO) test -count=1 -tags integration -run 'Live|Legacy|Secret|Partial|Namespace|ClusterSARIF|Transient|Slow|Pagination|SIGTERM|LeastPrivilege|Fleet|TokenLedger' ./cmd/sascan/; \
	$(GO) test -count=1 -tags integration -run 'Live' ./scanner/; \
	$(GO) test -count=1 -tags integration -run 'SubjectAccessReview' -v ./access/

FUZZTIME ?= 30s

fuzz: ## run every fuzz target for FUZZTIME (default 30s) each
	@for t in FuzzLoadManifests FuzzParseFlags FuzzParsePath FuzzLocate FuzzFastDecode; do \
	  GO=$(GO) hack/fuzz.sh scanner $$t $(FUZZTIME) || exit 1; done
	@for t in FuzzParseConfig FuzzJWTClassifier; do \
	  GO=$(GO) hack/fuzz.sh rules $$t $(FUZZTIME) || exit 1; done

bench-cluster: ## sascan cluster vs a bare client-go list over 5k objects in the test API server
	@set -eo pipefail; trap 'hack/kube/down.sh >/dev/null' EXIT; \
	eval "$$(hack/kube/up.sh | tail -1)"; \
	$(GO) test -tags integration -run '^$$' -bench BenchmarkClusterScan -benchtime 3x -benchmem ./cmd/sascan/

bench: ## benchmarks: 1k/10k/100k-object scans (objects/s, x-floor, peak RSS of the binary in its own process, allocations), 10k against 100k scans back to back (x-10k), the HTML report of 45,000 findings in headless Chromium (paint, DOMContentLoaded, table ready, ms); BENCH=regexp picks some
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) ./cmd/sascan/ ./report/

pgo: ## rewrite cmd/sascan/default.pgo, the CPU profile Go's compiler optimizes sascan with (profile-guided optimization), from scans of the 100k-object dumps of each generator profile
	@bin=$$(mktemp -d); trap 'rm -rf $$bin' EXIT; \
	$(GO) test -run '^$$' -bench 'BenchmarkScan/profile=(mix|rbac-heavy|paths)/objects=100000$$$$/scan$$$$' -benchtime 1x -cpuprofile $(CURDIR)/cmd/sascan/default.pgo -o $$bin/sascan.test ./cmd/sascan/

bench-ledger: ## the audit-log ledger over a generated 1 GiB log: throughput and peak RSS growth (fails past 256 MiB)
	$(GO) test -run '^$$' -bench BenchmarkRead1GB -benchtime 1x ./ledger/

golden: ## rewrite golden files after an intended output change (the demo reports, the HTML report's test input and the README's screenshot)
	$(GO) test ./cmd/sascan -run 'TestDemoReports|TestReportHTMLFixture|TestHTMLReportInBrowser' -update

docs: ## regenerate docs/rules.md from the rules' METADATA
	$(GO) run ./cmd/sascan rules -o markdown > docs/rules.md

release-check: ## goreleaser check on .goreleaser.yaml, go vet and the release tests (hack/release): a linux snapshot built into the image, read back, run and pushed to a registry in memory; deploy/cronjob.yaml's tag
	$(GORELEASER) check
	$(GO) -C hack/release vet ./...
	$(GO) -C hack/release test -count=1 ./...

snapshot: ## a local release of every platform into dist/ and its image into dist/image, nothing published
	$(GORELEASER) release --snapshot --clean
	@$(MAKE) --no-print-directory image

image: ## the container image of the release in dist/ (after snapshot or release): an OCI layout in dist/image, linux/amd64 and linux/arm64, no Docker daemon
	rm -rf dist/image
	$(IMAGE_TOOL) build -dist $(CURDIR)/dist -o $(CURDIR)/dist/image

image-push: ## push dist/image to ghcr.io/sascan/sascan:<version> (IMAGE_REPO=...; credentials from docker login, or GITHUB_TOKEN for ghcr.io)
	$(IMAGE_TOOL) push -layout $(CURDIR)/dist/image $(IMAGE_REPO)

release: ## from a vX.Y.Z tag: goreleaser release (GitHub release, archives, krew manifest; GITHUB_TOKEN), then image and image-push
	$(GORELEASER) release --clean
	@$(MAKE) --no-print-directory image image-push

clean: ## remove build output
	rm -rf bin dist
