#!/usr/bin/env bash
# Prints the resident memory of an idle `sangdam` serving the demo fair (576 meetings, 260
# participants, the room scheduler running and the first slot's rooms open).
# Usage: deploy/measure-idle.sh [seconds to settle, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
settle="${1:-5}"
cargo build --release -p sangdam-server --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/release/sangdam serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
sleep "$settle"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "FIGURE idle resident memory with the demo fair loaded: ${rss} KiB (peak ${hwm} KiB) after ${settle} s"
