#!/usr/bin/env bash
# Edge proxy cost: the same wrk client against the backend directly, through the Slipway edge, and through
# nginx and caddy (when installed) as plain reverse proxies. Loopback only; bounded duration.
#   bench/edge-proxy.sh                      # 10 s per target, 2 threads, 64 connections
#   DURATION=5s CONNECTIONS=32 bench/edge-proxy.sh
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-3s}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t slipway-edge-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ -n "${KEEP_BENCH_DIR:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no answer from $1" >&2
    tail -n 20 "$work"/*.log >&2 2>/dev/null || true
    return 1
}

echo "building Release backend and edge host..." >&2
dotnet build -c Release "$root/bench/Backend" -o "$work/backend" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/EdgeBench" -o "$work/edge" -v quiet -nologo >/dev/null

backend_port=$(free_port)
dotnet "$work/backend/Backend.dll" --urls "http://127.0.0.1:$backend_port" >"$work/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$backend_port/"

edge_port=$(free_port)
dotnet "$work/edge/EdgeBench.dll" "http://127.0.0.1:$edge_port" "http://127.0.0.1:$backend_port" >"$work/edge.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$edge_port/"

targets=("direct http://127.0.0.1:$backend_port/" "slipway-edge http://127.0.0.1:$edge_port/")

if command -v nginx >/dev/null; then
    nginx_port=$(free_port)
    mkdir -p "$work/nginx/logs"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream backend { server 127.0.0.1:$backend_port; keepalive 128; }
    server {
        listen 127.0.0.1:$nginx_port;
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
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$nginx_port/"
    targets+=("nginx http://127.0.0.1:$nginx_port/")
fi

if command -v caddy >/dev/null; then
    caddy_port=$(free_port)
    cat >"$work/Caddyfile" <<CADDY
{
    admin off
    auto_https off
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
fi

results="$work/results.tsv"
: >"$results"
for entry in "${targets[@]}"; do
    name=${entry%% *}
    url=${entry#* }
    echo "measuring $name ($url)..." >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$work/$name.wrk"
    python3 - "$name" "$work/$name.wrk" >>"$results" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Socket errors:.*|Non-2xx or 3xx responses: \d+", text)
print(f"{name}\t{rps}\t{p50}\t{p99}\t{errors.group(0) if errors else ''}")
PY
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up), GET / of a 33-byte answer, loopback"
echo
python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
by = {r[0]: (float(r[1]), float(r[2]), float(r[3]), r[4]) for r in rows}
direct = by.get("direct")
nginx = by.get("nginx")
def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"
print("| target | requests/s | p50 (ms) | p99 (ms) | req/s vs direct | req/s vs nginx | p99 vs nginx | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for name, (rps, p50, p99, err) in by.items():
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio(rps, direct[0])} | "
          f"{ratio(rps, nginx[0]) if nginx else '-'} | {ratio(p99, nginx[2]) if nginx else '-'} | {err or 'none'} |")
PY
