#!/usr/bin/env bash
# Gapless deploys under load: ROUNDS (20) deploys of tests/Slipway.TestApp through the real `slipway up`
# while bench/LoadClient keeps CONNECTIONS (64) closed-loop connections busy and SSE (10) event streams open;
# then the same load against a plain "stop old, start new" restart of one TestApp process behind the same
# edge (the reference point). Prints failed requests, latency during the swaps / restarts, SSE reconnects and
# lost events. One command: bench/gapless-deploys.sh [ROUNDS]. Loopback only; every phase is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
CONNECTIONS=${CONNECTIONS:-64}
SSE=${SSE:-10}
DRAIN=${DRAIN:-3}   # seconds: the deploy's drain timeout and the reference's stop grace
WORK=$(mktemp -d /tmp/slipway-bench-gapless.XXXXXX)
pids=()
. bench/lib.sh
cleanup() {
  stop_apps "$WORK/home/edge.sock"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "${REF_PID:-}" ] && kill -KILL "$REF_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ -n "${KEEP_BENCH_DIR:-}" ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

echo "building (Release)..." >&2
dotnet build -c Release -v q --nologo src/Slipway >/dev/null
dotnet build -c Release -v q --nologo tests/Slipway.TestApp >/dev/null
dotnet build -c Release -v q --nologo bench/LoadClient -o "$WORK/loadclient" >/dev/null
SLIPWAY="dotnet src/Slipway/bin/Release/net10.0/slipway.dll"
TESTAPP=$(pwd)/tests/Slipway.TestApp/bin/Release/net10.0/Slipway.TestApp.dll
HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
PORT_BASE=$(python3 -c 'import random; print(random.randrange(30000, 39000, 100))')

$SLIPWAY up --home "$WORK/home" --http 127.0.0.1:$HTTP_PORT --admin 127.0.0.1:$ADMIN_PORT \
  --ports "$PORT_BASE-$((PORT_BASE + 99))" >"$WORK/up.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:$ADMIN_PORT/readyz >/dev/null 2>&1 && [ -f "$WORK/home/admin.token" ] && break
  sleep 0.1
done
TOKEN=$(cat "$WORK/home/admin.token")
API=http://127.0.0.1:$ADMIN_PORT/api/v1
SOCK="$WORK/home/edge.sock"
mkdir -p "$WORK/app"
cat > "$WORK/app/slipway.yml" <<YML
app: bench
runtime: process
run: { command: dotnet $TESTAPP }
routes: [ { host: bench.localhost, path: / } ]
probes: { interval: 200ms, timeout: 2s, passes: 2, deadline: 60s }
drain: { timeout: ${DRAIN}s }
rollback_window: 10m
YML
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/app/slipway.yml" "$API/apps/bench" >/dev/null

deploy() {  # deploy ROUND: one deploy with ?wait=true; appends the deployment record to deploys.jsonl
  echo "round $1" > "$WORK/app/content.txt"
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"from\":\"$WORK/app\"}" "$API/apps/bench/deploy?wait=true" > "$WORK/out.json"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/out.json")
  curl -s -H "Authorization: Bearer $TOKEN" "$API/deployments/$id" >> "$WORK/deploys.jsonl"; echo >> "$WORK/deploys.jsonl"
}
: > "$WORK/deploys.jsonl"
echo "first deploy (not measured)..." >&2
deploy 0; : > "$WORK/deploys.jsonl"

start_load() {  # start_load HOST OUT_DIR
  rm -f "$WORK/stop"
  dotnet "$WORK/loadclient/LoadClient.dll" "http://127.0.0.1:$HTTP_PORT" "$1" "$CONNECTIONS" "$SSE" "$WORK/stop" "$2" 900 &
  LOAD_PID=$!
  pids+=($LOAD_PID)
  sleep 3
}
stop_load() { sleep 2; touch "$WORK/stop"; wait "$LOAD_PID"; }

echo "slipway: $ROUNDS deploys under load..." >&2
start_load bench.localhost "$WORK/slipway"
for i in $(seq 1 "$ROUNDS"); do deploy "$i"; done
stop_load

# Reference: one TestApp process behind the edge, stopped (SIGTERM, SIGKILL after the same grace as the
# deploys' drain timeout) and started again on the same port.
REF_PORT=$(free_port)
start_ref() {
  PORT=$REF_PORT SLIPWAY_GENERATION=ref dotnet "$TESTAPP" >>"$WORK/ref.log" 2>&1 &
  REF_PID=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$REF_PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.02; done
  echo "reference app did not start" >&2; return 1
}
stop_ref() {
  kill -TERM "$REF_PID" 2>/dev/null || true
  for _ in $(seq 1 $((DRAIN * 50))); do kill -0 "$REF_PID" 2>/dev/null || break; sleep 0.02; done
  kill -KILL "$REF_PID" 2>/dev/null || true
  wait "$REF_PID" 2>/dev/null || true
}
start_ref
curl -sf --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/json' http://edge/services/restartref \
  -d '{"routes":[{"host":"restart.localhost","path":"/"}],"health":{"path":"/healthz","intervalMs":200,"timeoutMs":2000,"healthyThreshold":2,"unhealthyThreshold":3}}' >/dev/null
curl -sf --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' http://edge/services/restartref/targets \
  -d "{\"targets\":[{\"id\":\"ref\",\"url\":\"http://127.0.0.1:$REF_PORT\"}]}" >/dev/null

echo "reference: $ROUNDS stop-old/start-new restarts under load..." >&2
: > "$WORK/restarts.tsv"
start_load restart.localhost "$WORK/reference"
for i in $(seq 1 "$ROUNDS"); do
  t0=$(now_ms); stop_ref; start_ref; t1=$(now_ms)
  # Settle like a deploy does before the next round: until the edge routes to the new process again.
  for _ in $(seq 1 250); do curl -sf -H 'Host: restart.localhost' "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
  t2=$(now_ms)
  printf '%s\t%s\t%s\n' "$t0" "$t1" "$t2" >> "$WORK/restarts.tsv"
done
stop_load

python3 - "$WORK" "$ROUNDS" "$CONNECTIONS" "$SSE" "$DRAIN" <<'PY'
import bisect, csv, datetime, json, sys
work, rounds, conns, sse, drain = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def ms(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000
def load(d):
    rows = [(float(a), float(b), int(c)) for a, b, c in csv.reader(open(f"{work}/{d}/requests.csv"))]
    return rows, json.load(open(f"{work}/{d}/summary.json"))
def pct(xs, q):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
def split(rows, windows):
    starts = [r[0] for r in rows]; inside = set()
    for a, b in windows:
        inside.update(range(bisect.bisect_left(starts, a), bisect.bisect_right(starts, b)))
    return [rows[i] for i in sorted(inside)], [r for i, r in enumerate(rows) if i not in inside]
deploys = [json.loads(l) for l in open(f"{work}/deploys.jsonl") if l.strip()]
# A swap window: from the start of the activate phase to 500 ms after the drain phase began.
swaps = [(ms(d["phaseTimes"]["activate"]), ms(d["phaseTimes"]["drain"]) + 500) for d in deploys]
restarts = [tuple(map(float, l.split("\t"))) for l in open(f"{work}/restarts.tsv") if l.strip()]
# A restart window: from the stop signal until the edge routes to the new process again, plus 500 ms.
gaps = [(a, c + 500) for a, b, c in restarts]
print(f"{rounds} rounds under load: LoadClient closed loop on {conns} connections + {sse} SSE streams, "
      f"drain timeout / stop grace {drain} s")
print()
print("| scenario | requests | failed | req/s | p50 ms | p99 ms | p99 ms in swap/restart windows | windows (median ms) | SSE streams reconnected | SSE reconnects | SSE events lost |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, d, windows, ok in (("slipway deploys", "slipway", swaps, sum(x["status"] == "succeeded" for x in deploys)),
                             ("stop old, start new (reference)", "reference", gaps, len(restarts))):
    rows, s = load(d)
    inside, _ = split(rows, windows)
    lat = [r[1] for r in rows]
    wl = sorted(b - a for a, b in windows)
    print(f"| {name} ({ok}/{rounds} done) | {s['requests']:,} | {s['failed']:,} | {s['requests'] / s['seconds']:,.0f} | "
          f"{pct(lat, .5):.2f} | {pct(lat, .99):.2f} | {pct([r[1] for r in inside], .99):.2f} | {wl[len(wl) // 2] if wl else 0:.0f} | "
          f"{s['sse']['streamsThatReconnected']}/{s['sse']['streams']} | {s['sse']['reconnects']} | {s['sse']['lostEvents']} |")
for name, d in (("slipway deploys", "slipway"), ("reference", "reference")):
    errs = load(d)[1]["errors"]
    if errs:
        print()
        print(f"{name} errors: " + "; ".join(f"{k} ×{v}" for k, v in sorted(errs.items(), key=lambda e: -e[1])[:5]))
print()
sw = sorted(ms(d["phaseTimes"]["drain"]) - ms(d["phaseTimes"]["activate"]) for d in deploys)
print(f"slipway: activate phase (validated → route swapped) median {sw[len(sw) // 2]:.0f} ms, max {sw[-1]:.0f} ms; "
      f"deploy total median {sorted(d['durationMs'] for d in deploys)[len(deploys) // 2]} ms")
PY
