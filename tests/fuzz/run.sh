#!/usr/bin/env bash
# Runs signet's libFuzzer targets (tests/fuzz/<name>_fuzz.cpp), one after the other, each on a
# copy of its committed corpus (tests/fuzz/corpus/<name>/, never grown by a run) plus seeds
# made at run time by make_pki.sh (signed OCSP responses, CRLs, time-stamp answers, the
# certificates of an import) and qpdf (object streams). One line per target:
#
#   <target> executions=<n> crashes=<0|1> seconds=<wall> exec_per_s=<n> corpus=<files>/<bytes>
#
# and the exit status is non-zero when any target found a crash, a leak, undefined behaviour,
# a timeout or an out-of-memory (its reproducer is kept and named).
#
# Build (clang 16: Debian's clang 14 cannot compile libstdc++ 12's <expected>):
#   CC=clang-16 CXX=clang++-16 cmake -S . -B ../build-fuzz -G Ninja -DSIGNET_FUZZ=ON \
#     -DSIGNET_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   ninja -C ../build-fuzz $(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$//')
# Run:
#   tests/fuzz/run.sh --build ../build-fuzz --seconds 20          # CI: 20 s per target
#   tests/fuzz/run.sh --build ../build-fuzz --runs 1000000        # the long run (docs/reliability.md)
#   tests/fuzz/run.sh --build ../build-fuzz --seconds 60 crl ocsp_response   # some targets
# Options: --build DIR (default: build-fuzz beside the repository), --keep (keep the work
# folder: grown corpora, logs), --rss-limit-mb N (default 2048), --work DIR (default: mktemp).
# A reproducer runs again with: <build>/tests/fuzz/<name>_fuzz <file> (SIGNET_FUZZ_PKI=<work>/pki
# for the targets that use the PKI; without it a target makes its own).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="$repo/../build-fuzz"
runs=""
seconds=""
keep=0
rss_limit=2048
work=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --rss-limit-mb) rss_limit=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ -z "$runs" ] && [ -z "$seconds" ]; then
  echo "run.sh: give --runs N or --seconds S" >&2
  exit 2
fi
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$here"/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    targets+=("$name")
  done
fi
for name in "${targets[@]}"; do
  if [ ! -x "$build/tests/fuzz/${name}_fuzz" ]; then
    echo "run.sh: $build/tests/fuzz/${name}_fuzz is not built (see the header of $0)" >&2
    exit 2
  fi
done

if [ -z "$work" ]; then work=$(mktemp -d "${TMPDIR:-/tmp}/signet-fuzz.XXXXXX"); fi
mkdir -p "$work"
found=0
cleanup() { if [ "$keep" = 0 ] && [ "$found" = 0 ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

# The PKI every run makes afresh, and the seeds signed with it.
pki="$work/pki"
[ -f "$pki/ca.pem" ] || "$here/make_pki.sh" "$pki" >/dev/null
export SIGNET_FUZZ_PKI="$pki"

seed() {  # seed <target> <name> <file>
  cp "$3" "$work/corpus/$1/generated_$2"
}
generated_seeds() {
  local name=$1 dir="$work/corpus/$1"
  case "$name" in
    pdf_prepare)
      if command -v qpdf >/dev/null; then
        qpdf --object-streams=generate "$here/corpus/pdf_prepare/two_pages_font.pdf" "$dir/generated_objstm.pdf" || true
        qpdf --linearize "$here/corpus/pdf_prepare/two_pages_font.pdf" "$dir/generated_linearized.pdf" || true
      fi ;;
    certificate_import)
      python3 - "$pki" "$dir" <<'PY'
import json, sys
pki, out = sys.argv[1], sys.argv[2]
text = lambda n: open(f"{pki}/{n}").read()
for name in ("seal", "tsa"):
    body = json.dumps({"certificate": text(f"{name}.pem"), "chain": [text("ca.pem")]})
    open(f"{out}/generated_{name}.json", "wb").write(b"\0" + body.encode())
for name in ("seal", "ca"):
    open(f"{out}/generated_{name}.der", "wb").write(b"\1" + open(f"{pki}/{name}.der", "rb").read())
PY
      ;;
    timestamp_token)
      seed "$name" response.der "$pki/ts_response.der"
      seed "$name" token.der "$pki/ts_token.der" ;;
    timestamp_request)
      seed "$name" request.der "$pki/ts_request.der" ;;
    ocsp_response)
      for status in good revoked unknown delegated; do seed "$name" "$status.der" "$pki/ocsp_$status.der"; done ;;
    crl)
      for crl in crl_empty.pem crl_revoked.pem crl_revoked.der; do seed "$name" "$crl" "$pki/$crl"; done ;;
    audit_export)
      # The committed export with a checkpoint signed by the PKI's CA (the audit certificate).
      python3 - "$pki" "$here/corpus/audit_export/export.ndjson" "$dir/generated_signed.ndjson" <<'PY'
import base64, json, subprocess, sys
pki, source, out = sys.argv[1:4]
lines = open(source).read().splitlines()
entries = [l for l in lines if json.loads(l)["type"] == "entry"]
head = json.loads(entries[-1])["hash"]
checkpoint = {"type": "checkpoint", "origin": "signet", "size": len(entries), "head": head,
              "time": "2026-11-23T23:42:00Z", "key_id": "0a1b"}
text = f"signet-checkpoint/v1\nsignet\n{len(entries)}\n{head}\n{checkpoint['time']}\n"
signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{pki}/ca.key"], input=text.encode(),
                           capture_output=True, check=True).stdout
checkpoint["signature"] = base64.b64encode(signature).decode()
open(out, "w").write("\n".join(entries + [json.dumps(checkpoint)]) + "\n")
PY
      ;;
  esac
}

printf '%-20s %s\n' "# target" "executions crashes seconds exec/s corpus(files/bytes), $(date -u +%FT%TZ)"
failed=0
for name in "${targets[@]}"; do
  mkdir -p "$work/corpus/$name" "$work/artifacts/$name" "$work/logs"
  cp -r "$here/corpus/$name/." "$work/corpus/$name/" 2>/dev/null || true
  generated_seeds "$name"
  # Leaks: -detect_leaks=0 turns off libFuzzer's check after each input whose mallocs and frees
  # differ, a scan of the whole heap that OpenSSL's and PoDoFo's caches set off on most inputs
  # (five times slower); LeakSanitizer still checks at exit and fails the run on any leak, whose
  # input is then found again by running the grown corpus with -detect_leaks=1.
  limit=()
  if [ -n "$runs" ]; then limit+=("-runs=$runs"); fi
  if [ -n "$seconds" ]; then limit+=("-max_total_time=$seconds"); fi
  timeout=10
  max_len=()
  if [ "$name" = pdf_prepare ]; then timeout=30; max_len=(-max_len=65536); fi
  lsan="${LSAN_OPTIONS:-}"
  if [ "$name" = pdf_prepare ]; then lsan="suppressions=$here/lsan_podofo.supp:$lsan"; fi
  log="$work/logs/$name.log"
  start=$(date +%s.%N)
  status=0
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" LSAN_OPTIONS="$lsan" \
  ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-16 || echo /usr/lib/llvm-16/bin/llvm-symbolizer)}" \
    "$build/tests/fuzz/${name}_fuzz" "${limit[@]}" "${max_len[@]}" -rss_limit_mb="$rss_limit" -timeout="$timeout" \
    -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$name/" "$work/corpus/$name" >"$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  files=$(find "$work/corpus/$name" -type f | wc -l)
  bytes=$(find "$work/corpus/$name" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  crashes=0
  if [ "$status" != 0 ] || [ -n "$(ls -A "$work/artifacts/$name")" ]; then crashes=1; failed=1; found=1; fi
  printf '%-20s executions=%s crashes=%s seconds=%.0f exec_per_s=%s corpus=%s/%s\n' \
    "$name" "${executions:-?}" "$crashes" "$wall" "${rate:-?}" "$files" "$bytes"
  if [ "$crashes" != 0 ]; then
    echo "  exit status $status; log $log; reproducers:" $(ls "$work/artifacts/$name") >&2
    grep -m1 -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: .* leaked" "$log" >&2 || true
  fi
done
if [ "$keep" = 1 ] || [ "$found" = 1 ]; then echo "# work folder kept: $work"; fi
exit "$failed"
