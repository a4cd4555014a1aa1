#!/usr/bin/env bash
# Live coverage fan-out benchmark (docs/benchmarks.md, "Live coverage (SignalR fan-out)").
#
# For each connection count: LiveHub (Release, SQLite, production settings) with N SignalR JSON
# WebSocket clients joined to one session stream, then the bare ASP.NET Core WebSocket broadcast
# server (bench/BareBroadcast) with the same N and a message of the same size, as the floor. Each
# server is started fresh for its step and stopped after it. Loopback only. The load client runs
# on the same machine and shares its cores with the server: see the caveats in the docs.
#
#   bench/run-live-load.sh                       # default steps
#   STEPS="1000 10000" DURATION=20 bench/run-live-load.sh
#
# Past the 10,000-connection target, stops once LiveHub's publish-to-last-client p99 reaches 1 s
# (the search for that point).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STEPS="${STEPS:-1000 2500 5000 7500 10000 15000 19500}"
TARGET="${TARGET:-10000}"              # the issue's target: 10,000 connections on one stream
RATE="${RATE:-1}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-2}"
BARE="${BARE:-1}"                      # 0: LiveHub only
PORT="${PORT:-5310}"
RESULTS="${RESULTS:-${TMPDIR:-/tmp}/livehub-live-load-$(date -u +%Y%m%dT%H%M%SZ).jsonl}"
EXTRA="${EXTRA:-}"                     # more options for every run, e.g. "--connect-rate 500"
# Scheduling priority of the load client and the servers it starts (they inherit it). On a machine
# others are using, a negative value (root only) keeps their builds from adding scheduling delay to
# the latencies; the benchmark itself needs well under one core on average.
NICE="${NICE:-0}"

# One file descriptor per WebSocket in each process: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)"
FD_LIMIT="$(ulimit -n)"

echo "== build (Release)"
dotnet build src/LiveHub/LiveHub.csproj -c Release --nologo -v q
dotnet build bench/LiveHub.Load/LiveHub.Load.csproj -c Release --nologo -v q
dotnet build bench/BareBroadcast/BareBroadcast.csproj -c Release --nologo -v q

LOAD=(nice -n "$NICE" dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll run)
LIVEHUB_DLL=src/LiveHub/bin/Release/net10.0/LiveHub.dll
BARE_DLL=bench/BareBroadcast/bin/Release/net10.0/BareBroadcast.dll

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; open files $FD_LIMIT; ports $(tr '\t' - < /proc/sys/net/ipv4/ip_local_port_range)"
echo "== results: $RESULTS; nice $NICE; load average $(cut -d' ' -f1-3 /proc/loadavg)"

for n in $STEPS; do
  if (( n + 200 > FD_LIMIT )); then
    echo "== skip $n connections: needs more than the open-file limit ($FD_LIMIT) in one process"
    continue
  fi
  # Bounded: start-up, the ramp (LiveHub joins run at ~100-250/s here), the posts, the drain.
  limit=$(( 90 + n / 70 + DURATION + WARMUP + 20 ))

  echo "== $n connections: LiveHub (timeout ${limit}s)"
  PORT=$((PORT + 1))
  # shellcheck disable=SC2086
  timeout --kill-after=15 "$limit" "${LOAD[@]}" --target livehub --launch "$LIVEHUB_DLL" --content-root src/LiveHub \
    --url "http://127.0.0.1:$PORT" -n "$n" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" \
    --results "$RESULTS" --label "step $n" $EXTRA || echo "   (LiveHub step exited with $?)"

  live="$(jq -c "select(.Connections == $n and (.Server | startswith(\"LiveHub\")))" "$RESULTS" 2>/dev/null | tail -n 1)"
  frame="$(jq -r '.FrameBytes // 0' <<<"${live:-{\}}")"
  (( frame > 0 )) || frame=1700

  if [[ "$BARE" == 1 ]]; then
    echo "== $n connections: bare WebSocket floor, $frame-byte messages"
    PORT=$((PORT + 1))
    # shellcheck disable=SC2086
    timeout --kill-after=15 "$limit" "${LOAD[@]}" --bare --launch "$BARE_DLL" \
      --url "http://127.0.0.1:$PORT" -n "$n" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" \
      --payload-bytes "$frame" --results "$RESULTS" --label "step $n" $EXTRA || echo "   (bare step exited with $?)"
  fi

  # The target step always runs; past it, stop once LiveHub has crossed 1 s.
  if (( n >= TARGET )) && [[ -n "$live" ]] && jq -e '.LastP99 >= 1000 or .Lost > 0' <<<"$live" >/dev/null; then
    echo "== LiveHub last-client p99 reached 1 s (or lost messages) at $n connections; stopping the sweep"
    break
  fi
done

echo
echo "== results ($RESULTS)"
dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll report "$RESULTS"
