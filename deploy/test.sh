#!/usr/bin/env bash
# The whole test suite, as CI runs it: the web client's unit tests and a syntax check of
# every module, formatting, lints, then every test — the core's state machines, the
# integration tests against the real server (webrtc-rs peers), and the browser tests
# (headless Chromium with a fake camera and microphone).
#
# Needs: Node 20 or later (no packages), the Rust toolchain, and Chromium at
# /usr/bin/chromium (or $CHROMIUM).
# `.ci/run` installs what a fresh machine lacks, then calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== node --test web/test/"
node --test web/test/
echo "== node --check web/js"
for f in $(find web/js -name '*.js' | sort); do node --check "$f"; done
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc (every link in the docs resolves)"
RUSTDOCFLAGS="-D warnings -A rustdoc::private-intra-doc-links" \
  cargo doc --workspace --no-deps --document-private-items --locked --quiet
echo "== cargo test"
cargo test --workspace --locked
