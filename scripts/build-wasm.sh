#!/usr/bin/env bash
# Build the browser engine into three wasm modules with their JS bindings, so
# a page downloads only what it uses (www/widget/worker.js loads them):
#   pkg/        feature web:               recommendations on the CPU (every page)
#   pkg/tryon/  feature web-tryon:         + the fitting room, CPU (when the dialog opens)
#   pkg/gpu/    features web-tryon,webgpu: both, with the WebGPU runtime
# The first two share one set of compiled burn crates, the third (and the
# browser tests) another. The name section is stripped: it is a third of a
# module and browsers do not need it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh
module() { # features, output folder
  cargo build --release --lib --target wasm32-unknown-unknown --no-default-features --features "$1"
  rm -rf "$2" && mkdir -p "$2"
  wasm-bindgen --target web --out-dir "$2" --remove-name-section --remove-producers-section \
    target/wasm32-unknown-unknown/release/vitrine.wasm
  # With its names, for scripts/wasm-size-breakdown.py (not shipped).
  cp target/wasm32-unknown-unknown/release/vitrine.wasm "$2/vitrine.named.wasm"
  echo "$2: $(du -h "$2/vitrine_bg.wasm" | cut -f1) wasm"
}
STAGE=target/wasm-modules
module web-tryon "$STAGE/tryon"
module web-tryon,webgpu "$STAGE/gpu"
module web "$STAGE/core"
rm -rf pkg && mkdir -p pkg/tryon pkg/gpu
for name in core tryon gpu; do
  dest=pkg/; [ "$name" = core ] || dest="pkg/$name/"
  cp "$STAGE/$name"/vitrine.js "$STAGE/$name"/vitrine_bg.wasm "$STAGE/$name"/*.d.ts "$dest"
done
