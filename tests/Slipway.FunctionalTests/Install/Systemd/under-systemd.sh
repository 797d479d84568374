#!/usr/bin/env bash
# Installs a release binary as a real systemd service and checks what docs/install.md promises, with systemd 25x as
# PID 1 of its own pid, mount and cgroup namespaces (the machine's /etc, /usr/local and /var/lib are overlaid, so
# nothing of the host changes). Network: the host's loopback.
#
# Usage: under-systemd.sh SLIPWAY_BINARY HTTP_PORT ADMIN_PORT [APP_PORTS]
#   SLIPWAY_SYSTEMD_WORK  the scratch directory to create (default: a new /dev/shm/slipway-systemd-test.XXXXXX); its
#                         name is also the cgroup's, so a caller that had to kill this script can remove both.
# Exit 0 when every check passed. Prints each check with the time since the start; on a failure, what systemd, the
# service and its log say. Everything it creates (namespaces, mounts, processes, cgroup, files) is gone when it exits,
# also on a failure, SIGTERM or SIGINT.
set -Eeuo pipefail
binary=$(readlink -f "$1") http_port="$2" admin_port="$3" ports="${4:-20000-20999}"
[ -x "$binary" ] || { echo "under-systemd.sh: $1 is not an executable" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
started=${EPOCHREALTIME/./}
# Not under /tmp (the namespace has its own) nor under an overlaid directory: the binary copied here must be visible in it.
if [ -n "${SLIPWAY_SYSTEMD_WORK:-}" ]; then scratch="$SLIPWAY_SYSTEMD_WORK"; mkdir "$scratch"; else scratch=$(mktemp -d /dev/shm/slipway-systemd-test.XXXXXX); fi
cgroup_root=/sys/fs/cgroup/unified
[ -d "$cgroup_root" ] || cgroup_root=/sys/fs/cgroup
cgroup="$cgroup_root/$(basename "$scratch")"
init_pid="" loaders=()

elapsed() { local ms=$(( (${EPOCHREALTIME/./} - started) / 1000 )); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); }
check() { echo "ok [$(elapsed)]: $*"; }
fail() { echo "FAILED [$(elapsed)]: $*" >&2; exit 1; }
trap 'echo "FAILED [$(elapsed)]: line $LINENO: $BASH_COMMAND" >&2' ERR
# Every command in the namespace is bounded: a hung one fails the run instead of holding it.
inside() { nsenter -t "$init_pid" -p -m -- timeout --kill-after=5 90 "$@"; }
show() { inside systemctl show -p "$1" --value slipway.service; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do [ $SECONDS -lt $deadline ] || fail "timed out after $1 s waiting for $what"; sleep 0.2; done
}

diagnose() {
  echo "--- diagnostics (the run failed)"
  for file in install.out deploy.out self-deploy.out upgrade.out uninstall.out; do
    [ -s "$scratch/$file" ] && { echo "--- $file"; sed 's/slw_[A-Za-z0-9_-]*/slw_***/' "$scratch/$file"; }
  done
  if [ -n "$init_pid" ] && kill -0 "$init_pid" 2>/dev/null; then
    echo "--- systemctl status slipway.service"; inside systemctl status --no-pager --full slipway.service 2>&1 || true
    echo "--- processes in the namespace"; inside ps -eo pid,ppid,user,stat,etime,args 2>&1 || true
    echo "--- /var/lib/slipway/logs/edge.log (last 60 lines)"; inside tail -n 60 /var/lib/slipway/logs/edge.log 2>&1 || true
  fi
  echo "--- boot.sh and systemd's own output"; tail -n 60 "$scratch/boot.log" 2>&1 || true
}

cleanup() {
  local status=$?
  # A signal can reach a command substitution's subshell, which has these traps too: only the script itself tears down.
  [ "$BASHPID" = $$ ] || exit $status
  # A trap runs with the redirections of the command it interrupted (`inside ... >/dev/null`): back to the script's own.
  exec 1>&3 2>&4
  trap - ERR
  set +e
  [ $status = 0 ] || diagnose
  touch "$scratch/stop-load"
  [ ${#loaders[@]} = 0 ] || kill "${loaders[@]}" 2>/dev/null
  # Every process of the namespace is in the cgroup (systemd, the service, the apps): kill them all at once. The
  # mounts go with the mount namespace when its last process has exited.
  if [ -d "$cgroup" ]; then
    echo 1 2>/dev/null > "$cgroup/cgroup.kill" || { [ -z "$init_pid" ] || kill -KILL "$init_pid" 2>/dev/null; }
    local deadline=$((SECONDS + 30))
    while grep -q '^populated 1' "$cgroup/cgroup.events" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ ! -d "$cgroup" ] || echo "under-systemd.sh: could not remove $cgroup" >&2
  fi
  [ ${#loaders[@]} = 0 ] || wait "${loaders[@]}" 2>/dev/null
  rm -rf "$scratch"
  echo "teardown done [$(elapsed)]"
  exit $status
}
exec 3>&1 4>&2
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

mkdir "$cgroup"
echo $$ > "$cgroup/cgroup.procs"
unshare --pid --mount --cgroup --fork --mount-proc bash "$here/boot.sh" "$scratch" >"$scratch/boot.log" 2>&1 &
unshare_pid=$!
# Back out of the test cgroup at once: only the namespace belongs in it.
echo $$ > "$cgroup_root/cgroup.procs"
wait_for 30 "the namespace's systemd" bash -c "pgrep -P $unshare_pid -x systemd >/dev/null"
init_pid=$(pgrep -P "$unshare_pid" -x systemd)
wait_for 30 "systemd to be running" bash -c "nsenter -t $init_pid -p -m -- systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded'"
check "systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) runs as PID 1 of its own namespaces (pid $init_pid outside)"

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
inside /usr/local/bin/slipway deploy hello --from /var/lib/hello-src > "$scratch/deploy.out" || fail "deploy"
served() { local body; body=$(curl -sf -m 5 -H 'Host: hello.localhost' "http://127.0.0.1:$http_port/") && [[ $body == "Hello from Slipway"* ]]; }
served || fail "hello is not served"
check "an app deployed under the hardened unit (ProtectSystem=strict, PrivateTmp, NoNewPrivileges, ...) serves"
app_pid=$(inside pgrep -xf "/usr/local/bin/slipway example-hello")

# Load through the edge while the edge is upgraded: each client counts its answers in a file as it goes, and stops
# when asked, after 120 s, or when this script is gone.
load() {
  local ok=0 bad=0 end=$((SECONDS + 120)) parent=$$
  while [ ! -e "$scratch/stop-load" ] && [ $SECONDS -lt $end ] && kill -0 "$parent" 2>/dev/null; do
    local code rc=0
    code=$(curl -sS -m 5 -o "$scratch/body.$1" -w '%{http_code}' -H 'Host: hello.localhost' "http://127.0.0.1:$http_port/" 2>>"$scratch/failures.$1") || rc=$?
    if [ $rc = 0 ] && [ "$code" = 200 ] && grep -q "^Hello from Slipway" "$scratch/body.$1"; then ok=$((ok + 1)); else
      bad=$((bad + 1)); echo "$(date +%T.%N) request $((ok + bad)) of client $1: curl exit $rc, HTTP $code, body $(head -c 200 "$scratch/body.$1" 2>/dev/null)" >> "$scratch/failures.$1"
    fi
    echo "$ok $bad" > "$scratch/load.$1.new" && mv "$scratch/load.$1.new" "$scratch/load.$1"
  done
}
answers() { cat "$scratch"/load.[0-9] 2>/dev/null | awk -v col="$1" '{ n += $col } END { print n + 0 }'; }
for i in 1 2 3; do load "$i" & loaders+=($!); done
wait_for 30 "20 answers under load before the upgrade" bash -c "[ \$(cat $scratch/load.[0-9] 2>/dev/null | awk '{ n += \$1 } END { print n + 0 }') -ge 20 ]"

# The control plane moves to the release binary without the SDK (self-deploy --binary) while apps and the admin API
# are under load; the unit's main process (the edge) does not change, so systemd hears nothing.
admin_load() {
  local ok=0 bad=0 end=$((SECONDS + 120)) parent=$$ token
  token=$(nsenter -t "$init_pid" -p -m -- cat /var/lib/slipway/admin.token)
  while [ ! -e "$scratch/stop-admin" ] && [ $SECONDS -lt $end ] && kill -0 "$parent" 2>/dev/null; do
    if curl -sf -m 10 -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$admin_port/api/v1/apps" 2>>"$scratch/admin-failures"; then ok=$((ok + 1)); else
      bad=$((bad + 1)); echo "$(date +%T.%N) admin read $((ok + bad)) failed" >> "$scratch/admin-failures"; fi
    echo "$ok $bad" > "$scratch/admin.new" && mv "$scratch/admin.new" "$scratch/admin"
  done
}
admin_load & admin_loader=$!; loaders+=($admin_loader)
old_server=$(inside pgrep -f "slipway server --home /var/lib/slipway" | head -1)
inside /usr/local/bin/slipway self-deploy --binary /usr/local/bin/slipway > "$scratch/self-deploy.out" || { cat "$scratch/self-deploy.out"; fail "self-deploy --binary"; }
touch "$scratch/stop-admin"; wait "$admin_loader"
read -r admin_ok admin_bad < "$scratch/admin"
[ "$admin_bad" = 0 ] || { cat "$scratch/admin-failures"; fail "$admin_bad of $((admin_ok + admin_bad)) admin reads failed during the self-deploy"; }
new_server=$(inside pgrep -xf "./slipway server --home /var/lib/slipway --listen 127.0.0.1:[0-9]* --edge-socket /var/lib/slipway/edge.sock --ports $ports")
[ -n "$new_server" ] && [ "$new_server" != "$old_server" ] || fail "no control plane runs the release binary after self-deploy (was pid $old_server)"
release_dir=$(inside readlink "/proc/$new_server/cwd")
[[ $release_dir == /var/lib/slipway/releases/slipway/* ]] || fail "the new control plane runs in $release_dir, not a release directory"
inside /usr/local/bin/slipway version | grep -q "revision binary-" || fail "slipway version does not show the binary release: $(inside /usr/local/bin/slipway version)"
[ "$(show MainPID)" = "$first_main" ] || fail "self-deploy changed the unit's MainPID"
check "slipway self-deploy --binary moved the control plane ($old_server -> $new_server, in $release_dir), nothing built: $(grep -o 'succeeded in [0-9.]* s' "$scratch/self-deploy.out"); $admin_ok admin reads, 0 failed; MainPID unchanged"

inside /usr/local/bin/slipway edge upgrade --binary /usr/local/bin/slipway > "$scratch/upgrade.out" || fail "edge upgrade"
check "slipway edge upgrade returned under load ($(answers 1) answers so far)"
new_edge=$(inside curl -sf --unix-socket /var/lib/slipway/edge.sock http://edge/version | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
[ -n "$new_edge" ] && [ "$new_edge" != "$first_main" ] || fail "the edge socket names pid '$new_edge' after the upgrade (the old edge was $first_main)"
wait_for 30 "MainPID to become the new edge ($new_edge)" bash -c "[ \"\$(nsenter -t $init_pid -p -m -- systemctl show -p MainPID --value slipway.service)\" = $new_edge ]"
check "after slipway edge upgrade systemd tracks the new edge: MainPID $first_main -> $new_edge"
wait_for 60 "the old edge to exit" bash -c "! nsenter -t $init_pid -p -m -- kill -0 $first_main 2>/dev/null"
# Requests the new edge alone answered, before the load stops.
after_exit=$(answers 1)
wait_for 30 "20 more answers from the new edge alone" bash -c "[ \$(cat $scratch/load.[0-9] 2>/dev/null | awk '{ n += \$1 } END { print n + 0 }') -ge $((after_exit + 20)) ]"
touch "$scratch/stop-load"; wait "${loaders[@]}"; loaders=()
[ "$(answers 2)" = 0 ] || { cat "$scratch"/failures.[0-9]; inside tail -n 40 /var/lib/slipway/logs/edge.log; fail "$(answers 2) of $(($(answers 1) + $(answers 2))) requests failed during the upgrade"; }
check "$(answers 1) app requests during the self-deploy and the edge upgrade, 0 failed"
[ "$(show ActiveState)" = active ] || fail "the service is $(show ActiveState) after the old edge exited"
check "the service stays active after the old main process exited"

inside systemctl stop slipway.service
! inside kill -0 "$new_edge" 2>/dev/null || fail "systemctl stop left the new edge running"
inside kill -0 "$app_pid" 2>/dev/null || fail "systemctl stop killed the app"
stop_status=$(show ExecStop | sed -n 's/.*code=\([a-z]*\) ; status=\([0-9]*\).*/\1 \2/p')
[ "$stop_status" = "exited 0" ] || fail "the unit's ExecStop= did not exit 0: $(show ExecStop)"
check "systemctl stop returned once the new edge (the tracked main pid) had exited (ExecStop= waited for it); the app (pid $app_pid) keeps running (KillMode=process)"
inside systemctl start slipway.service
wait_for 30 "hello to be served after the restart" served
[ "$(inside pgrep -xf '/usr/local/bin/slipway example-hello')" = "$app_pid" ] || fail "the app was not re-adopted"
check "systemctl start re-adopted the app (same pid $app_pid)"

main=$(show MainPID)
inside kill -KILL "$main"
wait_for 30 "Restart=on-failure to bring the service back" bash -c "[ \"\$(nsenter -t $init_pid -p -m -- systemctl show -p MainPID --value slipway.service)\" != $main ] && nsenter -t $init_pid -p -m -- systemctl is-active --quiet slipway.service"
check "a killed main process (pid $main) is restarted (Restart=on-failure): MainPID $(show MainPID), $(show NRestarts) restart"
wait_for 30 "hello to be served after the restart" served
check "hello is served after the restart"

inside "$scratch/slipway" uninstall --purge > "$scratch/uninstall.out" || fail "uninstall"
cat "$scratch/uninstall.out"
! inside kill -0 "$app_pid" 2>/dev/null || fail "uninstall left the app running"
inside test ! -e /var/lib/slipway || fail "uninstall --purge left the home"
check "slipway uninstall --purge stopped everything and removed the home"
echo "all checks passed [$(elapsed)]"
