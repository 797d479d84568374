#!/usr/bin/env bash
# A Docker Swarm of several "machines" on this host, for the swarm tests: one network namespace per node, joined by a
# bridge (10.77.X.0/24, the host at .1, node N at .1N), one dockerd per node started in its namespace (`nsenter --net`,
# which keeps the host's /sys and its cgroup mounts, unlike `ip netns exec`), node 1 the manager, and a registry on the
# bridge's host address that every node trusts (--insecure-registry). Nothing listens outside this bridge and the
# nodes' loopbacks. Usage:
#   swarm-rig.sh up DIR NODES   creates it under DIR (must not exist); prints manager=, registry=, node1=... lines
#   swarm-rig.sh down DIR       removes everything up created (also after a partial up); safe to run twice
set -Eeuo pipefail
cmd="$1" dir="$2"
tag=$(basename "$dir" | tr -dc 'a-z0-9' | tail -c 6)   # unique per rig; interface names stay under 15 characters

down() {
  set +e
  [ -f "$dir/nodes" ] || { rm -rf "$dir"; return 0; }
  local nodes; nodes=$(cat "$dir/nodes")
  for n in $(seq "$nodes" -1 1); do
    [ -S "$dir/n$n/docker.sock" ] && timeout 20 docker -H "unix://$dir/n$n/docker.sock" swarm leave --force >/dev/null 2>&1
  done
  for n in $(seq 1 "$nodes"); do
    [ -f "$dir/n$n/pid" ] && kill "$(cat "$dir/n$n/pid")" 2>/dev/null
  done
  [ -f "$dir/registry.pid" ] && kill "$(cat "$dir/registry.pid")" 2>/dev/null
  local deadline=$((SECONDS + 30))
  for n in $(seq 1 "$nodes"); do
    while [ -f "$dir/n$n/pid" ] && kill -0 "$(cat "$dir/n$n/pid")" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    [ -f "$dir/n$n/pid" ] && kill -KILL "$(cat "$dir/n$n/pid")" 2>/dev/null
    ip link del "slw${tag}v$n" 2>/dev/null
    ip netns del "slw$tag-n$n" 2>/dev/null
  done
  ip link del "slw$tag" 2>/dev/null
  # dockerd's exec root keeps mounts (netns, containerd state) that outlive it.
  grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$dir"
  return 0
}

if [ "$cmd" = down ]; then down; exit 0; fi
[ "$cmd" = up ] || { echo "usage: swarm-rig.sh up DIR NODES | down DIR" >&2; exit 2; }
nodes="$3"
trap 'echo "swarm-rig.sh: line $LINENO: $BASH_COMMAND failed" >&2; for n in $(seq 1 "$nodes"); do [ -f "$dir/n$n/log" ] && { echo "--- dockerd of node $n" >&2; tail -n 15 "$dir/n$n/log" >&2; }; done; down' ERR
mkdir "$dir"
echo "$nodes" > "$dir/nodes"
subnet="10.77.$(( $(printf '%d' "0x$(echo "$tag" | md5sum | cut -c1-2)") % 250 + 1 ))"
host="$subnet.1"
ip link add "slw$tag" type bridge
ip addr add "$host/24" dev "slw$tag"
ip link set "slw$tag" up
for n in $(seq 1 "$nodes"); do
  ns="slw$tag-n$n"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "slw${tag}v$n" type veth peer name eth0 netns "$ns"
  ip link set "slw${tag}v$n" master "slw$tag"
  ip link set "slw${tag}v$n" up
  ip -n "$ns" addr add "$subnet.1$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  mkdir -p "$dir/n$n"
  nsenter --net="/var/run/netns/$ns" setsid dockerd --data-root "$dir/n$n/data" --exec-root "$dir/n$n/exec" \
    -H "unix://$dir/n$n/docker.sock" --pidfile "$dir/n$n/pid" --bridge=none --iptables=false \
    --insecure-registry "$host:5000" > "$dir/n$n/log" 2>&1 < /dev/null &
done
cat > "$dir/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $dir/registry }, delete: { enabled: true } }
http: { addr: "$host:5000" }
YML
setsid docker-registry serve "$dir/registry.yml" > "$dir/registry.log" 2>&1 < /dev/null &
echo $! > "$dir/registry.pid"
for n in $(seq 1 "$nodes"); do
  for _ in $(seq 1 150); do docker -H "unix://$dir/n$n/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
  docker -H "unix://$dir/n$n/docker.sock" info >/dev/null
done
for _ in $(seq 1 100); do curl -sf "http://$host:5000/v2/" >/dev/null && break; sleep 0.1; done
curl -sf "http://$host:5000/v2/" >/dev/null
manager="docker -H unix://$dir/n1/docker.sock"
$manager swarm init --advertise-addr "$subnet.11" >/dev/null
token=$($manager swarm join-token -q worker)
for n in $(seq 2 "$nodes"); do
  docker -H "unix://$dir/n$n/docker.sock" swarm join --token "$token" "$subnet.11:2377" >/dev/null
done
for _ in $(seq 1 100); do [ "$($manager node ls --format '{{.Status}}' | grep -c Ready)" = "$nodes" ] && break; sleep 0.2; done
[ "$($manager node ls --format '{{.Status}}' | grep -c Ready)" = "$nodes" ]
echo "manager=$dir/n1/docker.sock"
echo "registry=$host:5000"
for n in $(seq 1 "$nodes"); do echo "node$n=$subnet.1$n"; done
