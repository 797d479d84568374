#!/usr/bin/env bash
# Installs a release binary as a real systemd service and checks what docs/install.md promises, with systemd 25x as
# PID 1 of its own pid, mount and cgroup namespaces (the machine's /etc, /usr/local and /var/lib are overlaid, so
# nothing of the host changes). Network: the host's loopback.
#
# Usage: under-systemd.sh SLIPWAY_BINARY HTTP_PORT ADMIN_PORT [APP_PORTS]
# Exit 0 when every check passed; prints each check.
set -euo pipefail
binary=$(readlink -f "$1") http_port="$2" admin_port="$3" ports="${4:-20000-20999}"
[ -x "$binary" ] || { echo "under-systemd.sh: $1 is not an executable" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# Not under /tmp (the namespace has its own) nor under an overlaid directory: the binary copied here must be visible in it.
scratch=$(mktemp -d /dev/shm/slipway-systemd-test.XXXXXX)
cgroup="/sys/fs/cgroup/unified/slipway-test-$$"
[ -d /sys/fs/cgroup/unified ] || cgroup="/sys/fs/cgroup/slipway-test-$$"
init_pid=""

cleanup() {
  if [ -n "$init_pid" ] && kill -0 "$init_pid" 2>/dev/null; then
    kill -KILL "$init_pid" 2>/dev/null || true   # the namespace's PID 1: every process in it goes with it
    for _ in $(seq 1 100); do kill -0 "$init_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -d "$cgroup" ]; then find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

check() { echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
inside() { nsenter -t "$init_pid" -p -m -- "$@"; }
show() { inside systemctl show -p "$1" --value slipway.service; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what"; sleep 0.2; done
}

mkdir -p "$cgroup"
echo $$ > "$cgroup/cgroup.procs"
unshare --pid --mount --cgroup --fork --mount-proc bash "$here/boot.sh" "$scratch" >"$scratch/boot.log" 2>&1 &
unshare_pid=$!
wait_for 30 "the namespace's systemd" bash -c "pgrep -P $unshare_pid -x systemd >/dev/null"
init_pid=$(pgrep -P "$unshare_pid" -x systemd)
echo 0 > /proc/self/oom_score_adj 2>/dev/null || true
# Stay out of the test cgroup ourselves (the install runs via nsenter from here).
echo $$ > "$(dirname "$cgroup")/cgroup.procs"
wait_for 30 "systemd to be running" bash -c "nsenter -t $init_pid -p -m -- systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded'"
check "systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) runs as PID 1 of its own namespaces"

cp "$binary" "$scratch/slipway"
inside "$scratch/slipway" install --http "127.0.0.1:$http_port" --admin "127.0.0.1:$admin_port" --ports "$ports" > "$scratch/install.out"
sed 's/slw_[A-Za-z0-9_-]*/slw_***/' "$scratch/install.out"
[ "$(show ActiveState)" = active ] || fail "slipway.service is $(show ActiveState) after install"
check "slipway install started the service; systemctl start returned only after READY=1 (Type=notify)"
inside curl -sf "http://127.0.0.1:$admin_port/readyz" >/dev/null || fail "the admin API does not answer /readyz right after start"
check "the control plane answers through the edge as soon as start returned"
first_main=$(show MainPID)
[ "$(inside cat /proc/"$first_main"/cmdline | tr '\0' ' ')" = "/usr/local/bin/slipway up --home /var/lib/slipway --http 127.0.0.1:$http_port --admin 127.0.0.1:$admin_port --ports $ports " ] \
  || fail "MainPID $first_main is not slipway up"
check "MainPID $first_main is \`slipway up\`, running as $(inside ps -o user= -p "$first_main")"

# The CLI on the host finds the admin API and the token without flags (/etc/slipway/slipway.env).
inside env -u SLIPWAY_URL -u SLIPWAY_HOME -u SLIPWAY_TOKEN /usr/local/bin/slipway status >/dev/null || fail "slipway status without flags"
check "slipway status works without flags or environment"

# An app with no build step, served by the slipway binary itself.
inside mkdir -p /var/lib/hello-src
inside sh -c "cat > /var/lib/hello-src/slipway.yml" <<'SPEC'
app: hello
runtime: process
run: { command: "/usr/local/bin/slipway example-hello" }
routes: [ { host: hello.localhost, path: / } ]
probes: { health: /healthz, ready: /ready, version: /version, interval: 500ms, timeout: 5s, passes: 2, deadline: 60s }
SPEC
inside /usr/local/bin/slipway apps add /var/lib/hello-src/slipway.yml >/dev/null
inside /usr/local/bin/slipway deploy hello --from /var/lib/hello-src > "$scratch/deploy.out" || { cat "$scratch/deploy.out"; fail "deploy"; }
curl -sf -H 'Host: hello.localhost' "http://127.0.0.1:$http_port/" | grep -q "Hello from Slipway" || fail "hello is not served"
check "an app deployed under the hardened unit (ProtectSystem=strict, PrivateTmp, NoNewPrivileges, ...) serves"
app_pid=$(inside pgrep -f "slipway example-hello")

# Load through the edge while the edge is upgraded.
load() {
  local ok=0 bad=0 end=$((SECONDS + 60))
  while [ ! -e "$scratch/stop-load" ] && [ $SECONDS -lt $end ]; do
    if curl -sf -m 5 -H 'Host: hello.localhost' "http://127.0.0.1:$http_port/" >/dev/null; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  done
  echo "$ok $bad" > "$scratch/load.$1"
}
for i in 1 2 3; do load "$i" & done
sleep 1
inside /usr/local/bin/slipway edge upgrade --binary /usr/local/bin/slipway > "$scratch/upgrade.out" || { cat "$scratch/upgrade.out"; fail "edge upgrade"; }
new_edge=$(inside curl -sf --unix-socket /var/lib/slipway/edge.sock http://edge/version | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
wait_for 30 "MainPID to become the new edge ($new_edge)" bash -c "[ \"\$(nsenter -t $init_pid -p -m -- systemctl show -p MainPID --value slipway.service)\" = $new_edge ]"
check "after slipway edge upgrade systemd tracks the new edge: MainPID $first_main -> $new_edge"
wait_for 60 "the old edge to exit" bash -c "! nsenter -t $init_pid -p -m -- kill -0 $first_main 2>/dev/null"
sleep 1
touch "$scratch/stop-load"; wait
read -r ok1 bad1 < "$scratch/load.1"; read -r ok2 bad2 < "$scratch/load.2"; read -r ok3 bad3 < "$scratch/load.3"
[ $((bad1 + bad2 + bad3)) = 0 ] || fail "$((bad1 + bad2 + bad3)) requests failed during the upgrade"
check "$((ok1 + ok2 + ok3)) requests during the upgrade, 0 failed"
[ "$(show ActiveState)" = active ] || fail "the service is $(show ActiveState) after the old edge exited"
check "the service stays active after the old main process exited"

inside systemctl stop slipway.service
inside kill -0 "$new_edge" 2>/dev/null && fail "systemctl stop left the new edge running"
inside kill -0 "$app_pid" 2>/dev/null || fail "systemctl stop killed the app"
check "systemctl stop stopped the new edge (the tracked main pid); the app (pid $app_pid) keeps running (KillMode=process)"
inside systemctl start slipway.service
curl -sf -H 'Host: hello.localhost' "http://127.0.0.1:$http_port/" | grep -q "Hello from Slipway" || fail "hello is not served after a restart"
[ "$(inside pgrep -f 'slipway example-hello')" = "$app_pid" ] || fail "the app was not re-adopted"
check "systemctl start re-adopted the app (same pid $app_pid)"

main=$(show MainPID)
inside kill -KILL "$main"
wait_for 30 "Restart=on-failure to bring the service back" bash -c "[ \"\$(nsenter -t $init_pid -p -m -- systemctl show -p MainPID --value slipway.service)\" != $main ] && nsenter -t $init_pid -p -m -- systemctl is-active --quiet slipway.service"
check "a killed main process is restarted (Restart=on-failure)"

inside "$scratch/slipway" uninstall --purge > "$scratch/uninstall.out" || { cat "$scratch/uninstall.out"; fail "uninstall"; }
cat "$scratch/uninstall.out"
inside kill -0 "$app_pid" 2>/dev/null && fail "uninstall left the app running"
inside test ! -e /var/lib/slipway || fail "uninstall --purge left the home"
check "slipway uninstall --purge stopped everything and removed the home"
echo "all checks passed"
