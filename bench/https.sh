#!/usr/bin/env bash
# HTTPS through the edge against nginx with the same certificate (ECDSA P-256) and the same backend:
#   1. keep-alive throughput: wrk over TLS, connections reused;
#   2. new-handshake rate: wrk with `Connection: close`, so every request is a new TCP connection and a full
#      TLS handshake (wrk does not resume sessions).
# Loopback only; bounded duration. Both proxies take turns in rounds; medians printed.
#   bench/https.sh
#   DURATION=5s ROUNDS=3 CONNECTIONS=64 bench/https.sh
set -euo pipefail

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
HANDSHAKE_CONNECTIONS=${HANDSHAKE_CONNECTIONS:-16}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t slipway-https-bench.XXXXXX)
pids=()
. "$root/bench/lib.sh"
trap stop_pids_and_clean EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is required (apt-get install -y nginx)" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench.test" \
    -addext "subjectAltName=DNS:bench.test,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

echo "building Release backend and edge host..." >&2
dotnet build -c Release "$root/bench/Backend" -o "$work/backend" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/bench/EdgeBench" -o "$work/edge" -v quiet -nologo >/dev/null

backend_port=$(free_port)
dotnet "$work/backend/Backend.dll" --urls "http://127.0.0.1:$backend_port" >"$work/backend.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$backend_port/"

edge_http=$(free_port)
edge_https=$(free_port)
dotnet "$work/edge/EdgeBench.dll" "127.0.0.1:$edge_http" "http://127.0.0.1:$backend_port" "$work/edge-home" \
    --https "127.0.0.1:$edge_https" "$work/cert.pem" "$work/key.pem" >"$work/edge.log" 2>&1 &
pids+=($!)
wait_http "https://127.0.0.1:$edge_https/" -k

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
{ nginx_conf_head "$backend_port"; cat <<NGINX
    server {
        listen 127.0.0.1:$nginx_port ssl http2;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
        }
    }
}
NGINX
} >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
pids+=($!)
wait_http "https://127.0.0.1:$nginx_port/" -k

targets=("slipway-edge https://127.0.0.1:$edge_https/" "nginx https://127.0.0.1:$nginx_port/")
# The HTTP version each one negotiates with curl by ALPN (wrk itself speaks HTTP/1.1 over TLS).
for t in "${targets[@]}"; do
    set -- $t
    echo "$1: curl negotiates HTTP/$(curl -ksS -o /dev/null -w '%{http_version}' "$2")" >&2
done

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$1" | tr '\n' ' '; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for mode in keepalive handshake; do
    for t in "${targets[@]}"; do
        set -- $t
        : >"$work/$1-$mode.rps"
    done
    for round in $(seq 1 "$ROUNDS"); do
        for t in "${targets[@]}"; do
            set -- $t
            if [[ $mode == keepalive ]]; then
                wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$2" >"$work/out" 2>&1
            else
                wrk -t"$THREADS" -c"$HANDSHAKE_CONNECTIONS" -d"$DURATION" -H "Connection: close" "$2" >"$work/out" 2>&1
            fi
            rps "$work/out" >>"$work/$1-$mode.rps"
            echo "round $round $mode $1: $(rps "$work/out") req/s $(errors "$work/out")" >&2
        done
    done
done

echo
echo "| mode | target | requests/s (median of $ROUNDS) | vs nginx |"
echo "|---|---|---:|---:|"
for mode in keepalive handshake; do
    nginx_rps=$(median <"$work/nginx-$mode.rps")
    for t in "${targets[@]}"; do
        set -- $t
        value=$(median <"$work/$1-$mode.rps")
        printf '| %s | %s | %.0f | %.2f |\n' "$mode" "$1" "$value" "$(echo "$value / $nginx_rps" | bc -l)"
    done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
