#!/usr/bin/env bash
# Personal signatures at scale (issue 6): the latency of POST /v1/sign for persons whose keys sit
# in a token holding a handful of keys, then the same token holding FILLER more (default
# 20 000), and the per-document time of a 10-document batch under one code against 10 single
# requests. Codes come from oathtool, as from an authenticator app. Run after a build:
#   bash tests/bench/personal_keys.sh [FILLER] [PERSONS] [MADE]
# At most MADE (default 1000) filler key pairs are made through PKCS#11: SoftHSM's file store
# takes time in proportion to the token's size for each new key (2 000 keys took 414 s here,
# 20 000 would take about 11 hours), so the rest are copies of those key objects' files under
# new object names. SoftHSM loads and searches the copies like any key; their CKA_IDs repeat,
# which signet's index leaves out of its cache and the persons' keys never share.
# Latencies are server-side: curl's total time less its TLS handshake (one connection each).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
filler=${1:-20000}
persons=${2:-10}
made=${3:-1000}
build=${SIGNET_BUILD:-build}
work=$(mktemp -d /tmp/signet-bench-XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null; wait "${pid:-0}" 2>/dev/null; rm -rf "$work"' EXIT

port=$(( 20000 + RANDOM % 20000 ))
"$build/daemon/signetctl" dev-init "$work/install" --port "$port" >/dev/null
pki="$work/install/pki"
url="https://127.0.0.1:$port"
curl_args=(--silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" --key "$pki/platform.key")

start_signetd() {  # sets pid, and startup_s: seconds until /v1/health answered 200
  local begin; begin=$(date +%s.%N)
  "$build/daemon/signetd" --config "$work/install/signetd.toml" >/dev/null 2>>"$work/signetd.log" &
  pid=$!
  for _ in $(seq 1 6000); do
    curl "${curl_args[@]}" --fail "$url/v1/health" >/dev/null 2>&1 && break
    sleep 0.05
  done
  startup_s=$(echo "$(date +%s.%N) - $begin" | bc)
}
stop_signetd() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=0; }
api() {  # METHOD PATH JSON → the body; fails on a non-2xx status
  curl "${curl_args[@]}" --fail-with-body -X "$1" -H "Content-Type: application/json" --data-binary "$3" "$url$2"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
step_now() { echo $(( $(date +%s) / 30 )); }
code_at_step() { oathtool --totp -b "$1" -N "@$(( $2 * 30 + 1 ))"; }

start_signetd
api PUT /v1/tenants/bench '{"kind": "cabinet", "name": "Cabinet Bench"}' >/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n' >"$work/ext"
enrol() {  # PERSON → its TOTP secret in $work/PERSON.secret
  api PUT "/v1/tenants/bench/members/$1" "{\"role\": \"ec\", \"name\": \"$1\"}" >/dev/null
  api POST "/v1/persons/$1/key" '{"algorithm": "rsa-3072"}' | jq -r .csr >"$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$pki/signing-ca.pem" -CAkey "$pki/signing-ca.key" -days 1095 \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$work/ext" -out "$work/$1.pem" 2>/dev/null
  api PUT "/v1/persons/$1/certificate" "$(jq -n --rawfile c "$work/$1.pem" '{certificate: $c}')" >/dev/null
  api POST "/v1/persons/$1/otp" '{}' | jq -r .otpauth_uri | sed 's/.*secret=\([A-Z2-7]*\).*/\1/' >"$work/$1.secret"
}
for i in $(seq 1 "$persons"); do enrol "p$i"; done
enrol batcher

# A letter of engagement of about 100 KB (text pages, streams expanded), as in seal_latency.sh.
letter_ps 40 >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress "$work/doc-small.pdf" "$work/doc.pdf"
base64 -w0 "$work/doc.pdf" >"$work/doc.b64"

sign() {  # PERSON STEP [DOCUMENTS] → "status seconds" (server side)
  local n=${3:-1} field documents
  if [ "$n" = 1 ]; then field=document; documents="\"$(cat "$work/doc.b64")\""; else
    field=documents; documents="[$(for _ in $(seq 1 "$n"); do printf '"%s",' "$(cat "$work/doc.b64")"; done | sed 's/,$//')]"; fi
  printf '{"tenant": "bench", "actor": "%s", "%s": %s, "activation": {"otp": "%s"}}' \
    "$1" "$field" "$documents" "$(code_at_step "$(cat "$work/$1.secret")" "$2")" >"$work/request.json"
  curl "${curl_args[@]}" -o /dev/null -H "Content-Type: application/json" --data-binary "@$work/request.json" \
    -w '%{http_code} %{time_appconnect} %{time_total}\n' "$url/v1/sign" | awk '{print $1, $3 - $2}'
}
# Round A at step S (each person's first signature since signetd started: its key is read from
# the register and looked up in the token), round B at step S+1 (the key is cached).
rounds() {  # LABEL STEP
  for i in $(seq 1 "$persons"); do sign "p$i" "$2"; done >"$work/$1-cold.txt"
  for i in $(seq 1 "$persons"); do sign "p$i" $(( $2 + 1 )); done >"$work/$1-warm.txt"
  if grep -qv '^200 ' "$work/$1-cold.txt" "$work/$1-warm.txt"; then echo "some signatures failed ($1)"; cat "$work/$1"-*.txt; exit 1; fi
}
ms() { awk '{print $2 * 1000}' "$work/$1.txt" | median; }

step=$(step_now)
rounds few "$step"
batch=$(sign batcher "$step" 10)
[ "${batch%% *}" = 200 ] || { echo "the batch failed: $batch"; exit 1; }
single_s=$(awk '{s += $2} END {print s / NR}' "$work/few-warm.txt")  # mean of the warm singles
keys_before=$(( persons + 3 ))

stop_signetd
tokendir=$(ls -d "$work"/install/tokens/*/)
ls "$tokendir" >"$work/objects-before.txt"
fill_start=$(date +%s.%N)
"$build/tests/bench/filler_keys" "$work/install/signetd.toml" "$(( filler < made ? filler : made ))" >/dev/null 2>&1
ls "$tokendir" | grep '\.object$' | grep -vxFf "$work/objects-before.txt" >"$work/filler-objects.txt"
made_now=$(( filler < made ? filler : made ))
copies=$(( 2 * (filler - made_now) ))  # object files: a key pair is a private and a public key
if [ "$copies" -gt 0 ]; then
  while [ "$copies" -gt 0 ]; do
    while read -r object && [ "$copies" -gt 0 ]; do
      name=$(cat /proc/sys/kernel/random/uuid)
      cp "$tokendir/$object" "$tokendir/$name.object"
      cp "$tokendir/${object%.object}.lock" "$tokendir/$name.lock"
      copies=$(( copies - 1 ))
    done <"$work/filler-objects.txt"
  done
fi
fill_output="$filler filler key pairs ($made_now made through PKCS#11, $(( filler - made_now )) copied) in $(echo "$(date +%s.%N) - $fill_start" | bc | cut -d. -f1) s; $(ls "$tokendir" | grep -c '\.object$') objects in the token"
start_signetd
# Codes are good once: wait for a step after round B's.
while [ "$(step_now)" -le $(( step + 1 )) ]; do sleep 1; done
rounds many "$(step_now)"

few_cold=$(ms few-cold); few_warm=$(ms few-warm); many_cold=$(ms many-cold); many_warm=$(ms many-warm)
printf 'document: %s bytes; RSA-3072 personal keys; %d persons, median of %d signatures per cell\n' \
  "$(stat -c %s "$work/doc.pdf")" "$persons" "$persons"
printf '%-34s %12s %14s %8s\n' "" "$keys_before keys" "$((keys_before + filler)) keys" "ratio"
printf '%-34s %9.2f ms %11.2f ms %8.2f\n' "first signature after start" "$few_cold" "$many_cold" "$(echo "$many_cold / $few_cold" | bc -l)"
printf '%-34s %9.2f ms %11.2f ms %8.2f\n' "later signatures" "$few_warm" "$many_warm" "$(echo "$many_warm / $few_warm" | bc -l)"
printf 'filler: %s; signetd ready %.1f s after start with them\n' "$fill_output" "$startup_s"
batch_s=${batch#* }
printf 'batch of 10 under one code: %.2f ms per document; single requests: %.2f ms per document (ratio %.2f)\n' \
  "$(echo "$batch_s * 100" | bc -l)" "$(echo "$single_s * 1000" | bc -l)" "$(echo "$batch_s / 10 / $single_s" | bc -l)"
