#!/usr/bin/env bash
# Runs the demo fair on two nodes sharing one private Redis, to try multi-node by hand:
# open the buyer link on one node's port and the vendor link on the other's.
# Each node runs its own TURN relay (3478 and 3479). Stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sangdam-server --quiet
work=$(mktemp -d)
redis_port=${REDIS_PORT:-6390}
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
redis_pid=$!
# One fair for both nodes: write the demo once, with its live round a minute from now.
start=$(TZ=Asia/Seoul date -d '+2 minutes' '+%Y-%m-%d %H:%M')
./target/release/sangdam demo --out "$work/fair" --start "$start" >/dev/null
export SANGDAM_REDIS_URL="redis://127.0.0.1:$redis_port/"
export SANGDAM_SECRET=${SANGDAM_SECRET:-$(head -c 24 /dev/urandom | base64)}
export SANGDAM_FAIR_DIR="$work/fair"
trap 'kill $redis_pid $a $b 2>/dev/null; rm -rf "$work"' EXIT
(cd "$work" && SANGDAM_TURN__LISTEN=127.0.0.1:3478 exec "$OLDPWD/target/release/sangdam" serve --listen 127.0.0.1:8081) &
a=$!
(cd "$work" && SANGDAM_TURN__LISTEN=127.0.0.1:3479 exec "$OLDPWD/target/release/sangdam" serve --listen 127.0.0.1:8082) &
b=$!
echo "node A: http://127.0.0.1:8081  node B: http://127.0.0.1:8082 (links above; swap the port to cross nodes)"
wait
