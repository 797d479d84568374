# Shared by the bench scripts (sourced, not run).

# The app processes are supervised by the edge and outlive `slipway up`: stop them by id through the edge's
# control socket (path in $1) before stopping `slipway up`. The control plane (`slipway`) is left to `up`.
stop_apps() {
  local sock="$1"
  [ -S "$sock" ] || return 0
  for id in $(curl -s --max-time 5 --unix-socket "$sock" http://edge/processes |
      python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin)]' 2>/dev/null); do
    [ "$id" = slipway ] && continue
    curl -s --max-time 10 --unix-socket "$sock" -X DELETE "http://edge/processes/$id?graceMs=2000" >/dev/null || true
  done
}

# For the proxy benches: the scripts keep their process ids in "pids" and their files in "$work".
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# wait_http URL [CURL_ARGS...]: e.g. `wait_http https://127.0.0.1:PORT/ -k` for a self-signed listener.
wait_http() {
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "${@:2}" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  tail -n 20 "$work"/*.log >&2 2>/dev/null || true
  return 1
}
stop_pids_and_clean() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP_BENCH_DIR:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

# The head of the nginx.conf both proxy benches use: one worker per core, temp paths under "$work", no access log,
# and a keep-alive upstream to the backend on port $1. The caller appends its server block and the closing brace.
nginx_conf_head() {
  cat <<NGINX
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
    upstream backend { server 127.0.0.1:$1; keepalive 128; }
NGINX
}
