#!/usr/bin/env bash
# Every test: native (unit + integration), the engine in headless Chromium
# through wasm-pack (WebGPU via SwiftShader and the CPU backend), and the
# widget end to end on the demo store in a real headless Chromium.
# Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase() { echo; echo "=== $* ($((SECONDS - started)) s)"; }

# No test races a clock. These are hang guards, sized for a loaded 2-core
# machine, where SwiftShader alone compiles shaders for many seconds
# (wasm-bindgen-test's default of 20 s per test is not enough there).
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-1200}"   # seconds per browser test
export VITRINE_TEST_TIMEOUT_S="${VITRINE_TEST_TIMEOUT_S:-1200}"         # the e2e suites' waits

phase "setup"
scripts/setup.sh

phase "native tests"
cargo test --release

phase "browser tests (wasm-pack test, headless Chromium)"
source scripts/wasm-env.sh
# Only the two engine suites have browser tests; the library's unit tests and
# the native-only integration files would be compiled to wasm for nothing.
wasm-pack test --headless --chrome --release -- --no-default-features --features web-tryon,webgpu --test engine --test tryon_engine

phase "widget build and end-to-end tests (real Chromium)"
scripts/build-wasm.sh
scripts/build-site.sh
(cd tests/e2e && npx tsc -p tsconfig.json && echo "widget types: ok" && node widget.test.mjs && node tryon.test.mjs)

phase "all tests passed"
