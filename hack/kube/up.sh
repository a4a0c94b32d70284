#!/usr/bin/env bash
# Starts a throwaway control plane on 127.0.0.1 for sascan's live tests:
# etcd, kube-apiserver (RBAC, ServiceAccount issuer and keys, an admin token)
# and kube-controller-manager (the ServiceAccount, token, legacy-token
# cleaner, root-CA publisher and ClusterRole aggregation controllers).
# kube-apiserver writes an audit log (Metadata level, with the
# authentication annotations: legacy-token, stale-token) to
# $SASCAN_KUBE_DIR/logs/audit.log, for sascan --audit-log.
# Builds the binaries first when they are missing or older than go.mod.
# The last line printed is `export KUBECONFIG=<path>`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${SASCAN_KUBE_DIR:-/tmp/sascan-kube}
bin=$here/bin
etcd_port=${SASCAN_ETCD_PORT:-23790}
api_port=${SASCAN_API_PORT:-16443}

log() { printf 'up: %s\n' "$*" >&2; }

"$here/build.sh" >&2

command -v etcd >/dev/null || { log "etcd is not installed (Debian: apt-get install etcd-server)"; exit 1; }
command -v openssl >/dev/null || { log "openssl is not installed"; exit 1; }

"$here/down.sh" >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state/pki" "$state/etcd" "$state/logs"
pki=$state/pki

# A CA, a serving certificate for 127.0.0.1, and the ServiceAccount key pair.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sascan-test-ca \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver \
  -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' > "$pki/san.ext"
openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -days 2 -extfile "$pki/san.ext" -out "$pki/apiserver.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

admin_token=$(openssl rand -hex 24)

# Every request at Metadata level: who (user, extra claims), what
# (objectRef, verb), from where, and the annotations; never a body.
cat > "$state/audit-policy.yaml" <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
POLICY
printf '%s,sascan-admin,sascan-admin,"system:masters"\n' "$admin_token" > "$pki/tokens.csv"

log "starting etcd on 127.0.0.1:$etcd_port"
etcd --name sascan --data-dir "$state/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$((etcd_port + 10))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 10))" \
  --initial-cluster "sascan=http://127.0.0.1:$((etcd_port + 10))" \
  >"$state/logs/etcd.log" 2>&1 &
echo $! > "$state/etcd.pid"

log "starting kube-apiserver on https://127.0.0.1:$api_port"
"$bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --token-auth-file "$pki/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" \
  --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --allow-privileged \
  --endpoint-reconciler-type none \
  --audit-policy-file "$state/audit-policy.yaml" --audit-log-path "$state/logs/audit.log" \
  --audit-log-format json --audit-log-maxbackup 3 --audit-log-maxsize 200 \
  >"$state/logs/kube-apiserver.log" 2>&1 &
echo $! > "$state/kube-apiserver.pid"

kubeconfig=$state/kubeconfig
cat > "$kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: sascan-test
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $pki/ca.crt
users:
- name: sascan-admin
  user:
    token: $admin_token
contexts:
- name: sascan-test
  context: {cluster: sascan-test, user: sascan-admin}
current-context: sascan-test
KC

ready=
for _ in $(seq 1 120); do
  if curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" \
      "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; then
    ready=1; break
  fi
  sleep 1
done
if [ -z "$ready" ]; then
  log "kube-apiserver did not become ready; last log lines:"
  tail -20 "$state/logs/kube-apiserver.log" >&2
  exit 1
fi

log "starting kube-controller-manager"
"$bin/kube-controller-manager" \
  --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
  --controllers serviceaccount-controller,serviceaccount-token-controller,legacy-serviceaccount-token-cleaner-controller,root-ca-certificate-publisher-controller,clusterrole-aggregation-controller \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  >"$state/logs/kube-controller-manager.log" 2>&1 &
echo $! > "$state/kube-controller-manager.pid"

# Ready when the controllers have created the default ServiceAccount and
# aggregated the built-in view role.
for _ in $(seq 1 60); do
  if KUBECONFIG=$kubeconfig "$here/kubectl-lite.sh" get /api/v1/namespaces/default/serviceaccounts/default >/dev/null 2>&1 &&
     KUBECONFIG=$kubeconfig "$here/kubectl-lite.sh" get /apis/rbac.authorization.k8s.io/v1/clusterroles/view | grep '"verbs"' >/dev/null; then
    log "control plane ready"
    echo "export KUBECONFIG=$kubeconfig"
    exit 0
  fi
  sleep 1
done
log "kube-controller-manager did not reconcile; last log lines:"
tail -20 "$state/logs/kube-controller-manager.log" >&2
exit 1
