#!/usr/bin/env bash
# Times the deploy pipeline for a pre-built release (no build steps): how long each phase takes from
# start to validated to swapped to drained, a warm rollback, and what the control plane adds beyond the
# app's own start-up. One command: bench/deploy-phases.sh [ROUNDS]. Loopback only; bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
WORK=$(mktemp -d /tmp/slipway-bench-deploy.XXXXXX)
HTTP_PORT=${HTTP_PORT:-18480}; ADMIN_PORT=${ADMIN_PORT:-17470}
. bench/lib.sh
cleanup() {
  stop_apps "$WORK/home/edge.sock"
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build -c Release -v q --nologo src/Slipway >/dev/null
dotnet build -c Release -v q --nologo tests/Slipway.TestApp >/dev/null
SLIPWAY="dotnet src/Slipway/bin/Release/net10.0/slipway.dll"
TESTAPP=$(pwd)/tests/Slipway.TestApp/bin/Release/net10.0/Slipway.TestApp.dll

# The app's own start-up: process start until /healthz answers, measured the same way, without Slipway.
python3 - "$TESTAPP" "$ROUNDS" > "$WORK/startup.txt" <<'PY'
import os, subprocess, sys, time, urllib.request, socket
dll, rounds = sys.argv[1], int(sys.argv[2])
for i in range(rounds):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    t0 = time.monotonic()
    p = subprocess.Popen(["dotnet", dll], env=dict(os.environ, PORT=str(port)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read(); break
        except Exception:
            time.sleep(0.005)
    print(round((time.monotonic() - t0) * 1000))
    p.terminate(); p.wait()
PY

$SLIPWAY up --home "$WORK/home" --http 127.0.0.1:$HTTP_PORT --admin 127.0.0.1:$ADMIN_PORT --ports 23000-23099 >"$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:$ADMIN_PORT/readyz >/dev/null 2>&1 && [ -f "$WORK/home/admin.token" ] && break
  sleep 0.1
done
TOKEN=$(cat "$WORK/home/admin.token")
mkdir -p "$WORK/app"
cat > "$WORK/app/slipway.yml" <<YML
app: bench
runtime: process
run: { command: dotnet $TESTAPP }
routes: [ { host: bench.localhost, path: / } ]
probes: { interval: 100ms, timeout: 2s, passes: 2, deadline: 30s }
drain: { timeout: 5s }
rollback_window: 10m
YML
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/app/slipway.yml" http://127.0.0.1:$ADMIN_PORT/api/v1/apps/bench >/dev/null

: > "$WORK/deploys.jsonl"; : > "$WORK/rollbacks.jsonl"
for i in $(seq 1 "$ROUNDS"); do
  echo "round $i" > "$WORK/app/content.txt"
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"from\":\"$WORK/app\"}" "http://127.0.0.1:$ADMIN_PORT/api/v1/apps/bench/deploy?wait=true" > "$WORK/out.json"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/out.json")
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/api/v1/deployments/$id" >> "$WORK/deploys.jsonl"; echo >> "$WORK/deploys.jsonl"
  if [ "$i" -gt 1 ]; then
    t0=$(date +%s%N)
    curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
      "http://127.0.0.1:$ADMIN_PORT/api/v1/apps/bench/rollback?wait=true" > "$WORK/rb.json"
    t1=$(date +%s%N)
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/rb.json")
    curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/api/v1/deployments/$id" | python3 -c "import json,sys; d=json.load(sys.stdin); d['clientMs']=($t1-$t0)/1e6; print(json.dumps(d))" >> "$WORK/rollbacks.jsonl"
  fi
done

python3 - "$WORK" "$ROUNDS" <<'PY'
import json, sys, statistics, datetime
work, rounds = sys.argv[1], int(sys.argv[2])
def ts(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
def med(xs): return statistics.median(xs) if xs else float("nan")
def p(xs, q):
    xs = sorted(xs); return xs[min(len(xs)-1, int(round(q*(len(xs)-1))))] if xs else float("nan")
deploys = [json.loads(l) for l in open(f"{work}/deploys.jsonl") if l.strip()]
bad = [d for d in deploys if d["status"] != "succeeded"]
rows = {"start → validate (app start + first probes)": [], "validate → activate (validated)": [],
        "activate → drain (route swapped)": [], "drain → done (old drained, kept warm)": [], "total (started → done)": []}
for d in deploys:
    t = {k: ts(v) for k, v in d["phaseTimes"].items()}
    rows["start → validate (app start + first probes)"].append((t["validate"] - t["start"]).total_seconds()*1000)
    rows["validate → activate (validated)"].append((t["activate"] - t["validate"]).total_seconds()*1000)
    rows["activate → drain (route swapped)"].append((t["drain"] - t["activate"]).total_seconds()*1000)
    rows["drain → done (old drained, kept warm)"].append((t["done"] - t["drain"]).total_seconds()*1000)
    rows["total (started → done)"].append(d["durationMs"])
startup = [int(x) for x in open(f"{work}/startup.txt")]
rbs = [json.loads(l) for l in open(f"{work}/rollbacks.jsonl") if l.strip()]
print(f"Deploys of a pre-built release: {len(deploys)} ({len(bad)} not succeeded); probes every 100 ms, 2 passes")
print()
print("| phase | median ms | p90 ms |")
print("|---|---:|---:|")
for k, xs in rows.items():
    print(f"| {k} | {med(xs):.0f} | {p(xs, .9):.0f} |")
print(f"| app start-up alone (process start → /healthz 200, no Slipway) | {med(startup):.0f} | {p(startup, .9):.0f} |")
total, up = med(rows['total (started → done)']), med(startup)
print(f"| control-plane overhead = total − app start-up − one probe interval (100 ms) | {total - up - 100:.0f} | |")
if rbs:
    print()
    print(f"Rollback to the warm previous generation: {len(rbs)} runs, " + ", ".join(sorted(set(r['status'] for r in rbs))))
    print()
    print("| measure | median ms | p90 ms |")
    print("|---|---:|---:|")
    sw = [(ts(r['phaseTimes']['drain']) - ts(r['phaseTimes']['activate'])).total_seconds()*1000 for r in rbs]
    print(f"| route swapped (activate → drain) | {med(sw):.0f} | {p(sw, .9):.0f} |")
    print(f"| whole rollback (server durationMs) | {med([r['durationMs'] for r in rbs]):.0f} | {p([r['durationMs'] for r in rbs], .9):.0f} |")
    print(f"| whole rollback seen by the client (?wait=true) | {med([r['clientMs'] for r in rbs]):.0f} | {p([r['clientMs'] for r in rbs], .9):.0f} |")
PY
