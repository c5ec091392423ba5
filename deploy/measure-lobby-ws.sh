#!/usr/bin/env bash
# Prints the `sangdam` server's resident memory per idle lobby WebSocket: the release server
# as a separate process on a free 127.0.0.1 port, N vendors connected to /ws/lobby after
# `hello` (default 10,000), VmRSS before and after. See tests/src/bin/ws-memory.rs.
# Usage: deploy/measure-lobby-ws.sh [connections, default 10000] [seconds idle, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
connections="${1:-10000}"
settle="${2:-10}"
# Both processes need a descriptor per connection (the tool raises its limit too, if allowed).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release -p sangdam-server --quiet
cargo build --release -p sangdam-tests --bin ws-memory --quiet
exec ./target/release/ws-memory --connections "$connections" --settle "$settle" \
  --server ./target/release/sangdam
