#!/usr/bin/env bash
# A minimal GET/POST against the test API server with the admin kubeconfig,
# so the scripts need no kubectl: kubectl-lite.sh get PATH | post PATH FILE.
set -euo pipefail
kc=${KUBECONFIG:?}
server=$(sed -n 's/^ *server: *//p' "$kc" | head -1)
ca=$(sed -n 's/^ *certificate-authority: *//p' "$kc" | head -1)
token=$(sed -n 's/^ *token: *//p' "$kc" | head -1)
case "$1" in
  get) curl -fsS --cacert "$ca" -H "Authorization: Bearer $token" "$server$2" ;;
  post) curl -fsS --cacert "$ca" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -X POST --data-binary "@$3" "$server$2" ;;
  *) echo "usage: kubectl-lite.sh get PATH | post PATH FILE" >&2; exit 2 ;;
esac
