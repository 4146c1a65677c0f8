#!/usr/bin/env bash
# Issues 8 and 19: signetd's performance, in one run on one machine, against the HSM it signs with
# and against single-process signing tools. Run after a build:
#   bash tests/bench/performance.sh [--quick]
# SIGNET_BUILD (default build) names the build folder; results.json, results.txt (the table),
# performance.png and signetd.log go to SIGNET_BENCH_RESULTS (default $SIGNET_BUILD/bench-results,
# so build/bench-results). --quick makes every measurement short (for working on this script; its
# numbers mean little).
#
# It measures
#   (a) the HSM's raw signing rate for the seal key, 1 and nproc threads (hsm_rate: Token::sign,
#       i.e. C_SignInit + C_Sign on a cached key handle, ~100 bytes of data);
#   (b) seal throughput and p50/p90/p99 latency (loadgen: keep-alive mTLS connections) for
#       ~100 KB, ~1 MB and ~10 MB PDFs at 1, 4 and 16 connections, through the JSON API
#       (POST /v1/seal, base64 document) and the raw-body API (POST /v1/seal?tenant=...,
#       Content-Type: application/pdf), the latter reported "unavailable" while signetd refuses it;
#   (c) the ratio (b) / (a, nproc threads);
#   (d) the mean per-document time of podofosign and of pdfsig -add-signature (one process per
#       document, software RSA-3072 key) on the same files, and signetd's speed-up over the faster;
#   (e) the peak RSS of signetd (VmHWM) and of its PDF workers, and their growth while sealing a
#       ~50 MB scan (scan_pdf: 24 pages of images) through each API and the ~50 MB text
#       concatenation through the raw one, each in a fresh signetd; a ~200 MB document through
#       the raw API (a 413 naming the limit, and signetd's VmHWM before and after);
#   (f) the levels: 100 KB raw seals at 16 connections at B-B, B-T and B-LTA, one after the other
#       (dev-init's internal TSA, its CRL file as the revocation source: warm caches);
# and prints the issue's targets with the measured values: reported, never asserted.
set -euo pipefail
export LC_ALL=C  # one decimal point for printf, awk and $EPOCHREALTIME
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
for tool in jq qpdf ps2pdf gnuplot openssl curl base64 certutil pk12util timeout; do
  command -v "$tool" >/dev/null || { echo "performance.sh: $tool is missing: run .ci/install-deps.sh" >&2; exit 1; }
done
for binary in daemon/signetd daemon/signetctl tests/bench/loadgen tests/bench/hsm_rate tests/bench/scan_pdf; do
  [ -x "$build/$binary" ] || { echo "performance.sh: $build/$binary is missing: build first" >&2; exit 1; }
done

if [ "$quick" = 1 ]; then
  hsm_seconds=1; load_seconds=1; big_seconds=1; warmup=1; big_warmup=0; tool_runs=(3 2 1); rss_requests=1; sha_runs=3
else
  # ~4 minutes on 2 cores: 18 load points of 4-5 s plus warm-ups and the requests still in flight
  # at the end (at 16 connections a 10 MB point runs on for tens of seconds), the tools, 50 MB.
  # No warm-up at 10 MB: signetd is warm from the smaller sizes, and 16 warm-up requests would
  # cost as much as the measurement.
  hsm_seconds=5; load_seconds=5; big_seconds=4; warmup=1; big_warmup=0; tool_runs=(20 10 5); rss_requests=3; sha_runs=10
fi
cores=$(nproc)
connections=(1 4 16)
labels=("100 KB" "1 MB" "10 MB")
targets_bytes=(102400 1048576 10485760)
huge_target=52428800

work=$(mktemp -d /tmp/signet-perf-XXXXXX)
# Other work on the machine skews every number: the load average goes into the results.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
pid=
stop_signetd() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
  fi
}
trap 'stop_signetd; rm -rf "$work"' EXIT
mkdir -p "$results"
note() { echo "performance.sh: $*" >&2; }
# Seconds, as a decimal, between two $EPOCHREALTIME values.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.6f", b - a}'; }

# --- installation -----------------------------------------------------------------------------
port=$(( 20000 + RANDOM % 20000 ))
install="$work/install"
pki="$install/pki"
"$build/daemon/signetctl" dev-init "$install" --port "$port" >/dev/null
config="$install/signetd.toml"
curl_args=(--silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" --key "$pki/platform.key")
start_signetd() {
  "$build/daemon/signetd" --config "$config" 2>>"$work/signetd.log" &
  pid=$!
  for _ in $(seq 1 150); do
    curl "${curl_args[@]}" --fail "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  note "signetd did not start:"; tail -20 "$work/signetd.log" >&2; exit 1
}

# --- documents --------------------------------------------------------------------------------
# ~100 KB: 40 text pages through ps2pdf (as seal_latency.sh), streams expanded by qpdf; classic
# xref table, no object streams. Larger sizes: qpdf concatenates copies of the size below (10 ×
# 100 KB, 10 × 1 MB, 5 × 10 MB), each copy under its own name so that qpdf copies its objects
# instead of sharing them, streams kept uncompressed (qpdf would compress them by default).
# Running ps2pdf on 20 000 pages for 50 MB would take minutes; this takes seconds.
note "generating documents"
letter_ps 40 >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc-small.pdf"
qpdf --stream-data=uncompress --object-streams=disable "$work/doc-small.pdf" "$work/doc-0.pdf"
concatenate() {  # SOURCE COPIES OUTPUT
  local parts=()
  for i in $(seq 1 "$2"); do ln -f "$1" "$work/part-$i.pdf"; parts+=("$work/part-$i.pdf"); done
  qpdf --empty --stream-data=uncompress --object-streams=disable --pages "${parts[@]}" -- "$3"
  rm -f "${parts[@]}"
}
concatenate "$work/doc-0.pdf" 10 "$work/doc-1.pdf"
concatenate "$work/doc-1.pdf" 10 "$work/doc-2.pdf"
concatenate "$work/doc-2.pdf" 5 "$work/doc-huge.pdf"
# The ~50 MB scan of issue 19: 24 pages of 150 dpi grey images (72 objects), where the text
# concatenation above has 20 000 pages (about 60 000 objects, PoDoFo's worst case for memory).
"$build/tests/bench/scan_pdf" "$work/doc-scan.pdf" 24
docs=("$work/doc-0.pdf" "$work/doc-1.pdf" "$work/doc-2.pdf")
sizes=()
for i in 0 1 2; do sizes+=("$(stat -c %s "${docs[$i]}")"); done
huge_size=$(stat -c %s "$work/doc-huge.pdf")
for i in 0 1 2 huge; do
  if [ "$i" = huge ]; then s=$huge_size; t=$huge_target; else s=${sizes[$i]}; t=${targets_bytes[$i]}; fi
  awk -v s="$s" -v t="$t" 'BEGIN {exit !(s > 1.15 * t || s < 0.85 * t)}' && note "warning: a document of $s bytes is not within 15% of $t"
done
for i in 0 1 2; do
  { printf '{"tenant": "bench", "actor": "bench", "appearance": {"page": 1, "rect": [350, 40, 560, 120]}, "document": "'
    base64 -w0 "${docs[$i]}"
    printf '"}'
  } >"${docs[$i]}.json"
done

# --- (a) the HSM's raw rate, before signetd starts: they would share the CPU --------------------
note "measuring the HSM's raw signing rate (1 and $cores threads)"
"$build/tests/bench/hsm_rate" "$config" --threads 1 --seconds "$hsm_seconds" >"$work/hsm-1.json"
"$build/tests/bench/hsm_rate" "$config" --threads "$cores" --seconds "$hsm_seconds" >"$work/hsm-n.json"
raw_1=$(jq .per_second "$work/hsm-1.json")
raw_n=$(jq .per_second "$work/hsm-n.json")

# SHA-256 of the 10 MB file: `openssl dgst` timed over several runs, minus the same on an empty
# file (the process's start-up), per run.
: >"$work/empty"
t0=$EPOCHREALTIME; for _ in $(seq 1 "$sha_runs"); do openssl dgst -sha256 "${docs[2]}" >/dev/null; done; t1=$EPOCHREALTIME
for _ in $(seq 1 "$sha_runs"); do openssl dgst -sha256 "$work/empty" >/dev/null; done; t2=$EPOCHREALTIME
sha_ms=$(awk -v a="$(elapsed "$t0" "$t1")" -v b="$(elapsed "$t1" "$t2")" -v n="$sha_runs" 'BEGIN {printf "%.3f", 1000 * (a - b) / n}')
sig_ms=$(awk -v r="$raw_1" 'BEGIN {printf "%.3f", 1000 / r}')

# --- (d) podofosign and pdfsig: one process per document, a software RSA-3072 key ---------------
note "timing podofosign and pdfsig"
tools="$work/tools"
mkdir -p "$tools/nss"
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$tools/ca.key" -out "$tools/ca.pem" -subj "/CN=Bench CA" -days 2 2>/dev/null
openssl req -newkey rsa:3072 -nodes -keyout "$tools/signer.key" -out "$tools/signer.csr" -subj "/CN=Bench signer" 2>/dev/null
openssl x509 -req -in "$tools/signer.csr" -CA "$tools/ca.pem" -CAkey "$tools/ca.key" -CAcreateserial \
  -out "$tools/signer.pem" -days 2 -extfile <(printf 'keyUsage=critical,digitalSignature,nonRepudiation\n') 2>/dev/null
openssl pkcs12 -export -inkey "$tools/signer.key" -in "$tools/signer.pem" -certfile "$tools/ca.pem" -name bench \
  -out "$tools/signer.p12" -passout pass:bench
certutil -N -d "sql:$tools/nss" --empty-password
pk12util -i "$tools/signer.p12" -d "sql:$tools/nss" -W bench >/dev/null
# Both sign with SHA-256 and make an invisible adbe.pkcs7.detached signature (pdfsig cannot draw
# an appearance; signetd draws one).
run_tool() {  # TOOL IN OUT
  case "$1" in
    podofosign) podofosign -in "$2" -out "$3" -cert "$tools/signer.pem" -pkey "$tools/signer.key" -digest sha256 ;;
    pdfsig) pdfsig -add-signature -nssdir "sql:$tools/nss" -nick bench -digest SHA256 "$2" "$3" ;;
  esac
}
: >"$work/tools.ndjson"
for tool in podofosign pdfsig; do
  for i in 0 1 2; do
    out="$tools/out.pdf"
    rm -f "$out"
    status=ok; mean_ms=null
    # A tool that did not produce a valid signature is reported as failed, not timed.
    if ! command -v "$tool" >/dev/null; then
      status="missing (install .ci/install-deps.sh's packages)"
    elif ! run_tool "$tool" "${docs[$i]}" "$out" >"$tools/log" 2>&1; then
      status="failed: $(tail -1 "$tools/log")"
    elif ! pdfsig -nocert "$out" 2>/dev/null | grep -q 'Signature Validation: Signature is Valid'; then
      status="failed: pdfsig lists no valid signature in its output"
    else
      runs=${tool_runs[$i]}
      t0=$EPOCHREALTIME
      for _ in $(seq 1 "$runs"); do run_tool "$tool" "${docs[$i]}" "$out" >/dev/null 2>&1; done
      t1=$EPOCHREALTIME
      mean_ms=$(awk -v s="$(elapsed "$t0" "$t1")" -v n="$runs" 'BEGIN {printf "%.3f", 1000 * s / n}')
    fi
    jq -nc --arg tool "$tool" --arg size "${labels[$i]}" --argjson bytes "${sizes[$i]}" --arg status "$status" \
      --argjson mean_ms "$mean_ms" --argjson runs "${tool_runs[$i]}" \
      '{tool: $tool, size: $size, bytes: $bytes, status: $status, runs: $runs, mean_ms: $mean_ms,
        per_second: (if $mean_ms then 1000 / $mean_ms else null end)}' >>"$work/tools.ndjson"
  done
done

# --- signetd ----------------------------------------------------------------------------------
start_signetd
# A tenant whose EC seals: the rights matrix is checked on every seal, as in production.
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"kind": "cabinet", "name": "Cabinet Bench"}' "https://127.0.0.1:$port/v1/tenants/bench"
curl "${curl_args[@]}" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"role": "ec", "name": "Bench"}' "https://127.0.0.1:$port/v1/tenants/bench/members/bench"

raw_target="/v1/seal?tenant=bench&actor=bench&page=1&rect=350,40,560,120"
loadgen() {  # API DOC EXTRA-ARGS...: loadgen's JSON on stdout
  local api=$1 doc=$2; shift 2
  if [ "$api" = json ]; then
    set -- --target /v1/seal --body "$doc.json" --content-type application/json "$@"
  else
    set -- --target "$raw_target" --body "$doc" --content-type application/pdf "$@"
  fi
  # timeout: a hung signetd must end the run, not stall it.
  timeout 900 "$build/tests/bench/loadgen" --port "$port" --pki "$pki" "$@"
}

# The raw-body API: one request decides whether this signetd has it (a signetd without it
# answers 400: a seal request is JSON).
apis=(json)
raw_status=available
if probe=$(loadgen raw "${docs[0]}" --connections 1 --requests 1); then
  if [ "$(jq .ok <<<"$probe")" = 1 ]; then
    apis+=(raw)
  else
    raw_status="unavailable: $(jq -r '.first_error | "\(.status) \(.body)"' <<<"$probe" | head -c 300)"
  fi
else
  raw_status="unavailable: the answer is wrong: $(jq -r .check <<<"$probe" 2>/dev/null || echo "$probe")"
fi
note "raw-body API: $raw_status"

# Per-size peak RSS: sizes in increasing order, because VmHWM never decreases: the value after a
# size is the peak over that size and every smaller one.
rss_signetd() { awk '/^VmHWM:/ {print $2 * 1024}' "/proc/$pid/status"; }
# The PDF workers' peak as signetd reports it (gauge signet_pdf_worker_peak_rss_bytes; null when
# this signetd has no such gauge). Not /proc: a worker that was replaced took its VmHWM with it.
rss_gauge() {
  curl "${curl_args[@]}" --fail "https://127.0.0.1:$port/metrics" 2>/dev/null |
    awk '$1 ~ /^signet_pdf_worker_peak_rss_bytes(\{|$)/ {if ($NF + 0 > m) m = $NF + 0; found = 1}
         END {print found ? m : "null"}'
}
hz=$(getconf CLK_TCK)
# signetd's own stage histograms (signet_stage_seconds: queue, pdf, hsm, audit), cumulative sums
# and counts as JSON; the difference around a load point is where its seals spent their time.
stages() {
  curl "${curl_args[@]}" --fail "https://127.0.0.1:$port/metrics" 2>/dev/null |
    awk -F'[{}" ]+' '/^signet_stage_seconds_(sum|count)\{/ {v[$3 "/" ($1 ~ /_sum$/ ? "sum" : "count")] = $NF}
         END {printf "{"; n = 0
              for (k in v) {split(k, p, "/"); if (p[2] == "sum") {printf "%s\"%s\": {\"sum\": %s, \"count\": %s}", (n++ ? ", " : ""), p[1], v[k], v[p[1] "/count"]}}
              print "}"}'
}

: >"$work/load.ndjson"
: >"$work/rss.ndjson"
for i in 0 1 2; do
  duration=$load_seconds; warm=$warmup
  if [ "$i" = 2 ]; then duration=$big_seconds; warm=$big_warmup; fi
  for api in "${apis[@]}"; do
    for c in "${connections[@]}"; do
      note "sealing ${labels[$i]} through $api at $c connection(s)"
      before=$(stages)
      cpu_before=$(cpu_ticks "$pid")
      if ! result=$(loadgen "$api" "${docs[$i]}" --connections "$c" --seconds "$duration" --warmup "$warm"); then
        note "loadgen failed: $result"; tail -20 "$work/signetd.log" >&2; exit 1
      fi
      # Stage means include the warm-up requests: they are jobs like the others.
      jq -c --arg api "$api" --arg size "${labels[$i]}" --argjson bytes "${sizes[$i]}" \
        --argjson before "$before" --argjson after "$(stages)" \
        --argjson cpu_before "$cpu_before" --argjson cpu_after "$(cpu_ticks "$pid")" --argjson warm "$warm" --argjson hz "$hz" \
        '{api: $api, size: $size, bytes: $bytes} + . +
         ((.ok + .connections * $warm) as $jobs |
          {cpu_ms_per_seal: {signetd: (1000 * ($cpu_after[0] - $cpu_before[0]) / $hz / $jobs),
                             workers: (1000 * ($cpu_after[1] - $cpu_before[1]) / $hz / $jobs),
                             client: (1000 * .client_cpu_seconds / $jobs)}}) +
         {stages_ms: ($after | keys | map({key: ., value: (($after[.].count - ($before[.].count // 0)) as $n |
            if $n > 0 then 1000 * ($after[.].sum - ($before[.].sum // 0)) / $n else null end)}) | from_entries)}' \
        <<<"$result" >>"$work/load.ndjson"
    done
  done
  jq -nc --arg size "${labels[$i]}" --argjson signetd "$(rss_signetd)" --argjson gauge "$(rss_gauge)" \
    '{after: $size, signetd_vmhwm_bytes: $signetd, workers_gauge_bytes: $gauge}' \
    >>"$work/rss.ndjson"
done

# (f) The levels, one after the other at 16 connections: B-B, B-T (two HSM signatures: the seal
# and the internal TSA's token), B-LTA (three: and the document time-stamp, plus the DSS).
: >"$work/levels.ndjson"
if [[ " ${apis[*]} " == *" raw "* ]]; then
  for level in B-B B-T B-LTA; do
    note "sealing 100 KB through raw at $level, 16 connections"
    if ! result=$(timeout 900 "$build/tests/bench/loadgen" --port "$port" --pki "$pki" --target "$raw_target&level=$level" \
                    --body "${docs[0]}" --content-type application/pdf --connections 16 --seconds "$load_seconds" \
                    --warmup "$warmup" --expect-header "Signet-Level=$level"); then
      note "loadgen failed: $result"; tail -20 "$work/signetd.log" >&2; exit 1
    fi
    jq -c --arg level "$level" '{level: $level} + .' <<<"$result" >>"$work/levels.ndjson"
  done
fi

# The ~50 MB scan through each API, and the ~50 MB text concatenation through the raw one, each
# in a fresh signetd so that its VmHWM is this run's; growth is VmHWM after the seals minus
# VmRSS before the first.
rss_now() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$pid/status"; }
: >"$work/huge.ndjson"
{ printf '{"tenant": "bench", "actor": "bench", "appearance": {"page": 1, "rect": [350, 40, 560, 120]}, "document": "'; base64 -w0 "$work/doc-scan.pdf"; printf '"}'; } >"$work/doc-scan.pdf.json"
for run in json:scan raw:scan raw:text; do
  api=${run%%:*}; kind=${run#*:}
  [[ " ${apis[*]} " == *" $api "* ]] || continue
  if [ "$kind" = scan ]; then file="$work/doc-scan.pdf"; else file="$work/doc-huge.pdf"; fi
  note "sealing the ~50 MB $kind through $api in a fresh signetd"
  stop_signetd
  start_signetd
  before=$(rss_now)
  if [ "$api" = json ]; then
    result=$(timeout 900 "$build/tests/bench/loadgen" --port "$port" --pki "$pki" --target /v1/seal --body "$file.json" \
               --content-type application/json --connections 1 --requests "$rss_requests") || { note "loadgen failed: $result"; exit 1; }
  else
    result=$(loadgen raw "$file" --connections 1 --requests "$rss_requests") || { note "loadgen failed: $result"; exit 1; }
  fi
  jq -c --arg api "$api" --arg kind "$kind" --argjson bytes "$(stat -c %s "$file")" --argjson before "$before" \
    --argjson signetd "$(rss_signetd)" --argjson gauge "$(rss_gauge)" \
    '{api: $api, document: $kind, bytes: $bytes, load: ., signetd_rss_before_bytes: $before, signetd_vmhwm_bytes: $signetd,
      signetd_growth_bytes: ($signetd - $before), workers_gauge_bytes: $gauge}' <<<"$result" >>"$work/huge.ndjson"
done
rm -f "$work/doc-scan.pdf.json"

# ~200 MB through the raw API: above [limits] max_raw_document_bytes, so a 413 that names the
# limit, decided on Content-Length before the body is read; signetd's VmHWM must not grow.
giant=null
if [[ " ${apis[*]} " == *" raw "* ]]; then
  note "sending ~200 MB through raw"
  concatenate "$work/doc-huge.pdf" 4 "$work/doc-giant.pdf"
  before=$(rss_signetd)
  status=$(curl "${curl_args[@]}" -o "$work/giant.json" -w '%{http_code}' -H "Content-Type: application/pdf" \
             --data-binary "@$work/doc-giant.pdf" "https://127.0.0.1:$port$raw_target" || true)
  giant=$(jq -c --argjson bytes "$(stat -c %s "$work/doc-giant.pdf")" --arg status "$status" --argjson before "$before" \
            --argjson after "$(rss_signetd)" --rawfile answer "$work/giant.json" \
            '{bytes: $bytes, status: ($status | tonumber? // 0), answer: $answer, signetd_vmhwm_before_bytes: $before,
              signetd_vmhwm_after_bytes: $after}' <<<'{}')
  rm -f "$work/doc-giant.pdf"
fi
stop_signetd

# --- results ----------------------------------------------------------------------------------
jq -n --slurpfile load "$work/load.ndjson" --slurpfile tools "$work/tools.ndjson" --slurpfile rss "$work/rss.ndjson" \
  --slurpfile hsm1 "$work/hsm-1.json" --slurpfile hsmn "$work/hsm-n.json" --slurpfile huge "$work/huge.ndjson" \
  --slurpfile levels "$work/levels.ndjson" --argjson giant "$giant" \
  --arg raw_status "$raw_status" --argjson sha_ms "$sha_ms" --argjson sig_ms "$sig_ms" --argjson quick "$quick" \
  --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" --argjson cores "$cores" \
  --arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
  --arg load_before "$load_before" --arg load_after "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg softhsm "$(dpkg-query -W -f='${Version}' softhsm2 2>/dev/null || echo unknown)" '
  def tput($api; $size; $c): ([$load[] | select(.api == $api and .size == $size and .connections == $c)][0]);
  def faster($size): ([$tools[] | select(.size == $size and .per_second != null) | .per_second] | max);
  def target($name; $measured; $limit; $met; $ratio): {target: $name, measured: $measured, limit: $limit, ratio: $ratio,
      status: (if $measured == null or $limit == null then "N/A" elif $met then "MET" else "NOT MET" end)};
  ($hsmn[0].per_second) as $raw_n |
  {
    machine: {cpu: $cpu, cores: $cores, kernel: $kernel, softhsm: $softhsm, date: $date, quick: ($quick == 1),
              loadavg_before: $load_before, loadavg_after: $load_after},
    hsm_raw_rate: {one_thread: $hsm1[0], nproc_threads: $hsmn[0]},
    raw_api: $raw_status,
    load: [$load[] | . + {ratio_to_raw: (.throughput_per_s / $raw_n)}],
    tools: $tools,
    rss: $rss,
    huge: $huge,
    giant: $giant,
    levels: $levels,
    sha256_10mb_ms: $sha_ms,
    one_signature_ms: $sig_ms,
    targets: (
      [ (["json", "raw"][] as $api | tput($api; "100 KB"; 16) | select(. != null) |
          target("\($api): 100 KB at 16 connections ≥ 0.6 × raw HSM rate (\($cores) threads), seals/s";
                 .throughput_per_s; 0.6 * $raw_n; .throughput_per_s >= 0.6 * $raw_n; .throughput_per_s / $raw_n)),
        (["json", "raw"][] as $api | tput($api; "100 KB"; 16) | select(. != null) | faster("100 KB") as $f |
          target("\($api): 100 KB at 16 connections ≥ 6 × the faster tool per document, seals/s";
                 .throughput_per_s; (if $f then 6 * $f else null end); ($f != null and .throughput_per_s >= 6 * $f);
                 (if $f then .throughput_per_s / $f else null end))),
        (["json", "raw"][] as $api | tput($api; "100 KB"; 16) | select(. != null) |
          target("\($api): 100 KB at 16 connections, p99 ≤ 3 × p50, ms";
                 .latency_ms.p99; 3 * .latency_ms.p50; .latency_ms.p99 <= 3 * .latency_ms.p50; .latency_ms.p99 / .latency_ms.p50)),
        ([$levels[] | select(.level == "B-B")][0].throughput_per_s as $bb |
         ([$levels[] | select(.level == "B-T")][0].throughput_per_s as $bt |
          target("B-T ≥ 0.45 × B-B, 100 KB raw at 16 connections, seals/s"; $bt; (if $bb then 0.45 * $bb else null end);
                 ($bb != null and $bt != null and $bt >= 0.45 * $bb); (if $bb and $bt then $bt / $bb else null end))),
         ([$levels[] | select(.level == "B-LTA")][0].throughput_per_s as $blta |
          target("B-LTA ≥ 0.3 × B-B, 100 KB raw at 16 connections, seals/s"; $blta; (if $bb then 0.3 * $bb else null end);
                 ($bb != null and $blta != null and $blta >= 0.3 * $bb); (if $bb and $blta then $blta / $bb else null end)))),
        ({json: 6, raw: 4} | to_entries[] | .key as $api | .value as $k | tput($api; "10 MB"; 1) | select(. != null) |
          ($k * ($sha_ms + $sig_ms)) as $limit |
          target("\($api): 10 MB sealed (p50, 1 connection) ≤ \($k) × (SHA-256 of the file + 1 signature), ms";
                 .latency_ms.p50; $limit; .latency_ms.p50 <= $limit; .latency_ms.p50 / ($sha_ms + $sig_ms))),
        ({json: 4, raw: 2} | to_entries[] | .key as $api | .value as $k | [$huge[] | select(.api == $api and .document == "scan")][0] | select(. != null) |
          (target("\($api): ~50 MB scan sealed (\(.load.ok)/\(.load.requests) ok), signetd peak RSS growth ≤ \($k) × file size, bytes";
                  .signetd_growth_bytes; $k * .bytes; (.load.ok == .load.requests and .signetd_growth_bytes <= $k * .bytes);
                  .signetd_growth_bytes / .bytes),
           target("\($api): ~50 MB scan sealed, PDF workers peak RSS ≤ \($k) × file size, bytes";
                  .workers_gauge_bytes; $k * .bytes; (.workers_gauge_bytes != null and .workers_gauge_bytes <= $k * .bytes);
                  (if .workers_gauge_bytes then .workers_gauge_bytes / .bytes else null end)))),
        (if $giant == null then target("raw: ~200 MB refused 413 naming the limit, signetd VmHWM unchanged"; null; null; false; null)
         else target("raw: ~200 MB refused 413 naming max_raw_document_bytes, signetd VmHWM growth ≤ 1 MiB, bytes";
                     ($giant.signetd_vmhwm_after_bytes - $giant.signetd_vmhwm_before_bytes); 1048576;
                     ($giant.status == 413 and ($giant.answer | test("max_raw_document_bytes")) and
                      $giant.signetd_vmhwm_after_bytes - $giant.signetd_vmhwm_before_bytes <= 1048576); null) end)
      ])
  }' >"$results/results.json"

# The table, from results.json only, so that the two never disagree.
jq -r '
  # A number with $d decimals (jq 1.6 has no printf): the digits of round(x × 10^d), a point inserted.
  def f($d): if . == null then "n/a" else
    ((. * pow(10; $d)) | round) as $n | ($n | fabs | tostring) as $s |
    (("0" * ($d + 1 - ($s | length))) + $s) as $p |
    (if $n < 0 then "-" else "" end) +
    (if $d == 0 then $p else $p[0:($p | length) - $d] + "." + $p[($p | length) - $d:] end) end;
  def mb: if . == null then "n/a" else (. / 1048576 | f(1)) + " MB" end;
  def pad($n): tostring | if length >= $n then . else . + " " * ($n - length) end;
  def lpad($n): tostring | if length >= $n then . else " " * ($n - length) + . end;
  "signetd performance (issues 8 and 19) — \(.machine.date), \(.machine.cores) cores, \(.machine.cpu), SoftHSM \(.machine.softhsm)\(if .machine.quick then ", QUICK RUN" else "" end)",
  "load average before the run \(.machine.loadavg_before), after \(.machine.loadavg_after)",
  "",
  "(a) raw HSM signing rate, seal key (hsm::Token::sign: C_SignInit + C_Sign, cached handle)",
  "    1 thread:  \(.hsm_raw_rate.one_thread.per_second | f(1)) signatures/s  (one signature \(.one_signature_ms | f(2)) ms)",
  "    \(.hsm_raw_rate.nproc_threads.threads) threads: \(.hsm_raw_rate.nproc_threads.per_second | f(1)) signatures/s",
  "    SHA-256 of the 10 MB file (openssl dgst): \(.sha256_10mb_ms | f(2)) ms",
  "",
  "(b) seal throughput and latency, (c) ratio to (a) at \(.hsm_raw_rate.nproc_threads.threads) threads; raw-body API: \(.raw_api)",
  "    \("api" | pad(5))\("size" | pad(8))\("conn" | lpad(5))\("ok" | lpad(7))\("errors" | lpad(9))\("seals/s" | lpad(10))\("p50 ms" | lpad(10))\("p90 ms" | lpad(10))\("p99 ms" | lpad(10))\("max ms" | lpad(10))\("÷ raw" | lpad(8))",
  (.load[] | "    \(.api | pad(5))\(.size | pad(8))\(.connections | lpad(5))\(.ok | lpad(7))\(([.errors | to_entries[] | "\(.key):\(.value)"] | join(",")) as $e | (if $e == "" then "0" else $e end) | lpad(9))\(.throughput_per_s | f(1) | lpad(10))\(.latency_ms.p50 | f(1) | lpad(10))\(.latency_ms.p90 | f(1) | lpad(10))\(.latency_ms.p99 | f(1) | lpad(10))\(.latency_ms.max | f(1) | lpad(10))\(.ratio_to_raw | f(3) | lpad(8))"),
  "",
  "    where a seal spends its time inside signetd, mean ms per job (signet_stage_seconds; the rest of the latency is",
  "    the network, TLS, HTTP parsing, JSON and base64, and waiting for a connection thread), and the CPU a seal costs,",
  "    ms per seal: signetd itself, its PDF workers (reaped children), the load generator (same machine)",
  "    \("api" | pad(5))\("size" | pad(8))\("conn" | lpad(5))\("queue" | lpad(10))\("pdf" | lpad(10))\("hsm" | lpad(10))\("audit" | lpad(10))\("cpu:signetd" | lpad(13))\("workers" | lpad(9))\("client" | lpad(9))",
  (.load[] | "    \(.api | pad(5))\(.size | pad(8))\(.connections | lpad(5))\(.stages_ms.queue | f(1) | lpad(10))\(.stages_ms.pdf | f(1) | lpad(10))\(.stages_ms.hsm | f(1) | lpad(10))\(.stages_ms.audit | f(1) | lpad(10))\(.cpu_ms_per_seal.signetd | f(1) | lpad(13))\(.cpu_ms_per_seal.workers | f(1) | lpad(9))\(.cpu_ms_per_seal.client | f(1) | lpad(9))"),
  "",
  "(d) single-process tools, mean per document (software RSA-3072 key, SHA-256), and signetd speed-up over the faster",
  . as $all |
  ($all.tools | group_by(.bytes)[] | . as $rows | $rows[0].size as $size |
    ([$rows[] | select(.per_second != null) | .per_second] | max) as $best |
    "    \($size | pad(8))" +
    ([$rows[] | "\(.tool): " + (if .mean_ms != null then "\(.mean_ms | f(1)) ms (\(.runs) runs)" else .status end)] | join("   ")) +
    ([ $all.load[] | select(.size == $size and (.connections == 1 or .connections == 16)) |
       "   \(.api) \(.connections)c ×" + (if $best then (.throughput_per_s / $best | f(1)) else "n/a" end)] | join(""))),
  "",
  "(e) peak RSS: signetd VmHWM (never decreases: each row is the peak up to that size, both APIs, all connection counts), PDF workers signet_pdf_worker_peak_rss_bytes",
  "    \("after" | pad(10))\("signetd" | lpad(12))\("PDF workers" | lpad(14))",
  (.rss[] | "    \(.after | pad(10))\(.signetd_vmhwm_bytes | mb | lpad(12))\(.workers_gauge_bytes | mb | lpad(14))"),
  (.huge[] | "    ~50 MB \(.document) \(.api) (\(.bytes | mb), fresh signetd, \(.load.ok)/\(.load.requests) ok, p50 \(.load.latency_ms.p50 | f(0)) ms): signetd \(.signetd_rss_before_bytes | mb) before, VmHWM \(.signetd_vmhwm_bytes | mb) (growth \(.signetd_growth_bytes | mb), \(.signetd_growth_bytes / .bytes | f(2)) × the file), PDF workers \(.workers_gauge_bytes | mb)"),
  (if .giant == null then "    ~200 MB raw: unavailable (needs the raw-body API)"
   else "    ~200 MB raw (\(.giant.bytes | mb)): HTTP \(.giant.status) \(.giant.answer | gsub("\n"; " ")), signetd VmHWM \(.giant.signetd_vmhwm_before_bytes | mb) before, \(.giant.signetd_vmhwm_after_bytes | mb) after" end),
  "",
  "(f) levels, 100 KB raw at 16 connections, one after the other (internal TSA, warm revocation caches)",
  (.levels[] | "    \(.level | pad(6)) \(.throughput_per_s | f(1) | lpad(8)) seals/s   p50 \(.latency_ms.p50 | f(1)) ms   p99 \(.latency_ms.p99 | f(1)) ms"),
  "",
  "targets (reported, not asserted)",
  (.targets[] | "    \(.status | pad(8)) \(.target): measured \(.measured | f(2)), limit \(.limit | f(2)), ratio \(.ratio | f(2))")
' "$results/results.json" | tee "$results/results.txt"

# The plot: one series per API and connection count, throughput and p99 against size.
titles=()
: >"$work/plot.dat"
for api in "${apis[@]}"; do
  for c in "${connections[@]}"; do
    jq -r --arg api "$api" --argjson c "$c" \
      '.load[] | select(.api == $api and .connections == $c) | "\(.bytes) \(.throughput_per_s) \(.latency_ms.p99)"' \
      "$results/results.json" >>"$work/plot.dat"
    printf '\n\n' >>"$work/plot.dat"
    titles+=("$api-${c}c")
  done
done
gnuplot -e "data='$work/plot.dat'; titles='${titles[*]}'; output='$results/performance.png'" tests/bench/plot.gnuplot
cp "$work/signetd.log" "$results/signetd.log"
echo "results: $results/results.json, $results/results.txt, $results/performance.png"
