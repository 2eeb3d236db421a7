#!/usr/bin/env python3
"""Where a wasm module's bytes go, by Rust crate: the README's size breakdown.

Usage: python3 scripts/wasm-size-breakdown.py MODULE.wasm [--top 12]

MODULE.wasm must still carry its name section (the cargo output in
target/wasm32-unknown-unknown/release/, before wasm-bindgen strips it). Reads
`twiggy top` (install: `cargo install twiggy`) and sums the shallow size of
every function and data item by the crate its demangled name starts with
(`<burn_flex::ops::X as T>::f` counts for burn_flex; a generic instantiated
from another crate counts where its path starts, e.g. alloc for Vec<T>
methods); items without a Rust path (data segments, tables, exports) are
grouped by their kind; the name section and wasm-bindgen's metadata, which the
shipped module does not carry, are left out.
"""

import argparse
import csv
import io
import re
import subprocess
from collections import Counter

# A leading path, optionally in `<...>` / `&` / `dyn`, with an optional
# disambiguator hash (`core[c5930c85a12de822]::num::...`).
CRATE = re.compile(r"^[<&\s]*(?:dyn\s+|mut\s+)?([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::")


def group(name: str) -> str | None:
    """The crate or kind an item counts for; None for what the shipped module does not carry."""
    if name.startswith('"function names"') or name.startswith("custom section"):
        return None  # the name section and wasm-bindgen's metadata: removed by wasm-bindgen
    match = CRATE.match(name)
    if match:
        return match.group(1)
    if name.startswith("data segment"):
        return "(data segments: constants, strings)"
    for kind in ("export", "import", "type", "table", "elem", "code", "global", "memory"):
        if name.startswith(kind):
            return f"({kind} entries)"
    return "(other)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    out = subprocess.run(["twiggy", "top", "-n", "1000000", "--format", "csv", args.module], check=True, capture_output=True, text=True).stdout
    sizes: Counter = Counter()
    total = 0
    for row in csv.DictReader(io.StringIO(out)):
        name, size = row["Name"], int(row["ShallowSize"])
        crate = group(name)
        if name.startswith("Σ") or name.startswith("...") or crate is None:
            continue
        sizes[crate] += size
        total += size
    print(f"| crate (or kind) | bytes | share |\n|---|---|---|")
    for crate, size in sizes.most_common(args.top):
        print(f"| {crate} | {size / 1e3:,.0f} kB | {100 * size / total:.1f} % |")
    rest = total - sum(size for _, size in sizes.most_common(args.top))
    print(f"| everything else ({max(0, len(sizes) - args.top)} more) | {rest / 1e3:,.0f} kB | {100 * rest / total:.1f} % |")
    print(f"| **total** (as shipped: without the name section and wasm-bindgen's metadata) | {total / 1e3:,.0f} kB | 100 % |")


if __name__ == "__main__":
    main()
