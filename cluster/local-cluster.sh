#!/usr/bin/env bash
# A local signet cluster for development (issue 23, docs/scale-out.md): a throw-away PostgreSQL 15
# cluster, N signetd nodes sharing it and one SoftHSM token, and HAProxy in front in TCP mode,
# passing mutual TLS through and checking each node's GET /v1/health with a certificate of its
# own (dev-init's "balancer", role monitor). Everything listens on 127.0.0.1 only.
#
#   cluster/local-cluster.sh start DIR [--nodes N] [--port P] [--build BUILD_DIR]
#   cluster/local-cluster.sh stop DIR
#
# HAProxy listens on P (default 9443), node i on P+i, PostgreSQL on P+100. DIR must not exist
# for start; stop ends every process start made and leaves DIR for its logs. As root, the
# PostgreSQL server runs as the `postgres` user (initdb and postgres refuse root).
set -euo pipefail

usage() { echo "usage: $0 start DIR [--nodes N] [--port P] [--build BUILD_DIR] | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
command=$1 dir=$2
shift 2
nodes=3 port=9443 build="$(cd "$(dirname "$0")/.." && pwd)/build"
while [[ $# -gt 0 ]]; do
  case $1 in
    --nodes) nodes=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) usage ;;
  esac
done
pg_bin=/usr/lib/postgresql/15/bin
as_server_user=()
[[ $(id -u) -eq 0 ]] && as_server_user=(setpriv --reuid=postgres --regid=postgres --init-groups)

stop() {
  local dir=$1
  [[ -f $dir/haproxy.pid ]] && kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true
  for pid_file in "$dir"/node-*.pid; do
    [[ -f $pid_file ]] || continue
    # SIGTERM: each node drains (health says so first, then in-flight requests finish).
    kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
  done
  for pid_file in "$dir"/node-*.pid; do
    [[ -f $pid_file ]] || continue
    local pid; pid=$(cat "$pid_file")
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pid_file"
  done
  if [[ -f $dir/pg/data/postmaster.pid ]]; then
    "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null
  fi
  rm -f "$dir/haproxy.pid"
  echo "local-cluster: stopped; logs are in $dir"
}

if [[ $command == stop ]]; then stop "$dir"; exit 0; fi
[[ $command == start ]] || usage
[[ -e $dir ]] && { echo "local-cluster: $dir exists; stop it and remove it, or choose another" >&2; exit 1; }
for tool in haproxy curl "$pg_bin/initdb" "$build/daemon/signetd" "$build/daemon/signetctl"; do
  command -v "$tool" >/dev/null || [[ -x $tool ]] || { echo "local-cluster: $tool is missing" >&2; exit 1; }
done
mkdir -p "$dir/pg"
dir=$(cd "$dir" && pwd)
trap 'echo "local-cluster: start failed; stopping what started" >&2; stop "$dir"' ERR

# PostgreSQL: a password of its own, in files readable by their owners only.
pg_port=$((port + 100))
umask 077
openssl rand -hex 24 > "$dir/pg/password"
printf '127.0.0.1:%s:*:signet:%s\n' "$pg_port" "$(cat "$dir/pg/password")" > "$dir/pgpass"
if [[ $(id -u) -eq 0 ]]; then
  chown -R postgres:postgres "$dir/pg"
  "${as_server_user[@]}" test -x "$dir/pg" ||
    { echo "local-cluster: the postgres user cannot reach $dir/pg; make its parent folders traversable (chmod o+x)" >&2; exit 1; }
fi
"${as_server_user[@]}" "$pg_bin/initdb" -D "$dir/pg/data" -U signet --auth-local=scram-sha-256 \
  --auth-host=scram-sha-256 --pwfile="$dir/pg/password" -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log"
"${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
  -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
PGPASSFILE=$dir/pgpass psql -X -q -h 127.0.0.1 -p "$pg_port" -U signet -d postgres -c 'CREATE DATABASE signet'
# signetd reads the password as root or as its own user: a copy owned by the caller.
cp "$dir/pg/password" "$dir/store-password"
[[ $(id -u) -eq 0 ]] && chown root:root "$dir/store-password"

# One installation: the token, the keys (in PostgreSQL) and the certificates all nodes share.
"$build/daemon/signetctl" dev-init "$dir/install" --port $((port + 1)) \
  --store-url "postgresql://signet@127.0.0.1:$pg_port/signet" --store-password-file "$dir/store-password" >/dev/null
pki=$dir/install/pki
cat "$pki/balancer.pem" "$pki/balancer.key" > "$dir/balancer-check.pem"

# The nodes share this machine: each gets its share of the job threads and PDF workers a node
# alone would take (eight threads a core, a worker for two threads).
threads=$(( 8 * $(nproc) / nodes )); (( threads < 2 )) && threads=2
for i in $(seq 1 "$nodes"); do
  # Node i: its own port, name, checkpoint file and drain notice; paths are relative to the
  # installation, so every node uses the same token, PKI and answers folder.
  sed -e "s/^port = $((port + 1))\$/port = $((port + i))\nnode = \"node-$i\"/" "$dir/install/signetd.toml" \
    > "$dir/install/node-$i.toml"
  printf 'drain_notice_seconds = 3\nworkers = %s\npdf_workers = %s\n\n[audit]\ncheckpoint_file = "audit-checkpoints-node-%s.ndjson"\n' \
    "$threads" $(( (threads + 1) / 2 )) "$i" >> "$dir/install/node-$i.toml"
  "$build/daemon/signetd" --config "$dir/install/node-$i.toml" > "$dir/node-$i.log" 2>&1 &
  echo $! > "$dir/node-$i.pid"
done
for i in $(seq 1 "$nodes"); do
  for attempt in $(seq 1 300); do
    curl -sf --cacert "$pki/tls-ca.pem" --cert "$pki/balancer.pem" --key "$pki/balancer.key" \
      "https://127.0.0.1:$((port + i))/v1/health" >/dev/null && break
    kill -0 "$(cat "$dir/node-$i.pid")" 2>/dev/null || { echo "node-$i exited:" >&2; tail -5 "$dir/node-$i.log" >&2; exit 1; }
    [[ $attempt -eq 300 ]] && { echo "node-$i did not become healthy" >&2; exit 1; }
    sleep 0.1
  done
done

# HAProxy: TCP mode (the TLS is the nodes'), least connections, a node out after two failed
# checks a second apart and back after two good ones. No on-marked-down shutdown-sessions: a
# draining node finishes what it has.
{
  cat <<CONFIG
global
    log stderr format raw local0 info
    stats socket $dir/haproxy.sock mode 600 level admin
defaults
    mode tcp
    log global
    option tcplog
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout check 3s
frontend signet
    bind 127.0.0.1:$port
    default_backend signetd
backend signetd
    balance leastconn
    option httpchk
    http-check send meth GET uri /v1/health ver HTTP/1.1 hdr Host signet
    http-check expect status 200
    default-server check check-ssl verify required ca-file $pki/tls-ca.pem crt $dir/balancer-check.pem inter 1s fall 2 rise 2
CONFIG
  for i in $(seq 1 "$nodes"); do echo "    server node-$i 127.0.0.1:$((port + i))"; done
} > "$dir/haproxy.cfg"
haproxy -c -q -f "$dir/haproxy.cfg"
# In the foreground of its own background job, so that its log (nodes going down and up) is a file.
haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.log" 2>&1 &
echo $! > "$dir/haproxy.pid"
for attempt in $(seq 1 100); do
  curl -sf --cacert "$pki/tls-ca.pem" --cert "$pki/balancer.pem" --key "$pki/balancer.key" \
    "https://127.0.0.1:$port/v1/health" >/dev/null && break
  [[ $attempt -eq 100 ]] && { echo "HAProxy does not answer on $port:" >&2; tail -5 "$dir/haproxy.log" >&2; exit 1; }
  sleep 0.1
done
trap - ERR
echo "local-cluster: $nodes nodes behind https://127.0.0.1:$port (PostgreSQL on $pg_port), in $dir"
echo "  curl --cacert $pki/tls-ca.pem --cert $pki/platform.pem --key $pki/platform.key https://127.0.0.1:$port/v1/health"
echo "  stop: $0 stop $dir"
