#!/usr/bin/env bash
# Stops what up.sh started.
set -u
state=${SASCAN_KUBE_DIR:-/tmp/sascan-kube}
for p in kube-controller-manager kube-apiserver etcd; do
  if [ -f "$state/$p.pid" ]; then
    pid=$(cat "$state/$p.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/$p.pid"
  fi
done
echo "down: stopped"
