#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from k8s.io/kubernetes
# (the version in go.mod) unless the binaries are newer than go.mod and go.sum.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
mkdir -p bin
for cmd in kube-apiserver kube-controller-manager; do
  if [ -x "bin/$cmd" ] && [ "bin/$cmd" -nt go.mod ] && [ "bin/$cmd" -nt go.sum ]; then
    echo "build: bin/$cmd is current"
    continue
  fi
  echo "build: building $cmd (first build takes several minutes)"
  go build -trimpath -o "bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
