#!/usr/bin/env bash
# Build the trainer with libtorch's CPU kernels (`--features tch`, plus ndarray
# for `vitrine bench-backends`) into
# target/tch, apart from the main build so neither invalidates the other.
# Run it as: LD_LIBRARY_PATH=$LIBTORCH/lib target/tch/release/vitrine train-tryon --backend tch ...
# (the script prints that line). LIBTORCH_HOME reuses an existing download.
set -euo pipefail
cd "$(dirname "$0")/.."
LIBTORCH="$(scripts/setup-libtorch.sh ${LIBTORCH_HOME:+"$LIBTORCH_HOME"})"
export LIBTORCH
CARGO_TARGET_DIR=target/tch cargo build --release --features tch,ndarray --bin vitrine
echo "LD_LIBRARY_PATH=$LIBTORCH/lib target/tch/release/vitrine train-tryon --backend tch ..."
