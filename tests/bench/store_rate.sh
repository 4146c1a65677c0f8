#!/usr/bin/env bash
# The store's cost and several nodes (issue 23), in one run on this machine: the seal rate of
#   sqlite:      one signetd on SQLite (dev-init),
#   postgresql:  one signetd on PostgreSQL 15 (node-1 of cluster/local-cluster.sh, fsync on),
#   three-nodes: the three signetd of that cluster, behind its HAProxy,
# at CONNECTIONS keep-alive mTLS connections (loadgen), REQUESTS requests a run, the ~100 KB
# letter of docs/performance.md. Every installation is up for the whole run (idle ones cost
# next to nothing); ROUNDS rounds run the three in turn, so that a slow minute of this shared
# machine touches all three, and the ratios the issue asks for are each round's, then their
# median: postgresql / sqlite and three-nodes / postgresql.
#   bash tests/bench/store_rate.sh [REQUESTS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
requests=${1:-2000}
connections=${2:-4}
rounds=${3:-3}
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

loadgen() {  # LABEL ROUND PORT PKI
  "$build/tests/bench/loadgen" --port "$3" --pki "$4" --connections "$connections" --requests "$requests" \
    --warmup 2 --target /v1/seal --body "$work/seal.json" |
    jq -c --arg run "$1" --argjson round "$2" \
      '{run: $run, round: $round, ok, errors, throughput_per_s, latency_ms: {p50: .latency_ms.p50, p99: .latency_ms.p99}}'
}

sqlite_port=$(( 20000 + RANDOM % 20000 ))
"$build/daemon/signetctl" dev-init "$work/sqlite" --port "$sqlite_port" >/dev/null
"$build/daemon/signetd" --config "$work/sqlite/signetd.toml" 2>>"$work/signetd.log" &
pid=$!
for _ in $(seq 1 100); do register "$sqlite_port" "$work/sqlite/pki" 2>/dev/null && break; sleep 0.1; done
base=$(( 20000 + RANDOM % 20000 ))
cluster/local-cluster.sh start "$work/cluster" --nodes 3 --port "$base" --build "$build" >/dev/null
cluster_pki="$work/cluster/install/pki"
register "$base" "$cluster_pki"

: >"$work/results"
for round in $(seq 1 "$rounds"); do
  loadgen sqlite "$round" "$sqlite_port" "$work/sqlite/pki" | tee -a "$work/results"
  loadgen postgresql "$round" $((base + 1)) "$cluster_pki" | tee -a "$work/results"
  loadgen three-nodes "$round" "$base" "$cluster_pki" | tee -a "$work/results"
done
jq -rs '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def rate($run; $round): map(select(.run == $run and .round == $round)) | .[0].throughput_per_s;
  . as $all | [.[].round] | unique | map(. as $r | {
      round: $r,
      postgresql_to_sqlite: ($all | rate("postgresql"; $r) / rate("sqlite"; $r)),
      three_nodes_to_one: ($all | rate("three-nodes"; $r) / rate("postgresql"; $r))}) |
  (.[] | "round \(.round): postgresql / sqlite \(.postgresql_to_sqlite * 100 | round / 100), three nodes / one \(.three_nodes_to_one * 100 | round / 100)"),
  "median: postgresql / sqlite \(map(.postgresql_to_sqlite) | median * 100 | round / 100), three nodes / one \(map(.three_nodes_to_one) | median * 100 | round / 100)"
' "$work/results"
