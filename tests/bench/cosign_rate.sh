#!/usr/bin/env bash
# Guests' co-signatures (issue 22) against seals, in one run on one signetd: latency p50/p99 and
# rate at CONNECTIONS keep-alive mTLS connections (loadgen), for a one-time EC P-256 key and a
# one-time RSA-2048 key ([guests] algorithm). A co-signature generates a key pair in the HSM,
# issues its certificate with the guest CA, signs, and destroys the key; each request carries a
# guest of its own, invited beforehand (a code is good once).
#   bash tests/bench/cosign_rate.sh [REQUESTS] [CONNECTIONS]
# Prints one JSON line per run, then the ratios to the seal's rate.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
requests=${1:-400}
connections=${2:-4}
build=${SIGNET_BUILD:-build}
work=$(mktemp -d /tmp/signet-cosign-XXXXXX)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

port=$(( 20000 + RANDOM % 20000 ))
"$build/daemon/signetctl" dev-init "$work/install" --port "$port" >/dev/null
pki="$work/install/pki"
curl_args=(--silent --show-error --fail --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" --key "$pki/platform.key")
url="https://127.0.0.1:$port"
cp "$work/install/signetd.toml" "$work/base.toml"

start() {  # ALGORITHM: signetd with [guests] algorithm = ALGORITHM
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  { cat "$work/base.toml"; printf '\n[guests]\nalgorithm = "%s"\n' "$1"; } >"$work/install/signetd.toml"
  "$build/daemon/signetd" --config "$work/install/signetd.toml" 2>>"$work/signetd.log" &
  pid=$!
  for _ in $(seq 1 100); do
    curl "${curl_args[@]}" "$url/v1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "signetd did not start"; tail "$work/signetd.log"; exit 1
}

start ec-p256
curl "${curl_args[@]}" -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"kind": "cabinet", "name": "Cabinet Bench"}' "$url/v1/tenants/bench"
curl "${curl_args[@]}" -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"role": "ec", "name": "Bench"}' "$url/v1/tenants/bench/members/bench"
# A ~100 KB letter, the document of docs/performance.md's seal figures.
letter_ps 40 >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress "$work/doc-small.pdf" "$work/doc.pdf"
digest=$(sha256sum "$work/doc.pdf" | cut -c1-64)
doc_b64=$(base64 -w0 "$work/doc.pdf")
printf '{"tenant": "bench", "actor": "bench", "document": "%s"}' "$doc_b64" >"$work/seal.json"

loadgen() {  # LABEL ARGS...: one JSON line labelled
  local label=$1; shift
  "$build/tests/bench/loadgen" --port "$port" --pki "$pki" --connections "$connections" --requests "$requests" "$@" |
    jq -c --arg run "$label" '{run: $run, ok, errors, throughput_per_s, latency_ms: {p50: .latency_ms.p50, p99: .latency_ms.p99}, check}'
}

# One guest per request (and per warm-up request), each a body of its own.
guests() {  # COUNT: body files listed in $work/bodies
  : >"$work/bodies"
  for i in $(seq 1 "$1"); do
    reply=$(curl "${curl_args[@]}" -X POST -H "Content-Type: application/json" \
                 --data "{\"email\": \"client$i@example.fr\", \"name\": \"Client $i\", \"documents_sha256\": [\"$digest\"]}" \
                 "$url/v1/tenants/bench/guests")
    printf '{"tenant": "bench", "guest_id": "%s", "code": "%s", "document": "%s"}' \
      "$(jq -r .guest_id <<<"$reply")" "$(jq -r .code <<<"$reply")" "$doc_b64" >"$work/cosign-$i.json"
    echo "$work/cosign-$i.json" >>"$work/bodies"
  done
}

warm=$((connections * 2))
seal=$(loadgen seal --warmup 2 --target /v1/seal --body "$work/seal.json")
echo "$seal"
results=()
for algorithm in ec-p256 rsa-2048; do
  start "$algorithm"
  guests $((requests + warm))
  results+=("$(loadgen "cosign-$algorithm" --warmup 2 --target /v1/cosign --bodies "$work/bodies")")
  echo "${results[-1]}"
done
seal_rate=$(jq .throughput_per_s <<<"$seal")
for result in "${results[@]}"; do
  jq -r --argjson seal "$seal_rate" '"\(.run): \(.throughput_per_s | . * 10 | round / 10)/s = \(.throughput_per_s / $seal | . * 100 | round / 100) of the seal rate; p50 \(.latency_ms.p50 | . * 10 | round / 10) ms, p99 \(.latency_ms.p99 | . * 10 | round / 10) ms"' <<<"$result"
done
