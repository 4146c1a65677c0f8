#!/usr/bin/env bash
# The store's cost and several nodes (issue 23), in one run on this machine: the seal rate of
#   1. one signetd on SQLite (dev-init),
#   2. one signetd on PostgreSQL 15 (cluster/local-cluster.sh --nodes 1, fsync on),
#   3. three signetd on that PostgreSQL behind HAProxy (cluster/local-cluster.sh --nodes 3),
# each at CONNECTIONS keep-alive mTLS connections (loadgen), REQUESTS per connection, the ~100 KB
# letter of docs/performance.md, and the ratios the issue asks for: PostgreSQL to SQLite, and
# three nodes to one.
#   bash tests/bench/store_rate.sh [REQUESTS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
requests=${1:-400}
connections=${2:-4}
build=${SIGNET_BUILD:-build}
build=$(cd "$build" && pwd)
work=$(mktemp -d /tmp/signet-store-XXXXXX)
chmod 711 "$work"  # the PostgreSQL server's user reaches its folder inside
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  [ -d "$work/cluster" ] && cluster/local-cluster.sh stop "$work/cluster" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

letter_ps 40 >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress "$work/doc-small.pdf" "$work/doc.pdf"
printf '{"tenant": "bench", "actor": "bench", "document": "%s"}' "$(base64 -w0 "$work/doc.pdf")" >"$work/seal.json"

register() {  # PORT PKI: the bench tenant and its EC
  local args=(--silent --show-error --fail --cacert "$2/tls-ca.pem" --cert "$2/platform.pem" --key "$2/platform.key")
  curl "${args[@]}" -X PUT -H "Content-Type: application/json" -o /dev/null \
       --data '{"kind": "cabinet", "name": "Cabinet Bench"}' "https://127.0.0.1:$1/v1/tenants/bench"
  curl "${args[@]}" -X PUT -H "Content-Type: application/json" -o /dev/null \
       --data '{"role": "ec", "name": "Bench"}' "https://127.0.0.1:$1/v1/tenants/bench/members/bench"
}

loadgen() {  # LABEL PORT PKI
  "$build/tests/bench/loadgen" --port "$2" --pki "$3" --connections "$connections" --requests "$requests" \
    --warmup 2 --target /v1/seal --body "$work/seal.json" |
    jq -c --arg run "$1" '{run: $run, ok, errors, throughput_per_s, latency_ms: {p50: .latency_ms.p50, p99: .latency_ms.p99}}'
}

# 1. SQLite.
port=$(( 20000 + RANDOM % 20000 ))
"$build/daemon/signetctl" dev-init "$work/sqlite" --port "$port" >/dev/null
"$build/daemon/signetd" --config "$work/sqlite/signetd.toml" 2>>"$work/signetd.log" &
pid=$!
for _ in $(seq 1 100); do register "$port" "$work/sqlite/pki" 2>/dev/null && break; sleep 0.1; done
sqlite=$(loadgen sqlite-1-node "$port" "$work/sqlite/pki")
echo "$sqlite"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

# 2. and 3. PostgreSQL: one node, then three behind HAProxy (the first port is HAProxy's).
base=$(( 20000 + RANDOM % 20000 ))
cluster/local-cluster.sh start "$work/cluster" --nodes 1 --port "$base" --build "$build" >/dev/null
register $((base + 1)) "$work/cluster/install/pki"
pg1=$(loadgen postgresql-1-node $((base + 1)) "$work/cluster/install/pki")
echo "$pg1"
cluster/local-cluster.sh stop "$work/cluster" >/dev/null
rm -rf "$work/cluster"
cluster/local-cluster.sh start "$work/cluster" --nodes 3 --port "$base" --build "$build" >/dev/null
register "$base" "$work/cluster/install/pki"
pg3=$(loadgen postgresql-3-nodes-haproxy "$base" "$work/cluster/install/pki")
echo "$pg3"

rate() { jq .throughput_per_s <<<"$1"; }
echo "postgresql / sqlite, one node: $(bc -l <<<"scale=2; $(rate "$pg1") / $(rate "$sqlite")")"
echo "three nodes behind HAProxy / one node, postgresql: $(bc -l <<<"scale=2; $(rate "$pg3") / $(rate "$pg1")")"
