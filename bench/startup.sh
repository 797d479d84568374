#!/usr/bin/env bash
# Size and start-up time of release artifacts (docs/benchmarks.md, "Release binaries").
#   bench/startup.sh BINARY [RUNS]
# Prints the file size, the median wall time of `BINARY version` (CLI start, server unreachable) over RUNS runs, and
# the time from starting `BINARY up` on a fresh home to READY=1 on a notify socket (edge listening, control plane
# answering /readyz through it), median of 3. Listens on loopback only; stops what it starts.
set -euo pipefail
binary=$(readlink -f "$1"); runs="${2:-10}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "binary: $binary ($(stat -c %s "$binary") bytes)"
python3 - "$binary" "$runs" "$work" <<'PY'
import os, socket, statistics, subprocess, sys, time, signal
binary, runs, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = []
for _ in range(runs):
    t = time.monotonic()
    subprocess.run([binary, "version", "--url", "http://127.0.0.1:1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.monotonic() - t)
print(f"cli `version`: median {statistics.median(times)*1000:.0f} ms, min {min(times)*1000:.0f} ms over {runs} runs")
ready = []
for i in range(3):
    home = os.path.join(work, f"home{i}"); path = os.path.join(work, f"notify{i}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); sock.bind(path); sock.settimeout(120)
    ports = []
    for _ in range(2):
        s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
    env = dict(os.environ, NOTIFY_SOCKET=path)
    t = time.monotonic()
    p = subprocess.Popen([binary, "up", "--home", home, "--http", f"127.0.0.1:{ports[0]}", "--admin", f"127.0.0.1:{ports[1]}",
                          "--ports", f"{23000 + i * 100}-{23099 + i * 100}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while b"READY=1" not in sock.recv(4096):
        pass
    ready.append(time.monotonic() - t)
    p.send_signal(signal.SIGTERM); p.wait(60); sock.close()
print(f"`up` to READY=1: median {statistics.median(ready)*1000:.0f} ms ({', '.join(f'{r*1000:.0f}' for r in ready)} ms)")
PY
