#!/usr/bin/env bash
# The single-node measurements of issue 17 in one run (docs/benchmarks.md, "Issue 17"): on one quiet machine,
#   1. 10,000 viewers: this tree's LiveHub with its defaults, the bare WebSocket floor, the build before issue 17
#      (OLD_DLL, optional) and each runtime setting in VARIANTS, one after another;
#   2. the largest step the open-file limit allows (19,500 here) with the defaults;
#   3. `LiveHub.Load joins`: server CPU per join for streams of 5 and 500 posts, fresh and page joins, and a storm of
#      1,000 clients, for this tree and for OLD_DLL.
# Everything goes to $OUT (JSON lines and the printed tables). Several instances: bench/run-cluster-load.sh.
#
#   OLD_DLL=/work/wt/before-17/src/LiveHub/bin/Release/net10.0/LiveHub.dll NICE=-10 bench/run-fanout-levers.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-10000}"
BIG="${BIG:-19500}"
RATE="${RATE:-1}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-2}"                 # posts sent first and not measured (60: a server that has posted for a minute)
JOINS="${JOINS:-1}"                   # 0: skip step 3
NICE="${NICE:-0}"
PORT="${PORT:-5510}"
OLD_DLL="${OLD_DLL:-}"
STORM="${STORM:-1000}"
OUT="${OUT:-${TMPDIR:-/tmp}/livehub-fanout-levers-$(date -u +%Y%m%dT%H%M%SZ)}"
# One runtime setting per entry (several joined with commas); each runs the N step once.
VARIANTS="${VARIANTS:-DOTNET_gcServer=0 DOTNET_TieredPGO=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_GCgen0size=0x4000000}"

mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
FD_LIMIT="$(ulimit -n)"

echo "== build (Release)"
dotnet build src/LiveHub/LiveHub.csproj -c Release --nologo -v q
dotnet build bench/LiveHub.Load/LiveHub.Load.csproj -c Release --nologo -v q
dotnet build bench/BareBroadcast/BareBroadcast.csproj -c Release --nologo -v q

LOAD=(nice -n "$NICE" dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll)
NEW_DLL=src/LiveHub/bin/Release/net10.0/LiveHub.dll
BARE_DLL=bench/BareBroadcast/bin/Release/net10.0/BareBroadcast.dll

{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; open files $FD_LIMIT"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'); old build: ${OLD_DLL:-none}"
  echo "started: $(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg); nice $NICE"
} | tee "$OUT/machine.txt"

livehub() { # dll label n [server-env...]
  local dll="$1" label="$2" n="$3"; shift 3
  local env_args=()
  for setting in "$@"; do env_args+=(--server-env "$setting"); done
  PORT=$((PORT + 1))
  echo "== $n viewers: $label"
  timeout --kill-after=15 $(( 120 + n / 60 + DURATION + WARMUP )) "${LOAD[@]}" run --target livehub --launch "$dll" \
    --content-root "$(dirname "$dll")/../../../" --url "http://127.0.0.1:$PORT" -n "$n" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" \
    --results "$OUT/fanout.jsonl" --label "$label" "${env_args[@]}" 2>>"$OUT/log.txt" | tee -a "$OUT/tables.md" \
    || echo "   ($label exited with $?)"
}

livehub "$NEW_DLL" "issue 17 defaults" "$N"
frame="$(jq -r 'select(.Label == "issue 17 defaults") | .FrameBytes' "$OUT/fanout.jsonl" | tail -n 1)"
PORT=$((PORT + 1))
echo "== $N viewers: bare WebSocket floor, ${frame:-1800}-byte messages"
timeout --kill-after=15 $(( 120 + N / 60 + DURATION + WARMUP )) "${LOAD[@]}" run --bare --launch "$BARE_DLL" --url "http://127.0.0.1:$PORT" \
  -n "$N" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --payload-bytes "${frame:-1800}" --results "$OUT/fanout.jsonl" --label "floor" \
  2>>"$OUT/log.txt" | tee -a "$OUT/tables.md" || echo "   (floor exited with $?)"
if [[ -n "$OLD_DLL" ]]; then
  livehub "$OLD_DLL" "before issue 17" "$N"
fi
for variant in $VARIANTS; do
  IFS=, read -r -a settings <<<"$variant"
  livehub "$NEW_DLL" "issue 17, $variant" "$N" "${settings[@]}"
done

if (( BIG + 200 <= FD_LIMIT )); then
  livehub "$NEW_DLL" "issue 17 defaults" "$BIG"
else
  echo "== skip $BIG viewers: the open-file limit is $FD_LIMIT" | tee -a "$OUT/tables.md"
fi

for build in new old; do
  [[ "$JOINS" == 1 ]] || break
  dll="$NEW_DLL"
  if [[ "$build" == old ]]; then
    [[ -n "$OLD_DLL" ]] || continue
    dll="$OLD_DLL"
  fi
  PORT=$((PORT + 1))
  echo "== joins: $build build"
  echo "### joins, $build build" >>"$OUT/tables.md"
  timeout --kill-after=15 600 "${LOAD[@]}" joins --launch "$dll" --content-root "$(dirname "$dll")/../../../" \
    --url "http://127.0.0.1:$PORT" -n "$STORM" --posts 5,500 --results "$OUT/joins.jsonl" --label "$build build" \
    2>>"$OUT/log.txt" | tee -a "$OUT/tables.md" || echo "   (joins, $build build, exited with $?)"
done

echo "finished: $(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo
dotnet bench/LiveHub.Load/bin/Release/net10.0/LiveHub.Load.dll report "$OUT/fanout.jsonl" | tee "$OUT/report.md"
