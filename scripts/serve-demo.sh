#!/usr/bin/env bash
# Build everything and serve the demo store on http://127.0.0.1:${PORT:-8080}/demo/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --serve
cargo build --release
scripts/build-wasm.sh
scripts/build-site.sh
exec python3 scripts/serve.py --port "${PORT:-8080}" target/site
