#!/usr/bin/env bash
# Several LiveHub instances on one PostgreSQL (docs/benchmarks.md, "Several instances").
#
# Starts a throwaway PostgreSQL 15 (and, for the Redis backplane, a throwaway Redis) on loopback, then for each
# backplane and connection count: INSTANCES LiveHub processes (Release, production settings, a fresh database each
# run, seeds loaded by the first) on consecutive ports, N viewers spread over them round-robin, posts sent to the
# first. Reports publish-to-last-viewer overall and per instance, lost and duplicated messages, and the CPU of all
# instances together. Everything shares this machine's cores: see the caveats in the docs.
#
#   bench/run-cluster-load.sh                                  # 3 instances, 3,000 viewers, both backplanes
#   INSTANCES=3 STEPS="3000 9000" BACKPLANES="Database" bench/run-cluster-load.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

INSTANCES="${INSTANCES:-3}"
STEPS="${STEPS:-3000}"
BACKPLANES="${BACKPLANES:-Database Redis}"
RATE="${RATE:-1}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-2}"
PORT="${PORT:-5410}"
NICE="${NICE:-0}"
RESULTS="${RESULTS:-${TMPDIR:-/tmp}/livehub-cluster-load-$(date -u +%Y%m%dT%H%M%SZ).jsonl}"
EXTRA="${EXTRA:-}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

[[ -x "$PG_BIN/initdb" ]] || { echo "Needs Debian's postgresql-15 (apt-get install postgresql-15)." >&2; exit 1; }
if [[ " $BACKPLANES " == *" Redis "* ]] && ! command -v redis-server >/dev/null; then
  echo "The Redis backplane step needs Debian's redis-server (apt-get install redis-server)." >&2
  exit 1
fi

ulimit -n "$(ulimit -Hn)"

as_postgres() { if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

work="$(mktemp -d /tmp/livehub-cluster.XXXXXX)"
cleanup() {
  as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  if [[ -f "$work/redis.pid" ]]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ "$(id -u)" == "0" ]]; then chown postgres:postgres "$work"; fi

pg_port="$(free_port)"
as_postgres "$PG_BIN/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable settings as in production (fsync on): the commit is part of publish-to-viewer.
as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c max_connections=300" >/dev/null
redis_port="$(free_port)"
if [[ " $BACKPLANES " == *" Redis "* ]]; then
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
    --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log" >/dev/null
fi

echo "== build (Release)"
dotnet build src/LiveHub/LiveHub.csproj -c Release --nologo -v q
dotnet build bench/LiveHub.Load/LiveHub.Load.csproj -c Release --nologo -v q

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; open files $(ulimit -n)"
echo "== results: $RESULTS; $INSTANCES instances; PostgreSQL 15 on :$pg_port; load average $(cut -d' ' -f1-3 /proc/loadavg)"

run=0
for backplane in $BACKPLANES; do
  for n in $STEPS; do
    run=$((run + 1))
    db="livehub_cluster_$run"
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$db"
    echo "== $n viewers over $INSTANCES instances, backplane $backplane"
    # shellcheck disable=SC2086
    Database__Provider=Postgres \
    Database__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=$db;Username=postgres;Maximum Pool Size=50" \
    Live__Backplane="$backplane" \
    Live__RedisConnectionString="127.0.0.1:$redis_port" \
      timeout --kill-after=15 $(( 180 + n / 50 + DURATION )) \
      nice -n "$NICE" dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll run --target livehub \
        --launch src/LiveHub/bin/Release/net10.0/LiveHub.dll --content-root src/LiveHub \
        --url "http://127.0.0.1:$PORT" --instances "$INSTANCES" -n "$n" --rate "$RATE" --duration "$DURATION" \
        --warmup "$WARMUP" --results "$RESULTS" --label "$INSTANCES instances, $backplane" $EXTRA \
      || echo "   (step exited with $?)"
    PORT=$((PORT + INSTANCES))
  done
done

echo
echo "== results ($RESULTS)"
dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll report "$RESULTS"
