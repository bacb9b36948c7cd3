#!/usr/bin/env bash
# Builds the pinned control-plane binaries from the Go module proxy into a cache outside
# the repository, only what is missing, under a lock so two runs never build at once.
# Prints progress (a line per finished step plus a heartbeat) because a cold build takes
# 15–30 minutes on 2 cores.
#
# Versions come from versions.env beside this file (override with environment variables):
#   K8S_VERSION   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#   ETCD_VERSION  etcd, built with a wrapper module
#   KWOK_VERSION  kwok
#   HELM_VERSION  helm, stamped with the Kubernetes minor so .Capabilities is right
#   NEO_CACHE_DIR (default ~/.cache/neoengine-operator)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
while IFS='=' read -r key value; do
  case "$key" in ''|\#*) continue ;; esac
  [ -n "${!key:-}" ] || printf -v "$key" '%s' "$value"
done <"$here/versions.env"
CACHE="${NEO_CACHE_DIR:-$HOME/.cache/neoengine-operator}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  echo "[control-plane] another build holds $CACHE/.build.lock; waiting for it"
  flock 9
fi

log() { echo "[control-plane $(date +%H:%M:%S)] $*"; }

# Runs a long command, printing a heartbeat every 30 s and the count of compiled packages.
with_heartbeat() {
  local label="$1"; shift
  local out; out=$(mktemp)
  local start=$SECONDS
  ( "$@" ) >"$out" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && log "$label: still building, $((SECONDS - start))s, $(wc -l <"$out") packages/lines so far"
  done
  if ! wait "$pid"; then
    tail -n 60 "$out" >&2
    rm -f "$out"
    log "$label: FAILED after $((SECONDS - start))s"
    return 1
  fi
  rm -f "$out"
  log "$label: done in $((SECONDS - start))s"
}

have() { for b in "$@"; do [ -x "$b" ] || return 1; done; }

build_kubernetes() {
  local dir="$CACHE/kubernetes-$K8S_VERSION"
  if have "$dir/bin/kube-apiserver" "$dir/bin/kube-controller-manager" "$dir/bin/kube-scheduler" "$dir/bin/kubectl"; then
    log "kubernetes v$K8S_VERSION cached in $dir"; return
  fi
  log "building kubernetes v$K8S_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl) into $dir — 15–30 min cold"
  local work="$dir/src"; rm -rf "$work"; mkdir -p "$work" "$dir/bin"
  local minor; minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  (
    cd "$work"
    go mod init local/k8sbins >/dev/null 2>&1
    local mod
    mod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
    [ -n "$mod" ] || { echo "could not download k8s.io/kubernetes@v$K8S_VERSION" >&2; exit 1; }
    local args=()
    for m in $(sed -n 's/^\t\(k8s\.io\/[a-z0-9-]*\) v0\.0\.0$/\1/p' "$mod"); do
      args+=("-replace=$m=$m@v0.${K8S_VERSION#1.}")
    done
    go mod edit "${args[@]}"
    # Upstream's godebug settings change runtime behaviour; carry them over.
    sed -n 's/^godebug \(.*\)$/\1/p' "$mod" | while read -r kv; do go mod edit -godebug="$kv"; done
    awk '/^godebug \($/{f=1;next} f&&/^\)/{f=0} f{gsub(/^[ \t]+/,"");print}' "$mod" | while read -r kv; do [ -n "$kv" ] && go mod edit -godebug="$kv"; done
    # 'tool' directives (Go >= 1.24) keep the main packages' dependencies in the graph.
    for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      go get -tool "k8s.io/kubernetes/cmd/$cmd@v$K8S_VERSION" 2>&1 | grep -v '^go: added' || true
    done
  )
  log "kubernetes: module graph resolved"
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    with_heartbeat "kubernetes/$cmd" bash -c "cd '$work' && go build -v -trimpath -ldflags '$ld' -o '$dir/bin/$cmd.tmp' k8s.io/kubernetes/cmd/$cmd && mv '$dir/bin/$cmd.tmp' '$dir/bin/$cmd'"
  done
}

build_etcd() {
  local dir="$CACHE/etcd-$ETCD_VERSION"
  if have "$dir/bin/etcd"; then log "etcd v$ETCD_VERSION cached in $dir"; return; fi
  log "building etcd v$ETCD_VERSION into $dir"
  local work="$dir/src"; rm -rf "$work"; mkdir -p "$work" "$dir/bin"
  with_heartbeat etcd bash -c "cd '$work' && go mod init local/etcd && go get go.etcd.io/etcd/server/v3@v$ETCD_VERSION && go build -v -trimpath -ldflags '-s -w' -o '$dir/bin/etcd.tmp' go.etcd.io/etcd/server/v3 && mv '$dir/bin/etcd.tmp' '$dir/bin/etcd'"
}

build_kwok() {
  local dir="$CACHE/kwok-$KWOK_VERSION"
  if have "$dir/bin/kwok"; then log "kwok v$KWOK_VERSION cached in $dir"; return; fi
  log "building kwok v$KWOK_VERSION into $dir"
  mkdir -p "$dir/bin"
  with_heartbeat kwok env GOBIN="$dir/bin" go install -v -trimpath -ldflags '-s -w' "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
}

build_helm() {
  local dir="$CACHE/helm-$HELM_VERSION"
  if have "$dir/bin/helm"; then log "helm v$HELM_VERSION cached in $dir"; return; fi
  log "building helm v$HELM_VERSION into $dir"
  mkdir -p "$dir/bin"
  local minor; minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  # Without these stamps helm assumes an old Kubernetes for .Capabilities and lint.
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  ld="$ld -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
  ld="$ld -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
  with_heartbeat helm env GOBIN="$dir/bin" go install -v -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

only="${1:-all}"
case "$only" in
  all) build_kubernetes; build_etcd; build_kwok; build_helm ;;
  kubernetes|etcd|kwok|helm) "build_$only" ;;
  *) echo "usage: build.sh [all|kubernetes|etcd|kwok|helm]" >&2; exit 2 ;;
esac
log "binaries ready in $CACHE"
