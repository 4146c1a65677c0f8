#!/usr/bin/env bash
# Installs the Debian 12 packages signet needs to build, run and test, when any is missing.
# Runs as root on a fresh machine; on a machine that has them all it changes nothing.
#   bash .ci/install-deps.sh               everything (.ci/test.sh)
#   bash .ci/install-deps.sh --quickstart  what the quick start builds and runs, not the tests'
#                                          tools (clang, PostgreSQL, HAProxy, testssl.sh, ...)
set -euo pipefail

quickstart_packages=(
  # build
  build-essential cmake pkg-config ninja-build
  libboost-dev libboost-test-dev libboost-program-options-dev
  libssl-dev libp11-kit-dev libpodofo-dev libsqlite3-dev libpq-dev nlohmann-json3-dev libsimdjson-dev libtomlplusplus-dev liboath-dev
  # the external time-stamping authorities (and, next, OCSP and CRL fetches)
  libcurl4-openssl-dev
  # the PDF workers' seccomp filter, and sd_notify for systemd's Type=notify
  libseccomp-dev libsystemd-dev
  # the tests' decompression bomb; the logos' pixels (image/: PNG through libpng, JPEG checked by libjpeg)
  zlib1g-dev libpng-dev libjpeg62-turbo-dev
  # the visible box's font, embedded as a subset (pdf/form/embedded_font.hpp)
  fonts-dejavu-core
  # run: the embedded HSM, and the tools the quick start uses
  softhsm2 openssl curl ca-certificates
  # the quick start's sample letter (ps2pdf) and its independent validator (pdfsig, with certutil)
  ghostscript poppler-utils libnss3-tools coreutils
)

test_packages=(
  # test: PDF producers and independent validators
  groff qpdf
  # the API's tests read docs/openapi.yaml through PyYAML
  python3-yaml
  # the second store backend's tests: a PostgreSQL 15 cluster each test makes for itself, and
  # HAProxy in front of several nodes (issue 23)
  postgresql-15 haproxy
  # an authenticator app for the tests: TOTP codes computed independently of signet
  oathtool
  # benchmarks: JSON and arithmetic in the shell scripts
  jq bc
  # tests/bench/performance.sh (issue 8): podofosign to compare with, and the plot
  libpodofo-utils gnuplot-nox
  # opensc's pkcs11-spy: counts the HSM's signatures independently of signet
  opensc
  # the unit file's security score (systemd-analyze security --offline=true)
  systemd
  # tests/fuzz (-DSIGNET_FUZZ=ON): clang 16 with libFuzzer and the sanitizer runtimes
  clang-16 libclang-rt-16-dev
  # tests/tls: an independent scan of signetd's TLS (protocols, ciphers, renegotiation, CRIME)
  testssl.sh
  # the Debian package's checks (tests/package): lintian; dpkg-shlibdeps comes with dpkg-dev
  # (build-essential)
  lintian
)

packages=("${quickstart_packages[@]}")
case "${1:-}" in
  --quickstart) ;;
  "") packages+=("${test_packages[@]}") ;;
  *) echo "usage: $0 [--quickstart]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "signet: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
