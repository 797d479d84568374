#!/usr/bin/env bash
# PID 1 of new pid, mount and cgroup namespaces (started by under-systemd.sh): private copies of what an install
# changes, then systemd itself, starting only an empty target so none of the host's own services run.
set -euo pipefail
scratch="$1"
mount --make-rprivate /
mount -t cgroup2 none /sys/fs/cgroup
mount -t tmpfs tmpfs /run
for dir in /etc /usr/local /var/lib; do
  name=$(echo "$dir" | tr / _)
  mkdir -p "$scratch/upper$name" "$scratch/work$name"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$scratch/upper$name,workdir=$scratch/work$name" "$dir"
done
# Private /tmp and /var/tmp: a boot-time cleanup reaching the host's would delete other programs' files.
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/tmp
# The host's enabled units are not this test's business.
mount -t tmpfs tmpfs /etc/systemd/system
mkdir -p /run/systemd/system
# A unit's default dependencies pull in sysinit.target and friends; mask everything they want (tmpfiles, udev,
# journald, remounts, ...), so starting slipway.service starts only slipway.service.
for wants in /lib/systemd/system/*.target.wants /usr/lib/systemd/system/*.target.wants; do
  [ -d "$wants" ] || continue
  for unit in "$wants"/*; do ln -sf /dev/null "/run/systemd/system/$(basename "$unit")"; done
done
cat > /run/systemd/system/slipway-test.target <<'UNIT'
[Unit]
Description=Slipway test boot target
DefaultDependencies=no
UNIT
export container=slipway-test
exec /lib/systemd/systemd --system --unit=slipway-test.target
