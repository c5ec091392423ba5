#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every test — the core's state
# machines, the integration tests against the real server (webrtc-rs peers), and the
# browser tests (headless Chromium with a fake camera and microphone).
#
# Needs: the Rust toolchain, and Chromium at /usr/bin/chromium (or $CHROMIUM).
# `.ci/run` installs what a fresh machine lacks, then calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc (every link in the docs resolves)"
RUSTDOCFLAGS="-D warnings -A rustdoc::private-intra-doc-links" \
  cargo doc --workspace --no-deps --document-private-items --locked --quiet
echo "== cargo test"
cargo test --workspace --locked
