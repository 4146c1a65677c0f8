# Shared by deb_test.sh and install_test.sh (sourced, not run): make the .deb, pick a port,
# start a signetd and seal a document through it as the quick start does (.ci/quickstart.sh).

# fail MESSAGE: the test's verdict, on stderr.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# build_deb BUILD_DIR OUT_DIR: cpack -G DEB of the build folder into OUT_DIR (cpack's own
# staging folder, _CPack_Packages, goes there too); prints the .deb's path.
build_deb() {
  local build=$1 out=$2
  mkdir -p "$out"
  if ! (cd "$out" && cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake") >"$out/cpack.log" 2>&1; then
    cat "$out/cpack.log" >&2
    fail "cpack -G DEB failed"
  fi
  local debs=("$out"/*.deb)
  [ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single .deb: ${debs[*]}"
  echo "${debs[0]}"
}

# free_port: a TCP port nothing listens on now (a race with other programs remains, which a
# failing start then shows).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if [ -z "$(ss -Hltn "sport = :$port")" ]; then
      echo "$port"
      return 0
    fi
  done
  fail "no free port found"
}

# call PKI_DIR CURL_ARGS...: curl with the platform client certificate of a dev-init folder.
call() {
  local pki=$1
  shift
  curl --silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" \
       --key "$pki/platform.key" "$@"
}

# start_signetd SIGNETD DEV_DIR PORT LOG: starts SIGNETD with DEV_DIR/signetd.toml, sets
# signetd_pid, and returns once /v1/health answers 200 (fails with the log otherwise).
start_signetd() {
  local signetd=$1 dir=$2 port=$3 log=$4
  "$signetd" --config "$dir/signetd.toml" 2>"$log" &
  signetd_pid=$!
  for _ in $(seq 1 300); do
    call "$dir/pki" --fail "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$signetd_pid" 2>/dev/null || { cat "$log" >&2; fail "$signetd exited before it was ready"; }
    sleep 0.1
  done
  cat "$log" >&2
  fail "$signetd did not answer /v1/health within 30 s"
}

# stop_signetd: SIGTERM (signetd drains and signs its last checkpoint), then waits for it.
stop_signetd() {
  if [ -n "${signetd_pid:-}" ]; then
    kill "$signetd_pid" 2>/dev/null || true
    wait "$signetd_pid" 2>/dev/null || true
    signetd_pid=
  fi
}

# seal_and_check DEV_DIR PORT WORK_DIR: a tenant and its expert-comptable, a sample letter made
# by ghostscript sealed through POST /v1/seal, then the sealed PDF checked by qpdf and by
# poppler's pdfsig with an NSS database trusting the development signing CA.
seal_and_check() {
  local dir=$1 port=$2 work=$3
  local pki="$dir/pki" url="https://127.0.0.1:$port"
  mkdir -p "$work"
  call "$pki" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
       --data '{"kind": "cabinet", "name": "Cabinet Durand"}' "$url/v1/tenants/cabinet-durand" \
    || fail "PUT /v1/tenants/cabinet-durand"
  call "$pki" --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
       --data '{"role": "ec", "name": "Marie Durand"}' "$url/v1/tenants/cabinet-durand/members/marie.durand" \
    || fail "PUT the member marie.durand"
  cat >"$work/sample.ps" <<'PS'
%!PS
/Helvetica findfont 14 scalefont setfont
72 720 moveto (Lettre de mission - package test) show
showpage
PS
  ps2pdf "$work/sample.ps" "$work/sample.pdf"
  printf '{"tenant": "cabinet-durand", "actor": "marie.durand", "document": "%s"}' \
    "$(base64 -w0 "$work/sample.pdf")" >"$work/request.json"
  local status
  status=$(call "$pki" -H "Content-Type: application/json" --data-binary "@$work/request.json" \
                -o "$work/response.json" -w "%{http_code}" "$url/v1/seal")
  [ "$status" = 200 ] || fail "POST /v1/seal answered $status: $(head -c 500 "$work/response.json")"
  sed -e 's/.*"document":"\([^"]*\)".*/\1/' "$work/response.json" | base64 -d >"$work/sealed.pdf"
  qpdf --check "$work/sealed.pdf" >"$work/qpdf.txt" 2>&1 || { cat "$work/qpdf.txt" >&2; fail "qpdf --check refused the sealed PDF"; }
  mkdir -p "$work/nss"
  certutil -N -d "sql:$work/nss" --empty-password
  certutil -A -d "sql:$work/nss" -n signet-dev-signing-ca -t CT,C,C -i "$pki/signing-ca.pem"
  pdfsig -nssdir "sql:$work/nss" "$work/sealed.pdf" >"$work/pdfsig.txt" 2>&1 || true
  grep -q "Signature Validation: Signature is Valid" "$work/pdfsig.txt" \
    || { cat "$work/pdfsig.txt" >&2; fail "pdfsig does not find a valid signature"; }
  echo "sealed and checked: $work/sealed.pdf (qpdf --check, pdfsig: Signature is Valid)"
}
