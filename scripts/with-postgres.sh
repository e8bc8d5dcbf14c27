#!/usr/bin/env bash
# Runs a command beside a throwaway Postgres: installs Debian's server binaries if they are missing, initdb's a
# cluster in a temporary directory (as the unprivileged `postgres` user when run as root), starts it on a loopback
# port, runs the command with CLUSTER_TEST_DATABASE_URL set, then stops the server by its process ID and removes
# the directory, whatever the command's outcome.
#
# Usage: scripts/with-postgres.sh <command> [args...]   (port: PGPORT_TEST, default 55432)
set -euo pipefail
port="${PGPORT_TEST:-55432}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ]; then
  echo "with-postgres: installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin="$(find_bin)"
fi

run_as=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  run_as=(runuser -u postgres --)
fi

data="$(mktemp -d /tmp/effect-lanes-pg.XXXXXX)"
[ ${#run_as[@]} -eq 0 ] || chown postgres "$data"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"${run_as[@]}" "$bin/initdb" -D "$data/db" -U postgres --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $data -c max_connections=200 -c fsync=off" start >/dev/null
pid="$(head -n 1 "$data/db/postmaster.pid")"
echo "with-postgres: server $pid on 127.0.0.1:$port"

export CLUSTER_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
"$@"
