#!/usr/bin/env bash
# Per-request cost of the edge against a bare YARP forwarder (bench/YarpBench), both in front of the same
# backend on loopback: bytes allocated per request (GC.GetTotalAllocatedBytes, exact, read in-process on
# SIGUSR1 before and after a bounded wrk run, divided by the requests wrk counted) and GC counts; then, when
# dotnet-trace is installed, a CPU sample profile of each under the same bounded load and its top methods.
#   bench/edge-profile.sh                        # 5 s per host, 1 wrk thread, 16 connections
#   DURATION=10s CONNECTIONS=32 TOP=25 bench/edge-profile.sh
#   TRACE=0 bench/edge-profile.sh                # allocations only
set -euo pipefail

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
TOP=${TOP:-20}
TRACE=${TRACE:-1}
PATH=$PATH:$HOME/.dotnet/tools

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t slipway-edge-profile.XXXXXX)
pids=()
. "$root/bench/lib.sh"
trap stop_pids_and_clean EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }

echo "building Release backend, edge host and bare YARP..." >&2
dotnet build -c Release "$root/bench/Backend" -o "$work/backend" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/EdgeBench" -o "$work/edge" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/YarpBench" -o "$work/yarp" -v quiet -nologo >/dev/null
[[ "$TRACE" == 1 ]] && dotnet build -c Release "$root/bench/AllocSummary" -o "$work/allocsummary" -v quiet -nologo >/dev/null

backend_port=$(free_port)
dotnet "$work/backend/Backend.dll" --urls "http://127.0.0.1:$backend_port" >"$work/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$backend_port/"

edge_port=$(free_port)
dotnet "$work/edge/EdgeBench.dll" "127.0.0.1:$edge_port" "http://127.0.0.1:$backend_port" "$work/edge-home" >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=($edge_pid)
wait_http "http://127.0.0.1:$edge_port/"

yarp_port=$(free_port)
dotnet "$work/yarp/YarpBench.dll" "127.0.0.1:$yarp_port" "127.0.0.1:$(free_port)" "http://127.0.0.1:$backend_port" >"$work/yarp.log" 2>&1 &
yarp_pid=$!
pids+=($yarp_pid)
wait_http "http://127.0.0.1:$yarp_port/"

probe() {  # probe PID LOG: the host's next "alloc ..." line
    local before
    before=$(grep -c '^alloc ' "$2" || true)
    kill -USR1 "$1"
    for _ in $(seq 1 100); do
        (( $(grep -c '^alloc ' "$2" || true) > before )) && { grep '^alloc ' "$2" | tail -n 1; return 0; }
        sleep 0.05
    done
    echo "no allocation probe answer from $1" >&2; return 1
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'host\trequests\treq/s\tbytes/request\tgen0/10k req\tgen1\tgen2\tRSS MiB\n'
for entry in "slipway-edge $edge_pid $work/edge.log $edge_port" "bare-yarp $yarp_pid $work/yarp.log $yarp_port"; do
    read -r name pid log port <<<"$entry"
    wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/" >/dev/null   # warm-up: JIT tiers, pools
    a=$(probe "$pid" "$log")
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/" >"$work/$name.wrk"
    b=$(probe "$pid" "$log")
    python3 - "$name" "$a" "$b" "$work/$name.wrk" <<'PY'
import re, sys
name, a, b, path = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4]
text = open(path).read()
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
d = lambda i: int(b[i]) - int(a[i])
print(f"{name}\t{requests}\t{rps:.0f}\t{d(1) / requests:.0f}\t{d(3) * 10000 / requests:.1f}\t{d(5)}\t{d(7)}\t{int(b[9]) / 1048576:.0f}")
PY
done

if [[ "$TRACE" == 1 ]] && command -v dotnet-trace >/dev/null; then
    secs=${DURATION%s}
    trace_for() { printf '00:00:00:%02d' $((secs - 1)); }
    for entry in "slipway-edge $edge_pid $edge_port" "bare-yarp $yarp_pid $yarp_port"; do
        read -r name pid port <<<"$entry"
        # Where the bytes go: the runtime's allocation samples (gc-verbose) with their stacks.
        wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/" >"$work/$name-alloc.wrk" &
        wrk_pid=$!
        sleep 0.5
        dotnet-trace collect -p "$pid" --profile gc-verbose --duration "$(trace_for)" -o "$work/$name-alloc.nettrace" >"$work/$name-alloc-trace.log" 2>&1
        wait "$wrk_pid"
        requests=$(grep -oE '[0-9]+ requests in' "$work/$name-alloc.wrk" | cut -d' ' -f1)
        # The trace covers DURATION-1 of the DURATION wrk ran: scale the request count to that.
        echo
        echo "== $name: allocations by type and by innermost Slipway/YARP frame =="
        dotnet "$work/allocsummary/AllocSummary.dll" "$work/$name-alloc.nettrace" "$(( requests * (secs - 1) / secs ))" "$TOP"
        # Where the time goes: managed stacks sampled at ~100 Hz (wall clock: idle pool threads show as waits).
        wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/" >"$work/$name-cpu.wrk" &
        wrk_pid=$!
        sleep 0.5
        dotnet-trace collect -p "$pid" --profile dotnet-sampled-thread-time --duration "$(trace_for)" -o "$work/$name.nettrace" >"$work/$name-trace.log" 2>&1
        wait "$wrk_pid"
        echo "== $name: top $TOP methods by exclusive samples =="
        dotnet-trace report "$work/$name.nettrace" topN -n "$TOP"
        if [[ -n "${KEEP_BENCH_DIR:-}" ]]; then echo "traces: $work/$name.nettrace $work/$name-alloc.nettrace"; fi
    done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
