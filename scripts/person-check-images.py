#!/usr/bin/env python3
"""Write scikit-image's sample images that show no person into a folder, as
PNG, for `vitrine person-check --not-people DIR` (the person check must refuse
them). Left out on purpose: astronaut and camera (people), lfw_subset (faces).
Usage: scripts/person-check-images.py OUT_DIR  (needs scikit-image and Pillow;
pip install scikit-image)."""
import os
import sys

import numpy as np
from PIL import Image
from skimage import data

NO_PERSON = [
    "brick", "cell", "chelsea", "checkerboard", "clock", "coffee", "coins", "colorwheel", "grass",
    "gravel", "horse", "hubble_deep_field", "immunohistochemistry", "logo", "microaneurysms", "moon",
    "page", "retina", "rocket", "text",
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in NO_PERSON:
        image = np.asarray(getattr(data, name)())
        if image.dtype == bool:
            image = image.astype(np.uint8) * 255
        if image.dtype != np.uint8:
            image = (255 * (image - image.min()) / max(float(image.max() - image.min()), 1e-9)).astype(np.uint8)
        if image.ndim == 3 and image.shape[2] == 4:
            image = image[:, :, :3]
        Image.fromarray(image).convert("RGB").save(os.path.join(out_dir, f"{name}.png"))
    print(f"{len(NO_PERSON)} images in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/person-check/skimage")
