#!/usr/bin/env bash
# What the tests need from the machine, made present: the Debian packages some tests drive (rsync, jq, psql,
# redis-server, chromium), PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, started when down.
# Installs as root (or through passwordless sudo); otherwise stops and prints the one command that does it.
# Run by `npm test` and by .ci/run.
set -euo pipefail

need=()
command -v rsync >/dev/null 2>&1 || need+=(rsync)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# the dashboard's browser test (test/e2e/dashboard-browser.test.ts) drives Debian's chromium
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  install="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${need[*]}"
  echo "test/machine.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then
    sh -c "$install" >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n sh -c "$install" >/dev/null
  else
    echo "test/machine.sh: the tests need ${need[*]}; install them with:" >&2
    echo "  sudo sh -c '$install'" >&2
    exit 1
  fi
fi

pg_url="${MCP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
case "$pg_url" in *@127.0.0.1:5432/*|*@localhost:5432/*) local_pg=1 ;; *) local_pg=0 ;; esac
if [ "$local_pg" = 1 ]; then
  pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 -U postgres 2>/dev/null; }
  if ! pg_up; then
    echo "test/machine.sh: PostgreSQL is down; starting it" >&2
    if [ -d /etc/postgresql ]; then
      as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo -n)
      "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if ! psql "$pg_url" -XAtqc 'select 1' >/dev/null 2>&1; then
  shown=$(printf '%s' "$pg_url" | sed -E 's#//[^@/]*@#//#')
  echo "test/machine.sh: PostgreSQL is not reachable at $shown (start it, or set MCP_TEST_PG_URL)" >&2
  exit 1
fi

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  echo "test/machine.sh: Redis is down; starting it" >&2
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "test/machine.sh: Redis is not reachable on 127.0.0.1:6379 (redis-server --daemonize yes)" >&2; exit 1; }
