#!/usr/bin/env bash
# The Debian package on a real machine (.ci/test.sh runs it on the CI machine after CTest):
#   bash tests/package/install_test.sh [BUILD_DIR]
# cpack -G DEB, dpkg -i; the user, the folders and their modes, the unit neither enabled nor
# started; the installed signetctl makes a dev-init installation and the installed signetd
# serves it on a free loopback port, seals a PDF (checked by qpdf and pdfsig) and stops; dpkg -r
# keeps /var/lib/signet and /etc/signet, dpkg -P removes them and keeps the user (Debian's
# rule for system users). The machine is left as it was found: signetd stopped, the package
# purged, and the user and group signet deleted if this test made them.
# Skips (exit 77) unless root, and on a machine that has signet or its folders already, whose
# data a purge would destroy.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
# shellcheck source=tests/package/lib.sh
source "$(dirname "$0")/lib.sh"

skip() {
  echo "SKIP: install_test: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i)"
if dpkg-query -W -f='${Status}' signet 2>/dev/null | grep -qv "not-installed"; then
  skip "the package signet is on this machine already ($(dpkg-query -W -f='${Status}' signet))"
fi
for folder in /var/lib/signet /etc/signet; do
  [ ! -e "$folder" ] || skip "$folder exists: dpkg -P would delete it"
done
user_existed=no
group_existed=no
getent passwd signet >/dev/null && user_existed=yes
getent group signet >/dev/null && group_existed=yes

scratch=$(mktemp -d "${TMPDIR:-/tmp}/signet-install-test-XXXXXX")
installed=no
signetd_pid=
cleanup() {
  stop_signetd
  if [ "$installed" = yes ]; then
    dpkg -P signet >/dev/null 2>&1 || echo "install_test: dpkg -P signet failed in the cleanup" >&2
  fi
  if [ "$user_existed" = no ] && getent passwd signet >/dev/null; then userdel signet || true; fi
  if [ "$group_existed" = no ] && getent group signet >/dev/null; then groupdel signet || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

deb=$(build_deb "$build" "$scratch/out")
echo "dpkg -i $(basename "$deb")"
installed=yes
dpkg -i "$deb"
status() { dpkg-query -W -f='${Status}' signet 2>/dev/null || true; }
[ "$(status)" = "install ok installed" ] || fail "dpkg says: $(status)"

# postinst: the user from sysusers.d, the folders from tmpfiles.d.
entry=$(getent passwd signet) || fail "postinst made no user signet"
[ "$(echo "$entry" | cut -d: -f6,7)" = /var/lib/signet:/usr/sbin/nologin ] || fail "user signet: $entry"
expect_mode() {
  local got
  got=$(stat -c '%a %U:%G' "$1") || fail "$1 is missing"
  [ "$got" = "$2" ] || fail "$1 is $got, not $2"
}
expect_mode /etc/signet "750 root:signet"
expect_mode /var/lib/signet "700 signet:signet"
expect_mode /var/lib/signet/tokens "700 signet:signet"
expect_mode /etc/signet/signetd.toml "644 root:root"
# Neither enabled nor started: the first keys come first.
for link in /etc/systemd/system/*.wants/signetd.service; do
  [ ! -e "$link" ] || fail "postinst enabled signetd ($link)"
done
running_signetd() {
  local exe
  for exe in /proc/[0-9]*/exe; do
    [ "$(readlink "$exe" 2>/dev/null)" = /usr/bin/signetd ] && return 0
  done
  return 1
}
if running_signetd; then fail "postinst started /usr/bin/signetd"; fi
echo "installed: user signet, /etc/signet 0750 root:signet, /var/lib/signet 0700 signet, signetd not enabled, not running"

# The installed programs: dev-init with the installed signetctl (and the installed rights
# matrix), the installed signetd serving it, a seal.
port=$(free_port)
/usr/bin/signetctl dev-init "$scratch/install" --port "$port" >"$scratch/dev-init.log" 2>&1 \
  || { cat "$scratch/dev-init.log" >&2; fail "/usr/bin/signetctl dev-init failed"; }
grep -q 'rights_matrix = "/usr/share/signet/rights-matrix.toml"' "$scratch/install/signetd.toml" \
  || fail "dev-init did not take /usr/share/signet/rights-matrix.toml"
start_signetd /usr/bin/signetd "$scratch/install" "$port" "$scratch/signetd.log"
echo "/usr/bin/signetd is up on 127.0.0.1:$port"
workers=0
for child in $(pgrep -P "$signetd_pid" || true); do
  [ "$(readlink "/proc/$child/exe" || true)" = /usr/bin/signet-pdf-worker ] && workers=$((workers + 1))
done
[ "$workers" -gt 0 ] || fail "/usr/bin/signetd runs no /usr/bin/signet-pdf-worker"
seal_and_check "$scratch/install" "$port" "$scratch/seal"
stop_signetd

# An upgrade (the same package again: prerm upgrade, postinst configure with the old version)
# keeps an operator's edit of the conffile, and still enables nothing.
echo "# an operator's edit" >>/etc/signet/signetd.toml
dpkg -i "$deb" >"$scratch/upgrade.log" 2>&1 || { cat "$scratch/upgrade.log" >&2; fail "dpkg -i over itself failed"; }
[ "$(status)" = "install ok installed" ] || fail "after the upgrade dpkg says: $(status)"
grep -qx "# an operator's edit" /etc/signet/signetd.toml || fail "the upgrade replaced the edited conffile"
for link in /etc/systemd/system/*.wants/signetd.service; do
  [ ! -e "$link" ] || fail "the upgrade enabled signetd ($link)"
done
echo "upgrade: the edited /etc/signet/signetd.toml kept, signetd still not enabled"

# What an operator's installation holds besides the package's files.
install -m 0600 /dev/null /etc/signet/hsm-pin
echo "kept" >/var/lib/signet/signet.db

# dpkg -r: the programs go, the data and the configuration stay.
dpkg -r signet
[ "$(status)" = "deinstall ok config-files" ] || fail "after dpkg -r, dpkg says: $(status)"
[ ! -e /usr/bin/signetd ] || fail "dpkg -r left /usr/bin/signetd"
[ "$(cat /var/lib/signet/signet.db)" = kept ] || fail "dpkg -r did not keep /var/lib/signet"
[ -f /etc/signet/hsm-pin ] || fail "dpkg -r did not keep /etc/signet/hsm-pin"
[ -f /etc/signet/signetd.toml ] || fail "dpkg -r did not keep the conffile /etc/signet/signetd.toml"
echo "dpkg -r: /usr/bin/signetd gone; /var/lib/signet, /etc/signet/hsm-pin and signetd.toml kept"

# dpkg -P: everything goes but the user.
dpkg -P signet
installed=no
[ -z "$(status)" ] || [ "$(status)" = "unknown ok not-installed" ] || fail "after dpkg -P, dpkg says: $(status)"
[ ! -e /var/lib/signet ] || fail "dpkg -P left /var/lib/signet"
[ ! -e /etc/signet ] || fail "dpkg -P left /etc/signet"
getent passwd signet >/dev/null || fail "dpkg -P removed the user signet (Debian keeps system users)"
echo "dpkg -P: /var/lib/signet and /etc/signet gone; the user signet kept (removed now by the test's cleanup)"
echo "install_test: passed"
