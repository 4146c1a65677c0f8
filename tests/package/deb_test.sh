#!/usr/bin/env bash
# CTest package_deb: the Debian package of a built tree, without installing it.
#   bash tests/package/deb_test.sh BUILD_DIR VERSION
# cpack -G DEB into a scratch folder; the file list, the control fields, the maintainer scripts
# and the conffile; lintian must report no error (E:); then, from the package unpacked with
# dpkg-deb -x, signetd and signetctl answer --help, and that signetd, started on a dev-init
# installation made by that signetctl, runs its PDF workers from beside itself and seals a PDF.
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/package/lib.sh
source "$(dirname "$0")/lib.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/signet-package-test-XXXXXX")
signetd_pid=
cleanup() {
  stop_signetd
  rm -rf "$scratch"
}
trap cleanup EXIT

deb=$(build_deb "$build" "$scratch/out")
echo "package: $(basename "$deb")"
[ "$(basename "$deb")" = "signet_${version}_amd64.deb" ] || fail "the package is $(basename "$deb"), not signet_${version}_amd64.deb"

# The files.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed -e 's|^\./|/|' >"$scratch/files.txt"
expect_file() {
  grep -qxF "$1" "$scratch/files.txt" || fail "the package has no $1"
}
for path in /usr/bin/signetd /usr/bin/signetctl /usr/bin/signet-pdf-worker \
            /lib/systemd/system/signetd.service /usr/lib/sysusers.d/signet.conf \
            /usr/lib/tmpfiles.d/signet.conf /etc/signet/signetd.toml \
            /usr/share/signet/rights-matrix.toml \
            /usr/share/doc/signet/copyright /usr/share/doc/signet/changelog.gz \
            /usr/share/doc/signet/README.md /usr/share/doc/signet/examples/softhsm2.conf \
            /usr/share/doc/signet/examples/signetd.toml \
            /usr/share/man/man8/signetd.8.gz /usr/share/man/man1/signetctl.1.gz \
            /usr/share/man/man8/signet-pdf-worker.8.gz; do
  expect_file "$path"
done
for page in "$source_dir"/docs/*.md; do
  expect_file "/usr/share/doc/signet/docs/$(basename "$page")"
done
[ ! -f "$source_dir/docs/openapi.yaml" ] || expect_file /usr/share/doc/signet/docs/openapi.yaml
# The lead's bash completion, once it is in the tree.
[ ! -f "$source_dir/cli/signetctl.bash" ] || expect_file /usr/share/bash-completion/completions/signetctl
# Nothing outside the places a Debian package of a daemon uses; the unit only in /lib.
while read -r path; do
  case "$path" in
    / | /usr/ | /usr/bin/* | /usr/share/* | /usr/lib/ | /usr/lib/sysusers.d/* | /usr/lib/tmpfiles.d/* | \
    /etc/ | /etc/signet/* | /lib/ | /lib/systemd/ | /lib/systemd/system/*) ;;
    *) fail "$path is outside /usr/bin, /usr/share, /usr/lib/{sysusers,tmpfiles}.d, /etc/signet and /lib/systemd/system" ;;
  esac
done <"$scratch/files.txt"

# The control fields: Depends computed by dpkg-shlibdeps, Recommends softhsm2.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = signet ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
echo "Depends: $depends"
# From dpkg-shlibdeps (the soname packages, whatever their versions), then the three added.
for package in 'libc6 ' 'libstdc\+\+6 ' 'libssl3 ' 'libpodofo[0-9.]+ ' 'libsqlite3-0 ' 'libsystemd0' \
               'libseccomp2 ' 'libboost-program-options[0-9.]+ ' 'fonts-dejavu-core' \
               'systemd \| systemd-sysusers' 'systemd \| systemd-tmpfiles'; do
  echo ", $depends," | grep -qE ", $package[^,]*," || fail "Depends lacks $package: $depends"
done
[ "$(field Recommends)" = softhsm2 ] || fail "Recommends: $(field Recommends), not softhsm2"

# The control archive: the conffile and the maintainer scripts, 0755.
mkdir "$scratch/control"
dpkg-deb -e "$deb" "$scratch/control"
grep -qxF /etc/signet/signetd.toml "$scratch/control/conffiles" || fail "conffiles does not list /etc/signet/signetd.toml"
for script in postinst prerm postrm; do
  [ "$(stat -c %a "$scratch/control/$script")" = 755 ] || fail "$script is not mode 0755"
  sh -n "$scratch/control/$script" || fail "$script is not valid sh"
done

# lintian: no error. The whole output is printed for the log.
if ! command -v lintian >/dev/null; then
  fail "lintian is not installed (.ci/install-deps.sh installs it)"
fi
lintian --tag-display-limit 0 "$deb" >"$scratch/lintian.txt" 2>&1 || true
echo "lintian:"
sed -e 's/^/  /' "$scratch/lintian.txt"
if grep -q '^E:' "$scratch/lintian.txt"; then
  fail "lintian reports errors"
fi

# The unpacked tree.
root="$scratch/root"
dpkg-deb -x "$deb" "$root"
for program in signetd signetctl signet-pdf-worker; do
  [ -x "$root/usr/bin/$program" ] || fail "$program is not executable"
  # grep reads it all: with -q it would stop at a match, and under pipefail readelf's SIGPIPE
  # would turn a found section into a pass.
  if readelf -S "$root/usr/bin/$program" | grep -E '\.debug_info|\.symtab' >/dev/null; then
    fail "$program is not stripped"
  fi
done
"$root/usr/bin/signetd" --help >"$scratch/signetd-help.txt" || fail "signetd --help exited $?"
grep -q -- "--config" "$scratch/signetd-help.txt" || fail "signetd --help does not name --config"
"$root/usr/bin/signetctl" --help >"$scratch/signetctl-help.txt" || fail "signetctl --help exited $?"
zcat "$root/usr/share/doc/signet/changelog.gz" | head -1 | grep -q "^signet ($version) " \
  || fail "changelog.gz (native package: no Debian revision) does not start with version $version"

# The unpacked signetctl makes an installation (with the unpacked rights matrix, which it finds
# in ../share/signet), and the unpacked signetd serves it with its workers from beside itself.
port=$(free_port)
"$root/usr/bin/signetctl" dev-init "$scratch/dev" --port "$port" >"$scratch/dev-init.log" 2>&1 \
  || { cat "$scratch/dev-init.log" >&2; fail "the unpacked signetctl dev-init failed"; }
grep -q "rights_matrix = \"$root/usr/share/signet/rights-matrix.toml\"" "$scratch/dev/signetd.toml" \
  || fail "dev-init did not take the rights matrix beside the unpacked signetctl"
start_signetd "$root/usr/bin/signetd" "$scratch/dev" "$port" "$scratch/signetd.log"
workers=0
for child in $(pgrep -P "$signetd_pid" || true); do
  [ "$(readlink "/proc/$child/exe" || true)" = "$root/usr/bin/signet-pdf-worker" ] && workers=$((workers + 1))
done
[ "$workers" -gt 0 ] || fail "signetd runs no $root/usr/bin/signet-pdf-worker"
echo "signetd from the unpacked package runs $workers PDF worker process(es) from beside itself"
seal_and_check "$scratch/dev" "$port" "$scratch/seal"
stop_signetd
echo "package_deb: passed"
