#!/usr/bin/env bash
# Install what the build and the tests need, once. Idempotent: each step is
# skipped when its tool is already there, so a warm machine spends seconds.
#   scripts/setup.sh          everything (wasm toolchain, Chromium, node deps)
#   scripts/setup.sh --serve  only what serving the demo needs
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock
step() { echo "[setup] $*" >&2; }

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# The downloads (Chromium, node packages) wait on the network, not the CPU:
# they run in the background while cargo compiles the tools below.
downloads=()
if [ "${1:-}" != "--serve" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "installing Chromium and ChromeDriver (in the background)"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    ( $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null ) &
    downloads+=($!)
  fi
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/typescript ]; then
    step "installing playwright-core (driving the system Chromium) and typescript (in the background)"
    (cd tests/e2e && npm ci --no-audit --no-fund --silent) &
    downloads+=($!)
  fi
fi

if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 10 minutes)"
  # Not --locked: the registry mirror lacks the locked webpki-roots version.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Brotli for the demo server's precompressed files (scripts/precompress.py).
if ! python3 -c "import brotli" 2>/dev/null; then
  step "installing the brotli Python package"
  python3 -m pip install --quiet brotli
fi
[ "${1:-}" = "--serve" ] && exit 0

if ! command -v wasm-pack >/dev/null; then
  step "installing wasm-pack (about 8 minutes)"
  cargo install wasm-pack
fi

for pid in "${downloads[@]}"; do
  wait "$pid" || { echo "[setup] a download failed (see above)" >&2; exit 1; }
done
if command -v wasm-opt >/dev/null && wasm-opt --version | grep -q 'version 1[01][0-9]'; then
  step "warning: an old Debian wasm-opt is on PATH; the build never calls it (it breaks the module)"
fi

