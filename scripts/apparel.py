#!/usr/bin/env python3
"""Copy the demo's apparel from the synthetic test split: 8 garments, 4 sample models.

python3 scripts/apparel.py ../shared/data/tryon/synthetic-v1/test target/site/demo/apparel
"""
import json
import os
import shutil
import sys

GARMENTS = 8
MODELS = 4


def main(test_dir, out):
    os.makedirs(out, exist_ok=True)
    pairs = [line.split() for line in open(os.path.join(test_dir, "pairs_unpaired.txt")) if line.strip()]
    meta = {}
    for line in open(os.path.join(test_dir, "meta.jsonl")):
        record = json.loads(line)
        meta[record["index"]] = record
    garments, models = [], []
    for person, cloth in pairs[: max(GARMENTS, MODELS)]:
        if len(garments) < GARMENTS:
            shutil.copy(os.path.join(test_dir, "cloth", cloth), os.path.join(out, cloth))
            number = cloth.split("_")[0]
            info = meta.get(int(number), {})
            texture = info.get("garment", {}).get("texture", "fabric")
            suit = info.get("suit", "").replace("_", " ").replace("casualsuit", "casual ").strip()
            title = f"Synthetic top {number}: {texture} print, {suit}"
            garments.append({"id": f"synthetic-{number}", "title": title, "image": cloth})
        if len(models) < MODELS:
            shutil.copy(os.path.join(test_dir, "image", person), os.path.join(out, person))
            models.append(person)
    with open(os.path.join(out, "apparel.json"), "w") as f:
        json.dump({"source": "synthetic-v1 test split (CC0 renders)", "garments": garments, "models": models}, f, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:3])
