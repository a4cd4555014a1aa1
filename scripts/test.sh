#!/usr/bin/env bash
# Runs the whole test suite: starts a throwaway PostgreSQL 15 on 127.0.0.1 (Debian's binaries, run as
# the postgres user, a free port, a temporary data directory), points the tests at it, runs every test
# project, and stops the server again, whatever happens.
#
# Needs: the .NET 10 SDK, Debian's postgresql-15 and redis-server, and chromium for the browser tests
# (.ci/run installs what a fresh machine lacks).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "$pg_bin/initdb" ]]; then
  echo "PostgreSQL 15 server binaries not found in $pg_bin: install Debian's postgresql-15 (apt-get install postgresql-15)." >&2
  exit 1
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found: the Redis backplane tests need Debian's redis-server (apt-get install redis-server)." >&2
  exit 1
fi

pg_dir="$(mktemp -d /tmp/livehub-pg.XXXXXX)"
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

as_postgres() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_postgres() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  if [[ -f "$pg_dir/redis.pid" ]]; then kill "$(cat "$pg_dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT

if [[ "$(id -u)" == "0" ]]; then chown postgres:postgres "$pg_dir"; fi
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log" >&2; exit 1; }
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null \
  || { cat "$pg_dir/server.log" >&2; exit 1; }
echo "Throwaway PostgreSQL 15 on 127.0.0.1:$pg_port ($pg_dir)"

# A throwaway Redis for the SignalR Redis backplane tests (Live:Backplane=Redis): loopback, no persistence.
redis_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
  --dir "$pg_dir" --pidfile "$pg_dir/redis.pid" --logfile "$pg_dir/redis.log" >/dev/null
for _ in $(seq 50); do [[ -s "$pg_dir/redis.pid" ]] && break; sleep 0.1; done
echo "Throwaway Redis on 127.0.0.1:$redis_port"
export LIVEHUB_TEST_REDIS="127.0.0.1:$redis_port"

export LIVEHUB_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Pooling=true;Maximum Pool Size=50"
# The database outage test stops and starts a PostgreSQL cluster of its own, with these binaries.
export LIVEHUB_PG_BIN="$pg_bin"
export LIVEHUB_CHROMIUM="${LIVEHUB_CHROMIUM:-$(command -v chromium || true)}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The iCalendar oracle tests run feeds through ical.js and node-ical (tests/oracles, versions pinned in its lock file).
npm ci --prefix tests/oracles --no-audit --no-fund

# dotnet-ef (pinned in .config/dotnet-tools.json) for scripts/add-migration.sh.
dotnet tool restore >/dev/null

dotnet build LiveHub.sln -c Release

results="$(mktemp -d /tmp/livehub-results.XXXXXX)"
status=0
# --blame-hang-timeout turns a hung test into a failure with a dump instead of a stuck run.
dotnet test LiveHub.sln -c Release --no-build --blame-hang-timeout 5m \
  --logger "console;verbosity=minimal" --logger trx --results-directory "$results" "$@" || status=$?

# One closing line for the whole suite, summed over the test projects' result files.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit "$status"
