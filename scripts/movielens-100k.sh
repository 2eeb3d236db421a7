#!/usr/bin/env bash
# The third recommender check: MovieLens 100K (GroupLens; F. M. Harper and
# J. A. Konstan, "The MovieLens Datasets: History and Context", ACM TiiS 2015),
# as shipped inside the RecBole 1.2.1 wheel on PyPI (recbole/dataset_example/
# ml-100k/ml-100k.inter: the 100,000 ratings of u.data with a header). GroupLens
# allows research use and asks for the citation above; the data is fetched at
# run time and never committed. Writes target/data/ml-100k/sequences.txt in
# the S3-Rec layout (`user item item ...`, each user's ratings by time, ties
# kept in file order; every rating counts as an interaction; 5-core filtered
# like S3-Rec's sets; ids renumbered in first-appearance order). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/data/ml-100k
[ -s "$out/sequences.txt" ] && { echo "$out/sequences.txt"; exit 0; }
mkdir -p "$out"
[ -f "$out/recbole-1.2.1-py3-none-any.whl" ] || pip download --quiet --no-deps recbole==1.2.1 -d "$out"
python3 - "$out" <<'PY'
import collections, sys, zipfile
out = sys.argv[1]
with zipfile.ZipFile(f"{out}/recbole-1.2.1-py3-none-any.whl") as wheel:
    lines = wheel.read("recbole/dataset_example/ml-100k/ml-100k.inter").decode().splitlines()
assert lines[0].split("\t")[:4] == ["user_id:token", "item_id:token", "rating:float", "timestamp:float"], lines[0]
rows = [l.split("\t") for l in lines[1:]]
assert len(rows) == 100000, len(rows)
by_user = collections.defaultdict(list)
for order, (user, item, _rating, time) in enumerate(rows):
    by_user[user].append((float(time), order, item))
seqs = {u: [i for _, _, i in sorted(v)] for u, v in by_user.items()}
while True:  # 5-core: every user and item with at least 5 interactions
    item_users = collections.Counter(i for s in seqs.values() for i in s)
    kept = {u: [i for i in s if item_users[i] >= 5] for u, s in seqs.items()}
    kept = {u: s for u, s in kept.items() if len(s) >= 5}
    if kept == seqs:
        break
    seqs = kept
ids = {}
with open(f"{out}/sequences.txt", "w") as f:
    for n, user in enumerate(sorted(seqs, key=int), start=1):
        items = [ids.setdefault(i, len(ids) + 1) for i in seqs[user]]
        f.write(f"{n} " + " ".join(map(str, items)) + "\n")
print(f"{len(seqs)} users, {len(ids)} items, {sum(map(len, seqs.values()))} interactions", file=sys.stderr)
PY
echo "$out/sequences.txt"
