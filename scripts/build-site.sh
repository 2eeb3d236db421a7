#!/usr/bin/env bash
# Assemble the demo storefront into target/site: the widget (www/), the wasm
# engine (pkg/), the shipped models, and the demo catalog built from the
# Online Retail export in ../shared. Needs `cargo build --release` and
# scripts/build-wasm.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${VITRINE_DATA:-../shared/data/recsys}"
SITE=target/site
rm -rf "$SITE" && mkdir -p "$SITE/pkg" "$SITE/models"
cp -r www/. "$SITE/"
# The three engine modules (scripts/build-wasm.sh): pkg/, pkg/tryon/, pkg/gpu/.
cp -r pkg/. "$SITE/pkg/"
cp models/*.bpk models/*.json models/*.bought-together "$SITE/models/"
if [ ! -f "$DATA/online-retail/online_retail.csv.gz" ]; then
  echo "missing $DATA/online-retail/online_retail.csv.gz (set VITRINE_DATA)" >&2; exit 1
fi
# The catalog: every product sold (same filters as the model's card), median price.
target/release/vitrine catalog --events "$DATA/online-retail/online_retail.csv.gz" \
  --skip-prefix InvoiceNo=C --skip-prefix InvoiceNo=A --skip-prefix StockCode=gift_ --skip-prefix StockCode=DCGS \
  --exclude-items "POST,DOT,M,m,C2,D,S,BANK CHARGES,AMAZONFEE,CRUK,PADS,B" \
  --currency GBP --url-template "product.html?id={id}" --out "$SITE/catalog.json"
# The apparel section: garments and sample models from the synthetic try-on
# test split (renders of CC0 assets; unseen in training).
TRYON="${VITRINE_TRYON_DATA:-../shared/data/tryon/synthetic-v1}/test"
if [ ! -f "$TRYON/pairs_unpaired.txt" ]; then
  echo "missing $TRYON/pairs_unpaired.txt (set VITRINE_TRYON_DATA)" >&2; exit 1
fi
python3 scripts/apparel.py "$TRYON" "$SITE/demo/apparel"
# Brotli copies of the site's text and wasm files, served where the browser accepts br.
python3 scripts/precompress.py "$SITE"
# The npm package for bundler users: the widget, its types and the engine.
PKG=target/package
rm -rf "$PKG" && mkdir -p "$PKG/pkg"
cp -r www/package.json www/vitrine.js www/vitrine.d.ts www/widget "$PKG/"
cp -r pkg/. "$PKG/pkg/"
echo "site ready in $SITE, npm package in $PKG"
