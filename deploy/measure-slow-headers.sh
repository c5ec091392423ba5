#!/usr/bin/env bash
# Prints how many descriptors a release `sangdam` holds while N clients (default 300) open
# a connection each, send half a request line and then nothing, for a minute: with the
# header read timeout (server.header_read_timeout_seconds, 10 s) and the per-address cap
# (256), they are closed, and the server's descriptors return to what it idles with.
# Usage: deploy/measure-slow-headers.sh [clients, default 300] [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-300}"
hold="${2:-60}"
cargo build --release -p sangdam-server --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
(cd "$dir" && exec "$OLDPWD/target/release/sangdam" serve --listen "127.0.0.1:$port" >/dev/null 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
idle=$(ls "/proc/$pid/fd" | wc -l)
python3 - "$port" "$clients" "$hold" "$pid" <<'PY'
import os, socket, sys, time
port, n, hold, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    socks.append(s)
def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))
print(f"opened {n} slow-header clients; server descriptors {fds()}", flush=True)
start = time.time()
while time.time() - start < hold:
    time.sleep(5)
    print(f"  after {time.time() - start:4.0f} s: server descriptors {fds()}", flush=True)
# How many of ours the server closed (a read returns b"" once it has).
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print(f"closed by the server: {closed} of {n}")
PY
after=$(ls "/proc/$pid/fd" | wc -l)
echo "FIGURE descriptors held by ${clients} slow-header clients after ${hold} s: $((after - idle)) (server idles with ${idle}, holds ${after})"
