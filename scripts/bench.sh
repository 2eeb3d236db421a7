#!/usr/bin/env bash
# Print the README's benchmark table: the amazon-beauty model in headless
# Chromium (time to first recommendation cold and cached, per-call latency on
# WebGPU and CPU), wasm/JS sizes, model bytes, native training throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release
scripts/build-wasm.sh
scripts/build-site.sh
cd tests/e2e && node bench-weight.mjs && node bench.mjs && node bench-tryon.mjs
