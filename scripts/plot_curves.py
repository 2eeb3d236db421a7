#!/usr/bin/env python3
"""Plot a try-on run's curves: python3 scripts/plot_curves.py losses.csv validation.csv out.png

Left: training losses (parser cross-entropy, image L1, warp L1) against epochs.
Right: validation SSIM and garment-region PSNR per epoch. Needs matplotlib.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main(losses_csv, validation_csv, out_png):
    losses, validation = read(losses_csv), read(validation_csv)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    epochs = [float(r["epoch"]) for r in losses]
    for key in ("parse", "image", "warp"):
        left.plot(epochs, [float(r[key]) for r in losses], label=key, linewidth=1)
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_title("training losses")
    left.legend()
    if validation:
        ve = [int(r["epoch"]) for r in validation]
        right.plot(ve, [float(r["ssim"]) for r in validation], "o-", color="C0", label="SSIM")
        right.set_ylabel("validation SSIM")
        twin = right.twinx()
        twin.plot(ve, [float(r["garment_psnr"]) for r in validation], "s-", color="C1", label="garment PSNR (dB)")
        twin.set_ylabel("garment PSNR (dB)")
        right.set_xlabel("epoch")
        right.set_title("validation (own parser)")
        right.legend(loc="lower left")
        twin.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
