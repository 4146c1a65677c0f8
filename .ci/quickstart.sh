#!/usr/bin/env bash
# The README's first command: install what is missing, build, make a local installation with
# `signetctl dev-init` (SoftHSM token, PKI, SQLite), start signetd, seal a sample PDF through
# the HTTPS API with the platform client certificate, and show what pdfsig says about it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash .ci/install-deps.sh --quickstart
# Only what the quick start runs: the daemon, its PDF worker and signetctl, not the test suite
# (.ci/test.sh builds everything).
bash .ci/build.sh signetd signetctl signet-pdf-worker

dir="$root/quickstart"
port=${SIGNET_QUICKSTART_PORT:-8443}
# The quick start is a demonstration: it starts from a fresh folder every time.
rm -rf "$dir"
mkdir -p "$dir"
./build/daemon/signetctl dev-init "$dir/install" --port "$port"

./build/daemon/signetd --config "$dir/install/signetd.toml" 2>"$dir/signetd.log" &
signetd_pid=$!
trap 'kill "$signetd_pid" 2>/dev/null; wait "$signetd_pid" 2>/dev/null || true' EXIT

pki="$dir/install/pki"
call() {
  curl --silent --show-error --cacert "$pki/tls-ca.pem" --cert "$pki/platform.pem" \
       --key "$pki/platform.key" "$@"
}
for _ in $(seq 1 100); do
  call --fail "https://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  kill -0 "$signetd_pid" 2>/dev/null || { cat "$dir/signetd.log"; exit 1; }
  sleep 0.1
done
echo "signetd is up: $(call "https://127.0.0.1:$port/v1/health")"

# The firm and its expert-comptable in the delegation register: the rights matrix lets an EC seal.
call --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"kind": "cabinet", "name": "Cabinet Durand & Associés"}' "https://127.0.0.1:$port/v1/tenants/cabinet-durand"
call --fail -X PUT -H "Content-Type: application/json" -o /dev/null \
     --data '{"role": "ec", "name": "Marie Durand"}' "https://127.0.0.1:$port/v1/tenants/cabinet-durand/members/marie.durand"

# A sample letter of engagement, made by ghostscript.
cat >"$dir/sample.ps" <<'PS'
%!PS
/Helvetica findfont 14 scalefont setfont
72 720 moveto (Lettre de mission - exercice 2026) show
/Helvetica findfont 11 scalefont setfont
72 690 moveto (Le cabinet Durand & Associes accepte la mission de presentation des comptes.) show
showpage
PS
ps2pdf "$dir/sample.ps" "$dir/sample.pdf"

printf '{"tenant": "cabinet-durand", "actor": "marie.durand", "appearance": {"page": 1, "rect": [350, 40, 560, 120]}, "document": "%s"}' \
  "$(base64 -w0 "$dir/sample.pdf")" >"$dir/request.json"
call -H "Content-Type: application/json" --data-binary "@$dir/request.json" \
     -o "$dir/response.json" -w "POST /v1/seal: HTTP %{http_code} in %{time_total} s\n" \
     "https://127.0.0.1:$port/v1/seal"
# The signed PDF is the response's base64 "document"; the rest is the signature's details.
sed -e 's/.*"document":"\([^"]*\)".*/\1/' "$dir/response.json" | base64 -d >"$dir/sealed.pdf"
echo "response: $(sed -e 's/"document":"[^"]*"/"document":"(the sealed PDF)"/' "$dir/response.json")"

# The independent validator: poppler's pdfsig with an NSS database trusting the dev signing CA.
mkdir -p "$dir/nss"
certutil -N -d "sql:$dir/nss" --empty-password
certutil -A -d "sql:$dir/nss" -n signet-dev-signing-ca -t CT,C,C -i "$pki/signing-ca.pem"
echo
echo "Sealed PDF: $dir/sealed.pdf"
echo "pdfsig says:"
pdfsig -nssdir "sql:$dir/nss" "$dir/sealed.pdf"
