#!/usr/bin/env bash
# Build the browser engine (feature `web`) to wasm32 and generate its JS
# bindings into pkg/. Size-optimised; the name section is stripped because it
# is a third of the module and browsers do not need it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh
cargo build --release --lib --target wasm32-unknown-unknown --no-default-features --features web
wasm-bindgen --target web --out-dir pkg --remove-name-section --remove-producers-section \
  target/wasm32-unknown-unknown/release/vitrine.wasm
echo "pkg/: $(du -h pkg/vitrine_bg.wasm | cut -f1) wasm"
