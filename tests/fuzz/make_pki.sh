#!/usr/bin/env bash
# A throw-away PKI for the fuzz targets, made with the openssl command line (no key is
# committed, STYLE.md): a CA, a seal certificate and a TSA certificate it issued, and signed
# seeds that get past the signature checks: OCSP responses (good, revoked, unknown), CRLs,
# RFC 3161 requests, responses and tokens. The targets read the PKI from $SIGNET_FUZZ_PKI
# (tests/fuzz/fuzz_support.hpp), run.sh adds the seeds to its copy of the corpus.
#
#   tests/fuzz/make_pki.sh <folder>
#
# The request seeds use the imprint and nonce the timestamp_token target expects:
# SHA-256("signet fuzz") and the nonce 0x0123456789ABCDEF (fuzz_support.hpp).
set -euo pipefail
out=${1:?usage: make_pki.sh <folder>}
mkdir -p "$out"
cd "$out"
quiet() { "$@" >/dev/null 2>&1 || { echo "make_pki.sh: failed: $*" >&2; "$@"; exit 1; }; }

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[seal]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/ocsp
crlDistributionPoints = URI:http://127.0.0.1:9/ca.crl
[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
authorityKeyIdentifier = keyid
[ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
authorityKeyIdentifier = keyid
CNF
key() { quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
key ca
quiet openssl req -new -x509 -key ca.key -subj "/CN=signet fuzz CA/O=signet" -days 3650 \
  -extensions ca -config ext.cnf -out ca.pem -set_serial 1
serial=16
for name in seal tsa ocsp; do
  key $name
  quiet openssl req -new -key $name.key -subj "/CN=signet fuzz $name/O=signet" -out $name.csr
  quiet openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -set_serial $serial -days 730 \
    -extfile ext.cnf -extensions $name -out $name.pem
  serial=$((serial + 1))
done
openssl x509 -in seal.pem -outform DER -out seal.der
openssl x509 -in ca.pem -outform DER -out ca.der

# OCSP (RFC 6960): the request for the seal certificate, and answers from an index.
quiet openssl ocsp -issuer ca.pem -cert seal.pem -no_nonce -reqout ocsp_request.der
seal_serial=$(openssl x509 -in seal.pem -noout -serial | cut -d= -f2)
seal_subject=$(openssl x509 -in seal.pem -noout -subject -nameopt compat | sed 's/^subject=//')
expiry=$(date -u -d '+2 years' +%y%m%d%H%M%SZ)
revoked=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t%s\n' "$expiry" "$seal_serial" "$seal_subject" > index.good
printf 'R\t%s\t%s,keyCompromise\t%s\tunknown\t%s\n' "$expiry" "$revoked" "$seal_serial" "$seal_subject" > index.revoked
: > index.unknown
for status in good revoked unknown; do
  quiet openssl ocsp -index index.$status -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin ocsp_request.der \
    -ndays 7 -respout ocsp_$status.der
done
quiet openssl ocsp -index index.good -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -reqin ocsp_request.der \
  -ndays 7 -respout ocsp_delegated.der

# CRLs (RFC 5280 §5) from `openssl ca`: empty, and listing the seal certificate.
mkdir -p ca.db
cat > ca.cnf <<CNF
[ca]
default_ca = fuzz
[fuzz]
database = $PWD/ca.db/index.txt
crlnumber = $PWD/ca.db/crlnumber
default_md = sha256
default_crl_days = 7
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid
CNF
: > ca.db/index.txt
echo 01 > ca.db/crlnumber
quiet openssl ca -config ca.cnf -gencrl -cert ca.pem -keyfile ca.key -out crl_empty.pem
cp index.revoked ca.db/index.txt
quiet openssl ca -config ca.cnf -gencrl -cert ca.pem -keyfile ca.key -out crl_revoked.pem
openssl crl -in crl_revoked.pem -outform DER -out crl_revoked.der

# RFC 3161: a request with the imprint and nonce the timestamp_token target expects, and the
# TSA's answer to it (response and token alone).
imprint=$(printf 'signet fuzz' | openssl dgst -sha256 -r | cut -d' ' -f1)
cat > tsq.cnf <<CNF
asn1 = SEQUENCE:request
[request]
version = INT:1
imprint = SEQUENCE:imprint
nonce = INT:0x0123456789ABCDEF
cert_req = BOOL:TRUE
[imprint]
algorithm = SEQUENCE:algorithm
digest = FORMAT:HEX,OCT:$imprint
[algorithm]
oid = OID:sha256
parameters = NULL
CNF
quiet openssl asn1parse -genconf tsq.cnf -noout -out ts_request.der
quiet openssl ts -query -digest "$imprint" -sha256 -cert -tspolicy 1.2.3.4.1 -out ts_request_policy.der
quiet openssl ts -query -digest "$(printf 'signet fuzz' | openssl dgst -sha512 -r | cut -d' ' -f1)" -sha512 \
  -no_nonce -out ts_request_sha512.der
cat > ts.cnf <<CNF
[tsa]
default_tsa = fuzz
[fuzz]
serial = $PWD/ts_serial
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
ess_cert_id_chain = no
CNF
echo 01 > ts_serial
quiet openssl ts -reply -config ts.cnf -queryfile ts_request.der -signer tsa.pem -inkey tsa.key \
  -chain ca.pem -out ts_response.der
quiet openssl ts -reply -config ts.cnf -queryfile ts_request.der -signer tsa.pem -inkey tsa.key \
  -chain ca.pem -token_out -out ts_token.der
echo "make_pki.sh: PKI and signed seeds in $out"
