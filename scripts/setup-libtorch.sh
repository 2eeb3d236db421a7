#!/usr/bin/env bash
# libtorch 2.9.0 CPU (what burn-tch 0.22.1 / tch 0.22 expect) from PyPI, for
# `--features tch` training builds only (never needed by the tests or the
# demo). PyPI's torch 2.9.0 Linux wheel is the CUDA 12.8 build: libtorch_cpu.so
# in it still needs libcudart.so.12 and libcupti.so.12 (they load without a
# GPU), so those two small nvidia wheels come too; the wheel's libtorch.so
# needs the CUDA libraries, so a stub linking only libtorch_cpu + libc10
# replaces it (torch-sys always links -ltorch). About 1 GB of downloads.
# Prints the LIBTORCH directory. Idempotent.
set -euo pipefail
DIR="${1:-$(cd "$(dirname "$0")/.." && pwd)/target/libtorch}"
mkdir -p "$DIR" && cd "$DIR"
if [ ! -f libtorch-cpu/lib/libtorch.so ]; then
  pip download torch==2.9.0 nvidia-cuda-runtime-cu12==12.8.90 nvidia-cuda-cupti-cu12==12.8.90 \
    --no-deps --only-binary=:all: -d . >&2
  mkdir -p unpacked
  for w in torch-2.9.0-*.whl nvidia_cuda_runtime_cu12-12.8.90-*.whl nvidia_cuda_cupti_cu12-12.8.90-*.whl; do
    python3 -m zipfile -e "$w" unpacked/
  done
  mkdir -p libtorch-cpu/lib
  ln -sfn ../unpacked/torch/include libtorch-cpu/include
  echo "2.9.0+cu128" > libtorch-cpu/build-version
  (
    cd libtorch-cpu/lib
    for f in libc10.so libtorch_cpu.so libgomp.so.1; do ln -sfn ../../unpacked/torch/lib/$f $f; done
    ln -sfn ../../unpacked/nvidia/cuda_runtime/lib/libcudart.so.12 .
    ln -sfn ../../unpacked/nvidia/cuda_cupti/lib/libcupti.so.12 .
    echo "/* stub libtorch.so: libtorch_cpu only */" > ../stub.c
    gcc -shared -fPIC -Wl,-soname,libtorch.so -Wl,--no-as-needed -o libtorch.so ../stub.c -L. -ltorch_cpu -lc10
  )
fi
echo "$DIR/libtorch-cpu"
