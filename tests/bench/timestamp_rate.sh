#!/usr/bin/env bash
# Issues 17 and 18: signetd's RFC 3161 TSA, PAdES B-T, B-LT and B-LTA seals and `extend`, in one
# run on one machine, each against its same-run baseline. Run after a build:
#   bash tests/bench/timestamp_rate.sh [--quick]
# SIGNET_BUILD (default build) names the build folder; timestamp_rate-ALGORITHM.json and signetd-timestamp.log go to
# SIGNET_BENCH_RESULTS (default $SIGNET_BUILD/bench-results). SIGNET_BENCH_PORT (default a
# random port in 18600-18699) is signetd's loopback port. SIGNET_BENCH_HSM_SESSIONS, when set,
# writes `sessions = N` into the installation's [hsm] section (default: dev-init's config, which
# has none, so signetd opens config::Hsm's default of 4 sessions); for profiling only, as is
# TMPDIR (default /tmp), where the installation goes.
# --quick makes every measurement short (for working on this script; its numbers mean little).
#
# It measures
# SIGNET_BENCH_TSA_ALGORITHM (default rsa-3072, dev-init's) is the TSA key's algorithm
# (signetctl dev-init --tsa-algorithm): run once with each of rsa-3072 and ec-p256.
#
#   (a) the TSA key's raw HSM signing rate (hsm_rate --purpose tsa: Token::sign on dev-init's
#       "tsa-1", CKM_SHA256_RSA_PKCS, or for EC SHA-256 in signetd then CKM_ECDSA, on a
#       cached handle, the call jobs/trusted_time.cpp makes per token), with 1, nproc and 16
#       threads, one session each, before signetd starts;
#   (b) POST /v1/timestamp?tenant=... throughput at 16 keep-alive mTLS connections (loadgen, a
#       fixed `openssl ts -query -sha256 -cert` body; the first answer is checked: granted, with a
#       token), in five rounds of 8 s (one with --quick), each between two raw-rate
#       measurements at 16 threads made while signetd waits idle; a round's ratio is to the
#       mean of the two: target ≥ 0.7 for the median round;
#   (c) seal throughput of the ~100 KB letter through the raw-body API at 16 connections, at
#       level=B-B and at level=B-T (internal TSA; the first answer must say Signet-Level: B-T
#       and carry Signet-Timestamp-Serial), and the ratio B-T / B-B: target ≥ 0.45; then at
#       level=B-LT (target ≥ 0.45 of B-B) and level=B-LTA (≥ 0.3), with dev-init's CRL file as
#       the revocation source, so warm caches after the first seal;
#   (d) POST /v1/extend of a ~1 MB B-LTA file (raw body, one connection): the time per document,
#       against a B-B seal of the same file at one connection in the same run;
# with each load point signetd's stage means (signet_stage_seconds) and the CPU per request of
# signetd, its PDF workers and the load generator. Targets are reported, never asserted.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
source tests/bench/cpu_ticks.sh
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac
build=${SIGNET_BUILD:-build}
results=${SIGNET_BENCH_RESULTS:-$build/bench-results}
for tool in jq qpdf ps2pdf openssl curl timeout; do
  command -v "$tool" >/dev/null || { echo "timestamp_rate.sh: $tool is missing: run .ci/install-deps.sh" >&2; exit 1; }
done
for binary in daemon/signetd daemon/signetctl tests/bench/loadgen tests/bench/hsm_rate; do
  [ -x "$build/$binary" ] || { echo "timestamp_rate.sh: $build/$binary is missing: build first" >&2; exit 1; }
done
if [ "$quick" = 1 ]; then
  hsm_seconds=1; load_seconds=2; warmup=1; rounds=1
else
  hsm_seconds=4; load_seconds=8; warmup=2; rounds=5
fi
cores=$(nproc)
connections=16
hsm_threads=(1 "$cores" 16)

# TMPDIR holds the installation (database, WAL, token): on tmpfs, fsync costs nothing.
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-tsa-bench-XXXXXX")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
pid=
child=
note() { echo "timestamp_rate.sh: $*" >&2; }
stop_signetd() {
  if [ -n "$pid" ]; then
    # Its PDF workers (fork server and clones) are its children: remember them, so that one
    # left behind by a signetd that died badly is ended too, by its id.
    local kids
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    pid=
  fi
}
cleanup() {
  if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  stop_signetd
  [ -f "$work/signetd.log" ] && cp "$work/signetd.log" "$results/signetd-timestamp.log" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$results"
# A measuring tool in the background, waited for: a trap can then end it by its id.
run() {  # OUTPUT-FILE COMMAND...
  local out=$1; shift
  "$@" >"$out" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=
  return "$status"
}

# --- installation -----------------------------------------------------------------------------
port=${SIGNET_BENCH_PORT:-$(( 18600 + RANDOM % 100 ))}
install="$work/install"
pki="$install/pki"
tsa_algorithm=${SIGNET_BENCH_TSA_ALGORITHM:-rsa-3072}
"$build/daemon/signetctl" dev-init "$install" --port "$port" --tsa-algorithm "$tsa_algorithm" >/dev/null
config="$install/signetd.toml"
if [ -n "${SIGNET_BENCH_HSM_SESSIONS:-}" ]; then
  sed -i "s/^\[hsm\]\$/[hsm]\nsessions = $SIGNET_BENCH_HSM_SESSIONS/" "$config"
fi
sessions=$(awk '/^\[/ {s = $0} s == "[hsm]" && $1 == "sessions" {print $3}' "$config")
sessions_text=${sessions:-"4 (config::Hsm default; dev-init writes none)"}
curl_args=(--silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" --key "$pki/platform.key")
base="https://127.0.0.1:$port"
start_signetd() {
  "$build/daemon/signetd" --config "$config" 2>>"$work/signetd.log" &
  pid=$!
  for _ in $(seq 1 150); do
    curl "${curl_args[@]}" --fail "$base/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  note "signetd did not start:"; tail -20 "$work/signetd.log" >&2; exit 1
}

# --- request bodies ---------------------------------------------------------------------------
# The ~100 KB letter of performance.sh (40 pages, streams expanded by qpdf).
letter_ps 40 >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress --object-streams=disable "$work/doc-small.pdf" "$work/doc.pdf"
doc_bytes=$(stat -c %s "$work/doc.pdf")
# A ~1 MB one for extend (400 pages).
letter_ps 400 >"$work/big.ps"
ps2pdf "$work/big.ps" "$work/big-small.pdf"
qpdf --stream-data=uncompress --object-streams=disable "$work/big-small.pdf" "$work/big.pdf"
# A TimeStampReq as a client makes one: SHA-256 imprint, a nonce, certReq.
openssl ts -query -data "$work/doc.pdf" -sha256 -cert -out "$work/query.tsq" 2>/dev/null

# --- (a) the TSA key's raw rate, before signetd starts: they would share the CPU ---------------
for t in "${hsm_threads[@]}"; do
  note "raw HSM rate of the TSA key, $t thread(s)"
  run "$work/hsm-$t.json" timeout 120 "$build/tests/bench/hsm_rate" "$config" --purpose tsa --threads "$t" --seconds "$hsm_seconds"
done

# --- signetd ----------------------------------------------------------------------------------
start_signetd
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"kind": "cabinet", "name": "Cabinet X"}' "$base/v1/tenants/cabinet-x"
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"role": "ec", "name": "E"}' "$base/v1/tenants/cabinet-x/members/ec1"

# signetd's stage histograms, cumulative sums and counts as JSON (as performance.sh).
stages() {
  curl "${curl_args[@]}" --fail "$base/metrics" 2>/dev/null |
    awk -F'[{}" ]+' '/^signet_stage_seconds_(sum|count)\{/ {v[$3 "/" ($1 ~ /_sum$/ ? "sum" : "count")] = $NF}
         END {printf "{"; n = 0
              for (k in v) {split(k, p, "/"); if (p[2] == "sum") {printf "%s\"%s\": {\"sum\": %s, \"count\": %s}", (n++ ? ", " : ""), p[1], v[k], v[p[1] "/count"]}}
              print "}"}'
}
hz=$(getconf CLK_TCK)

: >"$work/load.ndjson"
point() {  # NAME LOADGEN-ARGS...: one load point, appended to load.ndjson
  local name=$1; shift
  note "$name at $connections connections, ${load_seconds} s"
  local before cpu_before
  before=$(stages)
  cpu_before=$(cpu_ticks "$pid")
  if ! run "$work/point.json" timeout 600 "$build/tests/bench/loadgen" --port "$port" --pki "$pki" \
         --connections "$connections" --seconds "$load_seconds" --warmup "$warmup" "$@"; then
    note "loadgen failed: $(cat "$work/point.json")"; tail -20 "$work/signetd.log" >&2; exit 1
  fi
  if [ "$(jq .ok "$work/point.json")" = 0 ]; then
    note "$name: no request succeeded: $(jq -c '.errors, .first_error' "$work/point.json")"; exit 1
  fi
  jq -c --arg name "$name" --argjson before "$before" --argjson after "$(stages)" \
    --argjson cpu_before "$cpu_before" --argjson cpu_after "$(cpu_ticks "$pid")" --argjson hz "$hz" \
    --argjson warm "$warmup" '
    {name: $name} + . +
    {stage_ms: ($after | with_entries(.key as $k | .value = (if (.value.count - ($before[$k].count // 0)) > 0
       then 1000 * (.value.sum - ($before[$k].sum // 0)) / (.value.count - ($before[$k].count // 0)) else null end))),
     cpu_ms: ((.ok + .connections * $warm) as $n |
       {signetd: (1000 * ($cpu_after[0] - $cpu_before[0]) / $hz / $n),
        workers: (1000 * ($cpu_after[1] - $cpu_before[1]) / $hz / $n),
        client: (1000 * .client_cpu_seconds / $n)})}' "$work/point.json" >>"$work/load.ndjson"
}

# (b) in rounds, each between two measurements of the raw rate at 16 threads made while signetd
# waits idle: this machine's speed drifts by a tenth within a minute, and a ratio whose two terms
# were measured minutes apart carried that drift. Each round's ratio is to the mean of the raw
# rates just before and just after it; the target is judged on the median round.
raw_during() {  # ROUND: the raw rate at 16 threads, signetd running and idle
  note "raw HSM rate of the TSA key, 16 threads, signetd idle (round $1)"
  run "$work/raw-$1.json" timeout 120 "$build/tests/bench/hsm_rate" "$config" --purpose tsa --threads 16 --seconds "$hsm_seconds"
  jq -c --argjson round "$1" '{round: $round} + .' "$work/raw-$1.json" >>"$work/raw.ndjson"
}
: >"$work/raw.ndjson"
raw_during 0
for round in $(seq 1 "$rounds"); do
  point "timestamp-$round" --target "/v1/timestamp?tenant=cabinet-x" --body "$work/query.tsq" \
    --content-type application/timestamp-query
  raw_during "$round"
done

seal_target() { echo "/v1/seal?tenant=cabinet-x&actor=ec1&level=$1"; }
point seal-B-B --target "$(seal_target B-B)" --body "$work/doc.pdf" --content-type application/pdf \
  --expect-header Signet-Level=B-B
point seal-B-T --target "$(seal_target B-T)" --body "$work/doc.pdf" --content-type application/pdf \
  --expect-header Signet-Level=B-T --expect-header Signet-Timestamp-Serial
point seal-B-LT --target "$(seal_target B-LT)" --body "$work/doc.pdf" --content-type application/pdf \
  --expect-header Signet-Level=B-LT --expect-header Signet-Revocation-After-Timestamp
point seal-B-LTA --target "$(seal_target B-LTA)" --body "$work/doc.pdf" --content-type application/pdf \
  --expect-header Signet-Level=B-LTA --expect-header Signet-Document-Timestamp-Serial

# (d) extend: the 1 MB letter sealed at B-LTA once, then extended again and again (each request
# extends that same file) at one connection, against a B-B seal of the same file.
curl "${curl_args[@]}" --fail -H "Content-Type: application/pdf" --data-binary "@$work/big.pdf" \
     -o "$work/big-lta.pdf" "$base$(seal_target B-LTA)"
big_bytes=$(stat -c %s "$work/big-lta.pdf")
connections=1
point seal-1MB-B-B --target "$(seal_target B-B)" --body "$work/big.pdf" --content-type application/pdf \
  --expect-header Signet-Level=B-B
point extend-1MB-B-LTA --target "/v1/extend?tenant=cabinet-x" --body "$work/big-lta.pdf" --content-type application/pdf \
  --expect-header Signet-Timestamps=2
connections=16
stop_signetd

# --- results ----------------------------------------------------------------------------------
jq -n --slurpfile load "$work/load.ndjson" --slurpfile raw "$work/raw.ndjson" --argjson rounds "$rounds" --slurpfile h1 "$work/hsm-1.json" --slurpfile hn "$work/hsm-$cores.json" \
  --slurpfile h16 "$work/hsm-16.json" --argjson cores "$cores" --argjson quick "$quick" \
  --arg sessions "$sessions_text" --argjson doc_bytes "$doc_bytes" --argjson big_bytes "$big_bytes" --arg tsa_algorithm "$tsa_algorithm" \
  --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" --arg kernel "$(uname -r)" \
  --arg date "$(date -u +%FT%TZ)" --arg load_before "$load_before" --arg load_after "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg softhsm "$(dpkg-query -W -f='${Version}' softhsm2 2>/dev/null || echo unknown)" '
  def p($n): [$load[] | select(.name == $n)][0];
  ($raw | map({key: (.round | tostring), value: .per_second}) | from_entries) as $raw_by_round |
  ([range(1; $rounds + 1) | . as $r | p("timestamp-\($r)").throughput_per_s as $m |
    (($raw_by_round[($r - 1) | tostring] + $raw_by_round[$r | tostring]) / 2) as $base |
    {round: $r, per_second: $m, raw_per_second: $base, ratio: ($m / $base)}]) as $timestamp_rounds |
  def target($name; $measured; $limit; $ratio; $met):
    {target: $name, measured: $measured, limit: $limit, ratio: $ratio, status: (if $met then "MET" else "NOT MET" end)};
  {machine: {cpu: $cpu, cores: $cores, kernel: $kernel, softhsm: $softhsm, date: $date, quick: ($quick == 1),
             loadavg_before: $load_before, loadavg_after: $load_after, hsm_sessions: $sessions},
   document_bytes: $doc_bytes, extended_document_bytes: $big_bytes, tsa_algorithm: $tsa_algorithm,
   tsa_key_raw_rate: {one_thread: $h1[0], nproc_threads: $hn[0], sixteen_threads: $h16[0]},
   tsa_key_raw_rate_between_rounds: $raw, timestamp_rounds: $timestamp_rounds,
   load: $load,
   targets: [
     ($timestamp_rounds | sort_by(.ratio) | .[(length - 1) / 2 | floor] as $median |
      target("POST /v1/timestamp at 16 connections ≥ 0.7 × raw TSA-key HSM rate (16 threads, same round), per s, median of \(length) rounds";
             $median.per_second; 0.7 * $median.raw_per_second; $median.ratio; $median.ratio >= 0.7)),
     (p("seal-B-T").throughput_per_s as $t | p("seal-B-B").throughput_per_s as $b |
      target("B-T seal ≥ 0.45 × B-B seal, 100 KB raw at 16 connections, seals/s"; $t; 0.45 * $b; $t / $b; $t >= 0.45 * $b)),
     (p("seal-B-LT").throughput_per_s as $t | p("seal-B-B").throughput_per_s as $b |
      target("B-LT seal ≥ 0.45 × B-B seal, 100 KB raw at 16 connections, seals/s"; $t; 0.45 * $b; $t / $b; $t >= 0.45 * $b)),
     (p("seal-B-LTA").throughput_per_s as $t | p("seal-B-B").throughput_per_s as $b |
      target("B-LTA seal ≥ 0.3 × B-B seal, 100 KB raw at 16 connections, seals/s"; $t; 0.3 * $b; $t / $b; $t >= 0.3 * $b))
   ],
   extend: (p("extend-1MB-B-LTA") as $e | p("seal-1MB-B-B") as $s |
     {document_bytes: $big_bytes, extend_p50_ms: $e.latency_ms.p50, extend_p90_ms: $e.latency_ms.p90,
      seal_b_b_p50_ms: $s.latency_ms.p50, ratio_to_b_b_seal: ($e.latency_ms.p50 / $s.latency_ms.p50)})
  }' >"$results/timestamp_rate-$tsa_algorithm.json"

jq -r '
  def f($x; $d): if $x == null then "-" else ($x * pow(10; $d) | round / pow(10; $d) | tostring) end;
  def pad($w): tostring | if length >= $w then . else (" " * ($w - length)) + . end;
  "signetd time-stamping (issue 17) — \(.machine.date), \(.machine.cores) cores, \(.machine.cpu), SoftHSM \(.machine.softhsm)\(if .machine.quick then ", --quick" else "" end)",
  "load average before the run \(.machine.loadavg_before), after \(.machine.loadavg_after); [hsm] sessions = \(.machine.hsm_sessions)",
  "",
  "(a) raw HSM signing rate, TSA key \(.tsa_key_raw_rate.one_thread.key_id[0:16])… \(.tsa_algorithm) (Token::sign, cached handle)",
  (.tsa_key_raw_rate | to_entries[] | "    \(.value.threads | pad(2)) thread(s): \(f(.value.per_second; 1) | pad(9)) signatures/s"),
  "",
  "(b), (c) at \(.load[0].connections) connections (raw-body seals of a \(.document_bytes)-byte PDF)",
  "    point          ok  errors     per s    p50 ms    p90 ms    p99 ms   stage ms: queue   hsm  audit   pdf   cpu ms: signetd workers client",
  (.load[] | "    \(.name | . + " " * (10 - length)) \(.ok | pad(7)) \(([.errors[]] | add // 0) | pad(7)) \(f(.throughput_per_s; 1) | pad(9)) \(f(.latency_ms.p50; 1) | pad(9)) \(f(.latency_ms.p90; 1) | pad(9)) \(f(.latency_ms.p99; 1) | pad(9))   \(f(.stage_ms.queue; 2) | pad(12)) \(f(.stage_ms.hsm; 2) | pad(5)) \(f(.stage_ms.audit; 2) | pad(6)) \(f(.stage_ms.pdf; 2) | pad(5))   \(f(.cpu_ms.signetd; 2) | pad(15)) \(f(.cpu_ms.workers; 2) | pad(7)) \(f(.cpu_ms.client; 2) | pad(6))"),
  "",
  "(b) in rounds: POST /v1/timestamp against the raw rate at 16 threads around it (signetd idle)",
  (.timestamp_rounds[] | "    round \(.round): \(f(.per_second; 1) | pad(7)) tokens/s, raw \(f(.raw_per_second; 1) | pad(7)) signatures/s, ratio \(f(.ratio; 3))"),
  "",
  "(d) extend of a \(.extend.document_bytes)-byte B-LTA file, one connection: p50 \(f(.extend.extend_p50_ms; 1)) ms, p90 \(f(.extend.extend_p90_ms; 1)) ms per document; a B-B seal of the same file p50 \(f(.extend.seal_b_b_p50_ms; 1)) ms (ratio \(f(.extend.ratio_to_b_b_seal; 2)))",
  "",
  "targets (reported, not asserted)",
  (.targets[] | "    \(.status | . + " " * (8 - length)) \(.target): measured \(f(.measured; 1)), limit \(f(.limit; 1)), ratio \(f(.ratio; 3))")
' "$results/timestamp_rate-$tsa_algorithm.json"
note "results in $results/timestamp_rate-$tsa_algorithm.json"
