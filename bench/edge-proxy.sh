#!/usr/bin/env bash
# Edge proxy cost: the same wrk client against the backend directly, through the Slipway edge, through a bare
# YARP forwarder (MapForwarder: the edge's floor, without its routing, health and metrics), and through nginx
# and caddy (when installed) as plain reverse proxies. Loopback only; bounded duration.
#   bench/edge-proxy.sh                      # 3 rounds of 5 s per target, 2 threads, 64 connections
#   DURATION=5s CONNECTIONS=32 bench/edge-proxy.sh
#   SERVER_GC_VARIANT=1 bench/edge-proxy.sh  # also the edge with DOTNET_gcServer=1
#   VARIANTS="inline:DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 nogcconc:DOTNET_gcConcurrent=0" bench/edge-proxy.sh
#                                            # also the edge once per NAME:VAR=VALUE[,VAR=VALUE] (runtime settings)
#   H2C=0 bench/edge-proxy.sh                # skip the HTTP/2 (h2c, prior knowledge) table
#   BASELINE=main bench/edge-proxy.sh        # also the edge as of git ref "main", side by side in the same run
# Second table: p99 at a fixed, paced rate of half the edge's saturation throughput (wrk's Lua delay()),
# and the p99 each proxy adds over direct at that rate.
set -euo pipefail

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-3s}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t slipway-edge-bench.XXXXXX)
pids=()
. "$root/bench/lib.sh"
trap stop_pids_and_clean EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }

echo "building Release backend and edge host..." >&2
dotnet build -c Release "$root/bench/Backend" -o "$work/backend" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/EdgeBench" -o "$work/edge" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/YarpBench" -o "$work/yarp" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/H2Load" -o "$work/h2load" -v quiet -nologo >/dev/null
if [[ -n "${BASELINE:-}" ]]; then
    # The edge source as of $BASELINE, hosted by this tree's EdgeBench (it only uses EdgeHost's public surface).
    mkdir -p "$work/baseline-src"
    git -C "$root" archive "$BASELINE" src Directory.Build.props Directory.Packages.props | tar -x -C "$work/baseline-src"
    mkdir -p "$work/baseline-src/bench"
    cp -r "$root/bench/EdgeBench" "$work/baseline-src/bench/"
    cp -r "$root/bench/Shared" "$work/baseline-src/bench/"   # EdgeBench compiles bench/Shared/AllocationProbe.cs
    rm -rf "$work/baseline-src/bench/EdgeBench/bin" "$work/baseline-src/bench/EdgeBench/obj"
    dotnet build -c Release "$work/baseline-src/bench/EdgeBench" -o "$work/edge-baseline" -v quiet -nologo >/dev/null
fi

backend_port=$(free_port)
dotnet "$work/backend/Backend.dll" --urls "http://127.0.0.1:$backend_port" >"$work/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$backend_port/"

# The same backend on a second port speaking HTTP/2 only (h2c), for the direct row of the h2c table.
backend_h2c_port=$(free_port)
Kestrel__EndpointDefaults__Protocols=Http2 dotnet "$work/backend/Backend.dll" --urls "http://127.0.0.1:$backend_h2c_port" >"$work/backend-h2c.log" 2>&1 &
pids+=($!)

edge_port=$(free_port)
edge_h2c_port=$(free_port)
dotnet "$work/edge/EdgeBench.dll" "127.0.0.1:$edge_port" "http://127.0.0.1:$backend_port" "$work/edge-home" "127.0.0.1:$edge_h2c_port" >"$work/edge.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$edge_port/"

yarp_port=$(free_port)
yarp_h2c_port=$(free_port)
dotnet "$work/yarp/YarpBench.dll" "127.0.0.1:$yarp_port" "127.0.0.1:$yarp_h2c_port" "http://127.0.0.1:$backend_port" >"$work/yarp.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$yarp_port/"

targets=("direct http://127.0.0.1:$backend_port/" "slipway-edge http://127.0.0.1:$edge_port/" "bare-yarp http://127.0.0.1:$yarp_port/")
h2c_targets=("direct http://127.0.0.1:$backend_h2c_port/" "slipway-edge http://127.0.0.1:$edge_h2c_port/" "bare-yarp http://127.0.0.1:$yarp_h2c_port/")

for variant in ${VARIANTS:-}; do
    # NAME:VAR=VALUE[,VAR=VALUE]: the same edge with those environment variables (runtime and GC settings).
    name=${variant%%:*}
    settings=${variant#*:}
    variant_port=$(free_port)
    env $(tr ',' ' ' <<<"$settings") dotnet "$work/edge/EdgeBench.dll" "127.0.0.1:$variant_port" "http://127.0.0.1:$backend_port" "$work/edge-$name-home" >"$work/edge-$name.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$variant_port/"
    targets+=("slipway-edge+$name http://127.0.0.1:$variant_port/")
done

if [[ -n "${SERVER_GC_VARIANT:-}" ]]; then
    # The same edge with the server GC, to see what that setting would change.
    gc_port=$(free_port)
    DOTNET_gcServer=1 dotnet "$work/edge/EdgeBench.dll" "127.0.0.1:$gc_port" "http://127.0.0.1:$backend_port" "$work/edge-gc-home" >"$work/edge-gc.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$gc_port/"
    targets+=("slipway-edge+serverGC http://127.0.0.1:$gc_port/")
fi

if [[ -n "${BASELINE:-}" ]]; then
    baseline_port=$(free_port)
    dotnet "$work/edge-baseline/EdgeBench.dll" "127.0.0.1:$baseline_port" "http://127.0.0.1:$backend_port" "$work/edge-baseline-home" >"$work/edge-baseline.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$baseline_port/"
    targets+=("slipway-edge@$BASELINE http://127.0.0.1:$baseline_port/")
fi

if command -v nginx >/dev/null; then
    nginx_port=$(free_port)
    nginx_h2c_port=$(free_port)
    mkdir -p "$work/nginx/logs"
    { nginx_conf_head "$backend_port"; cat <<NGINX
    server {
        listen 127.0.0.1:$nginx_port;
        listen 127.0.0.1:$nginx_h2c_port http2;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
NGINX
    } >"$work/nginx/nginx.conf"
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$nginx_port/"
    targets+=("nginx http://127.0.0.1:$nginx_port/")
    h2c_targets+=("nginx http://127.0.0.1:$nginx_h2c_port/")
fi

if command -v caddy >/dev/null; then
    caddy_port=$(free_port)
    cat >"$work/Caddyfile" <<CADDY
{
    admin off
    auto_https off
    servers {
        protocols h1 h2c
    }
}
http://127.0.0.1:$caddy_port {
    reverse_proxy 127.0.0.1:$backend_port
}
CADDY
    XDG_DATA_HOME="$work/caddy-data" XDG_CONFIG_HOME="$work/caddy-config" \
        caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$caddy_port/"
    targets+=("caddy http://127.0.0.1:$caddy_port/")
    h2c_targets+=("caddy http://127.0.0.1:$caddy_port/")
fi

# parse NAME FILE: one TSV row (name, requests/s, p50 ms, p99 ms, errors) from wrk --latency output.
parse() {
    python3 - "$1" "$2" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = re.findall(r"Socket errors:.*|Non-2xx or 3xx responses: \d+", text)
print(f"{name}\t{rps}\t{p50}\t{p99}\t{'; '.join(errors)}")
PY
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Other work on the machine changes its speed from minute to minute, so the targets take turns: ROUNDS
# rounds, each measuring every target once (the order rotates), and the tables show each target's median.
run_rounds() {  # run_rounds LABEL OUT_TSV [wrk options...]
    local label=$1 out=$2; shift 2
    : >"$out"
    local n=${#targets[@]}
    for round in $(seq 1 "$ROUNDS"); do
        for k in $(seq 0 $((n - 1))); do
            local entry=${targets[$(( (k + round) % n ))]}
            local name=${entry%% *} url=${entry#* }
            echo "round $round: $name $*" >&2
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$work/$name.$label.$round.wrk"
            parse "$name" "$work/$name.$label.$round.wrk" >>"$out"
        done
    done
}

for entry in "${targets[@]}"; do
    echo "warming up ${entry%% *}..." >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${entry#* }" >/dev/null
done
results="$work/results.tsv"
run_rounds saturated "$results"

# Paced run: every connection waits DELAY ms between requests, so the offered rate is about
# CONNECTIONS * 1000 / (DELAY + latency): half of what the edge sustained above.
edge_rps=$(awk -F'\t' '$1 == "slipway-edge" { print $2 }' "$results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
delay_ms=$(python3 -c "print(max(1, round($CONNECTIONS * 1000 / ($edge_rps / 2))))")
cat >"$work/paced.lua" <<LUA
function delay() return $delay_ms end
LUA
paced="$work/paced.tsv"
run_rounds paced "$paced" -s "$work/paced.lua"
# HTTP/2 with prior knowledge from the client (wrk speaks HTTP/1.1 only, so bench/H2Load: closed loop, 8
# connections x 8 streams); every proxy talks HTTP/1.1 to the backend, direct is the backend's h2c port.
h2c="$work/h2c.tsv"
: >"$h2c"
if [[ "${H2C:-1}" != 0 ]]; then
    n=${#h2c_targets[@]}
    for round in $(seq 1 "$ROUNDS"); do
        for k in $(seq 0 $((n - 1))); do
            entry=${h2c_targets[$(( (k + round) % n ))]}
            name=${entry%% *} url=${entry#* }
            echo "round $round: $name h2c" >&2
            printf '%s\t%s\n' "$name" "$(dotnet "$work/h2load/H2Load.dll" "$url" 8 8 "${DURATION%s}")" >>"$h2c"
        done
    done
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'), nproc $(nproc), load average $load_before -> $load_after"
echo "Saturation: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS rounds taking turns (medians shown; after a $WARMUP warm-up each), GET / of a 33-byte answer, loopback"
echo
python3 - "$results" "$paced" "$delay_ms" "$CONNECTIONS" "$h2c" <<'PY'
import os
import sys
import statistics
def load(path):
    rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
    by = {}
    for r in rows:
        by.setdefault(r[0], []).append(r)
    def med(rs, i): return statistics.median(float(r[i]) for r in rs)
    return {name: (med(rs, 1), med(rs, 2), med(rs, 3), "; ".join(r[4] for r in rs if len(r) > 4 and r[4]))
            for name, rs in by.items()}
by, paced = load(sys.argv[1]), load(sys.argv[2])
delay, connections = sys.argv[3], sys.argv[4]
direct, nginx, caddy = by.get("direct"), by.get("nginx"), by.get("caddy")
def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"
yarp = by.get("bare-yarp")
print("| target | requests/s | p50 (ms) | p99 (ms) | req/s vs direct | req/s vs nginx | req/s vs caddy | req/s vs bare YARP | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for name, (rps, p50, p99, err) in by.items():
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio(rps, direct[0])} | "
          f"{ratio(rps, nginx[0]) if nginx else '-'} | {ratio(rps, caddy[0]) if caddy else '-'} | "
          f"{ratio(rps, yarp[0]) if yarp else '-'} | {err or 'none'} |")
print()
print(f"Paced at about half of the edge's saturation: wrk -c{connections} with a {delay} ms delay between requests per connection")
print()
print("| target | requests/s | p50 (ms) | p99 (ms) | p99 added vs direct (ms) | errors |")
print("|---|---:|---:|---:|---:|---|")
d99 = paced["direct"][2]
for name, (rps, p50, p99, err) in paced.items():
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {p99 - d99:+.2f} | {err or 'none'} |")
if os.path.getsize(sys.argv[5]) > 0:
    h2 = load(sys.argv[5])
    hd, hn = h2.get("direct"), h2.get("nginx")
    print()
    print("HTTP/2 with prior knowledge (h2c) from the client: bench/H2Load, 8 connections x 8 streams, closed loop (medians); proxies -> backend over HTTP/1.1")
    print()
    print("| target | requests/s | p50 (ms) | p99 (ms) | req/s vs direct h2c | req/s vs nginx | errors |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, (rps, p50, p99, err) in h2.items():
        print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio(rps, hd[0]) if hd else '-'} | {ratio(rps, hn[0]) if hn else '-'} | {err or 'none'} |")
PY
