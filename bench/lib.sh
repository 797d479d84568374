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
