#!/usr/bin/env bash
# Control-plane numbers on the real `slipway up`: /readyz latency under load (wrk on the admin port, which
# the edge forwards to the control plane), memory (RSS from /proc) of the edge process (`slipway up`) and the
# control plane (`slipway server`) before and after registering APPS (200) app specs through the API, and the
# background loop's tick time with them (histogram slipway_reconcile_tick_duration_seconds from /metrics).
# One command: bench/control-plane.sh [APPS]. Loopback only; bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
APPS=${1:-200}
DURATION=${DURATION:-10s}
WORK=$(mktemp -d /tmp/slipway-bench-cp.XXXXXX)
UP_PID=
cleanup() {
  [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
  if [[ -n "${KEEP_BENCH_DIR:-}" ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

echo "building (Release)..." >&2
dotnet build -c Release -v q --nologo src/Slipway >/dev/null
HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
PORT_BASE=$(python3 -c 'import random; print(random.randrange(30000, 39000, 100))')
dotnet src/Slipway/bin/Release/net10.0/slipway.dll up --home "$WORK/home" --http 127.0.0.1:$HTTP_PORT \
  --admin 127.0.0.1:$ADMIN_PORT --ports "$PORT_BASE-$((PORT_BASE + 99))" >"$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:$ADMIN_PORT/readyz >/dev/null 2>&1 && [ -f "$WORK/home/admin.token" ] && break
  sleep 0.1
done
TOKEN=$(cat "$WORK/home/admin.token")
API=http://127.0.0.1:$ADMIN_PORT/api/v1
# The control plane is the `slipway server` child of the `slipway up` process.
CP_PID=$(cat "/proc/$UP_PID/task/"*/children | tr ' ' '\n' | while read -r p; do
  [ -n "$p" ] && grep -q "server" "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done | head -n1)
[ -n "$CP_PID" ] || { echo "control plane process not found" >&2; exit 1; }

parse() {  # parse FILE: requests/s p50 p99 (ms) errors
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups(); return float(n) * {"us": .001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
err = "; ".join(re.findall(r"Socket errors:.*|Non-2xx or 3xx responses: \d+", text)) or "none"
print(f"{rps:,.0f}\t{p50:.2f}\t{p99:.2f}\t{err}")
PY
}
sleep 2
edge_idle=$(rss_mb "$UP_PID"); cp_idle=$(rss_mb "$CP_PID")

echo "registering $APPS apps..." >&2
t0=$(date +%s%N)
for i in $(seq 1 "$APPS"); do
  printf 'app: app%s\nruntime: process\nrun: { command: "true" }\nroutes: [ { host: app%s.localhost, path: / } ]\n' "$i" "$i" |
    curl -sf -X PUT -H "Authorization: Bearer $TOKEN" --data-binary @- "$API/apps/app$i" >/dev/null
done
t1=$(date +%s%N)
apps_listed=$(curl -sf -H "Authorization: Bearer $TOKEN" "$API/apps" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get("apps", [])))')

echo "/readyz under load..." >&2
wrk -t2 -c32 -d3s "http://127.0.0.1:$ADMIN_PORT/readyz" >/dev/null
wrk -t2 -c32 -d"$DURATION" --latency "http://127.0.0.1:$ADMIN_PORT/readyz" >"$WORK/readyz.wrk"
readyz=$(parse "$WORK/readyz.wrk")
# A single client at a time, for the unloaded latency.
wrk -t1 -c1 -d"$DURATION" --latency "http://127.0.0.1:$ADMIN_PORT/readyz" >"$WORK/readyz1.wrk"
readyz1=$(parse "$WORK/readyz1.wrk")
edge_loaded=$(rss_mb "$UP_PID"); cp_loaded=$(rss_mb "$CP_PID")

# Let the background loop (every 5 s) tick a few times with the apps registered.
sleep 16
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/metrics.txt"
edge_after=$(rss_mb "$UP_PID"); cp_after=$(rss_mb "$CP_PID")

echo
echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| /readyz through the admin listener | requests/s | p50 (ms) | p99 (ms) | errors |"
echo "|---|---:|---:|---:|---|"
IFS=$'\t' read -r a b c d <<<"$readyz"; echo "| wrk -t2 -c32 -d$DURATION | $a | $b | $c | $d |"
IFS=$'\t' read -r a b c d <<<"$readyz1"; echo "| wrk -t1 -c1 -d$DURATION | $a | $b | $c | $d |"
echo
echo "| RSS (MiB) | edge (slipway up) | control plane (slipway server) |"
echo "|---|---:|---:|"
echo "| idle, no apps | $edge_idle | $cp_idle |"
echo "| after registering $APPS apps ($apps_listed listed) and the /readyz load | $edge_loaded | $cp_loaded |"
echo "| 16 s later | $edge_after | $cp_after |"
echo
echo "Registering $APPS apps (PUT /api/v1/apps/NAME, one curl each): $(( (t1 - t0) / 1000000 )) ms in total"
python3 - "$WORK/metrics.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
count = re.search(r"^slipway_reconcile_tick_duration_seconds_count\S* (\S+)", text, re.M)
total = re.search(r"^slipway_reconcile_tick_duration_seconds_sum\S* (\S+)", text, re.M)
buckets = re.findall(r'^slipway_reconcile_tick_duration_seconds_bucket\{le="([^"]+)"\} (\S+)', text, re.M)
if not count or float(count.group(1)) == 0:
    print("Reconcile tick: no tick recorded"); sys.exit()
n, s = float(count.group(1)), float(total.group(1))
def q(p):
    for le, c in buckets:
        if float(c) >= p * n: return le
print(f"Reconcile tick with the apps registered: {n:.0f} ticks, mean {s / n * 1000:.2f} ms, p50 ≤ {q(.5)} s, max ≤ {q(1)} s (histogram bucket bounds)")
PY
