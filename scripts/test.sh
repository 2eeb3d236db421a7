#!/usr/bin/env bash
# Every test: native (unit + integration), the engine in headless Chromium
# through wasm-pack (WebGPU via SwiftShader and the CPU backend), and the
# widget end to end on the demo store in a real headless Chromium.
# Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase() { echo; echo "=== $* ($((SECONDS - started)) s)"; }

phase "setup"
scripts/setup.sh

phase "native tests"
cargo test --release

phase "browser tests (wasm-pack test, headless Chromium)"
source scripts/wasm-env.sh
wasm-pack test --headless --chrome --release -- --no-default-features --features web

phase "widget build and end-to-end tests (real Chromium)"
scripts/build-wasm.sh
scripts/build-site.sh
(cd tests/e2e && npx tsc -p tsconfig.json && echo "widget types: ok" && node widget.test.mjs && node tryon.test.mjs)

phase "all tests passed"
