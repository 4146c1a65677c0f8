#!/usr/bin/env bash
# Median latency of one seal of a ~100 KB PDF through a real signetd, over one keep-alive mTLS
# connection (curl), against GET /v1/health on the same connection as the baseline. Run after a
# build: bash tests/bench/seal_latency.sh [COUNT] [SIZE_KB]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
count=${1:-50}
size_kb=${2:-100}
build=${SIGNET_BUILD:-build}
work=$(mktemp -d /tmp/signet-bench-XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null; wait "${pid:-0}" 2>/dev/null; rm -rf "$work"' EXIT

port=$(( 20000 + RANDOM % 20000 ))
"$build/daemon/signetctl" dev-init "$work/install" --port "$port" >/dev/null
"$build/daemon/signetd" --config "$work/install/signetd.toml" 2>"$work/signetd.log" &
pid=$!
pki="$work/install/pki"
curl_args=(--silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" --key "$pki/platform.key")
for _ in $(seq 1 100); do
  curl "${curl_args[@]}" --fail "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done

# A tenant whose EC seals: the rights matrix is checked on every seal, as in production.
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"kind": "cabinet", "name": "Cabinet Bench"}' "https://127.0.0.1:$port/v1/tenants/bench"
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"role": "ec", "name": "Bench"}' "https://127.0.0.1:$port/v1/tenants/bench/members/bench"

# Text pages through ps2pdf, streams expanded by qpdf until the file is about SIZE_KB.
pages=$(( size_kb * 1024 / 2600 + 1 ))
letter_ps "$pages" >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress "$work/doc-small.pdf" "$work/doc.pdf"
printf '{"tenant": "bench", "actor": "bench", "appearance": {"page": 1, "rect": [350, 40, 560, 120]}, "document": "%s"}' \
  "$(base64 -w0 "$work/doc.pdf")" >"$work/request.json"

# One curl process, COUNT requests on one connection: -w prints each transfer's total time.
times() {
  local url=$1; shift
  local args=()
  for _ in $(seq 1 "$count"); do args+=("$url" -o /dev/null); done
  curl "${curl_args[@]}" "$@" -w '%{http_code} %{time_total}\n' "${args[@]}"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

times "https://127.0.0.1:$port/v1/seal" -H "Content-Type: application/json" --data-binary "@$work/request.json" >"$work/seal.txt"
times "https://127.0.0.1:$port/v1/health" >"$work/health.txt"
if grep -qv '^200 ' "$work/seal.txt"; then echo "some seals failed:"; sort "$work/seal.txt" | uniq -c | head; exit 1; fi

seal_ms=$(awk '{print $2 * 1000}' "$work/seal.txt" | median)
health_ms=$(awk '{print $2 * 1000}' "$work/health.txt" | median)
printf 'document: %s bytes, %d requests each, one keep-alive connection\n' "$(stat -c %s "$work/doc.pdf")" "$count"
printf 'median seal latency:   %.2f ms\n' "$seal_ms"
printf 'median health latency: %.2f ms (baseline: the same connection, no signing)\n' "$health_ms"
awk -v s="$seal_ms" -v h="$health_ms" 'BEGIN {printf "ratio seal / health:   %.1f\n", s / h}'
# Where a seal's time goes, from signetd's own histograms (means over every job of the run).
curl "${curl_args[@]}" --fail "https://127.0.0.1:$port/metrics" |
  awk -F'[{}" ]+' '/^signet_stage_seconds_(sum|count)\{/ {v[$1 "/" $3] = $NF}
       END {for (s in v) if (s ~ /_sum\//) {split(s, p, "/"); c = v["signet_stage_seconds_count/" p[2]];
            if (c > 0) printf "mean %-5s stage:      %.2f ms\n", p[2], 1000 * v[s] / c}}' | sort
