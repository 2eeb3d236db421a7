"""Write a Brotli copy (FILE.br, quality 11) beside every compressible file of
the site, as a static host or CDN keeps precompressed assets: scripts/serve.py
sends it to browsers that accept `br` (gzip otherwise). Brotli at quality 11
makes the WebGPU engine module 1.96 MB against gzip -9's 3.18 MB, but takes
about a minute for it, so results are cached by content hash in
target/brotli-cache and a rebuild of unchanged files costs nothing.
Without the `brotli` package (scripts/setup.sh installs it) nothing is
written and the server sends gzip."""

import hashlib
import os
import sys

from serve import COMPRESSIBLE  # the files the demo server compresses, one list for both
CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "brotli-cache")


def main(root):
    try:
        import brotli
    except ImportError:
        print("precompress: no brotli module (pip install brotli); the server will send gzip", file=sys.stderr)
        return
    os.makedirs(CACHE, exist_ok=True)
    written = compressed = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(COMPRESSIBLE):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            cached = os.path.join(CACHE, hashlib.sha256(data).hexdigest() + ".br")
            if not os.path.exists(cached):
                with open(cached + ".tmp", "wb") as f:
                    f.write(brotli.compress(data, quality=11))
                os.replace(cached + ".tmp", cached)
                compressed += 1
            with open(cached, "rb") as src, open(path + ".br", "wb") as dst:
                dst.write(src.read())
            written += 1
    print(f"precompress: {written} .br files in {root} ({compressed} compressed now, the rest from the cache)")


if __name__ == "__main__":
    main(sys.argv[1])
