#!/usr/bin/env python3
"""Build an ONNX graph of our SASRec forward from the weights written by
`cargo run --release --example export-weights` and check it against the
native engine (`target/release/vitrine recommend`).

    python3 scripts/peers/build_onnx.py \
        --weights target/peers/amazon-beauty --card models/amazon-beauty.json \
        --out target/peers/amazon-beauty.onnx --check

The graph reproduces src/model/recommender/mod.rs (SasRec::hidden +
score_next, the SASRec branch only) with burn 0.22.1's TransformerEncoder
(norm_first = true: norm_2 before attention, norm_1 before the feed-forward),
MultiHeadAttention (scores / sqrt(d_k), masked entries *replaced* by
min_float = -1e4, softmax), LayerNorm (eps 1e-5) and exact (erf) GELU:

    input  ids     int64 [batch, len]   model indices (card.items[i-1] = id of index i),
                                        0 = padding, left-padded, most recent last, len <= max_len
    output scores  float [batch, num_items]   column j scores model index j+1 (= card.items[j])

`len` is dynamic: positions are the last `len` rows of the position table
(positions count back from the most recent item), so feeding exactly what the
engine feeds (one history: len = min(history length, max_len), no padding)
or a [1, max_len] left-padded row gives the same answer. The engine's index 0
(padding) column is dropped from the output; the caller still excludes the
history's items when taking the top-k (src/infer.rs top_k).
"""

import argparse
import importlib
import json
import os
import subprocess
import sys


def ensure(module, package):
    """Import `module`, installing `package` from PyPI with pip if it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        print(f"installing {package} from PyPI", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", package])
        importlib.invalidate_caches()
        return importlib.import_module(module)


np = ensure("numpy", "numpy")
onnx = ensure("onnx", "onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OPSET = 17  # LayerNormalization; Erf-based GELU (the Gelu op needs 20)


def load_weights(folder):
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    tensors = {}
    for t in manifest["tensors"]:
        raw = np.fromfile(os.path.join(folder, t["file"]), dtype="<f4")
        tensors[t["name"]] = raw.reshape(t["shape"])
    return manifest, tensors


def build(manifest, w):
    cfg = manifest["config"]
    if cfg.get("frequency"):
        raise SystemExit("BSARec (frequency) models are not reproduced here")
    d, heads, layers, max_len, n = cfg["d_model"], cfg["n_heads"], cfg["n_layers"], cfg["max_len"], cfg["num_items"]
    dk = d // heads
    nodes, inits = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(value, dtype=np.float32, label="c"):
        nm = name(label)
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), nm))
        return nm

    def weight(key):
        inits.append(numpy_helper.from_array(w[key].astype(np.float32), key))
        return key

    def op(kind, inputs, label=None, **attrs):
        out = name(label or kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    # Padding and keep masks.
    zero_i = const(0, np.int64, "zero_i64")
    pad = op("Equal", ["ids", zero_i], "pad")  # [B, L] bool
    keep = op("Unsqueeze", [op("Cast", [op("Not", [pad])], to=TensorProto.FLOAT), const([2], np.int64)], "keep")  # [B, L, 1]

    # Sequence length and the causal mask (key j > query i is masked).
    shape = op("Shape", ["ids"])
    seq_len = op("Gather", [shape, const(1, np.int64)], "len", axis=0)  # scalar
    rng = op("Range", [const(0, np.int64), seq_len, const(1, np.int64)], "range")
    causal = op("Greater", [op("Unsqueeze", [rng, const([0], np.int64)]), op("Unsqueeze", [rng, const([1], np.int64)])], "causal")  # [L, L]
    pad_keys = op("Unsqueeze", [pad, const([1, 2], np.int64)])  # [B, 1, 1, L]
    mask = op("Or", [pad_keys, causal], "mask")  # [B, 1, L, L]
    min_float = const(-1.0e4, label="min_float")

    # Embeddings: items * sqrt(d) + positions counted back from the last column.
    item_emb = weight("item_embedding.weight")
    pos_emb = weight("position_embedding.weight")
    x = op("Gather", [item_emb, "ids"], "items", axis=0)  # [B, L, D]
    start = op("Sub", [const([max_len], np.int64), op("Unsqueeze", [seq_len, const([0], np.int64)])])
    positions = op("Slice", [pos_emb, start, const([max_len], np.int64), const([0], np.int64)], "positions")  # [L, D]
    x = op("Add", [op("Mul", [x, const(float(np.sqrt(np.float64(d))))]), positions])
    x = op("Mul", [x, keep], "x0")

    def layer_norm(t, prefix):
        return op("LayerNormalization", [t, weight(prefix + ".gamma"), weight(prefix + ".beta")], "ln", axis=-1, epsilon=1e-5)

    def linear(t, prefix):
        return op("Add", [op("MatMul", [t, weight(prefix + ".weight")]), weight(prefix + ".bias")], "linear")

    split_shape = const([0, 0, heads, dk], np.int64, "split_shape")  # 0 = copy the input's dim
    merge_shape = const([0, 0, d], np.int64, "merge_shape")
    sqrt_dk = const(float(np.sqrt(np.float32(dk))), label="sqrt_dk")
    sqrt2 = const(float(np.sqrt(2.0)), label="sqrt2")
    one, two = const(1.0, label="one"), const(2.0, label="two")

    for i in range(layers):
        p = f"encoder.layers.{i}"
        h = layer_norm(x, p + ".norm_2")
        q = op("Transpose", [op("Reshape", [linear(h, p + ".mha.query"), split_shape])], perm=[0, 2, 1, 3])  # [B,H,L,dk]
        k = op("Transpose", [op("Reshape", [linear(h, p + ".mha.key"), split_shape])], perm=[0, 2, 3, 1])  # [B,H,dk,L]
        v = op("Transpose", [op("Reshape", [linear(h, p + ".mha.value"), split_shape])], perm=[0, 2, 1, 3])
        scores = op("Div", [op("MatMul", [q, k]), sqrt_dk])
        scores = op("Where", [mask, min_float, scores], "masked")
        weights = op("Softmax", [scores], "attn", axis=-1)
        ctx = op("Reshape", [op("Transpose", [op("MatMul", [weights, v])], perm=[0, 2, 1, 3]), merge_shape])
        x = op("Add", [x, linear(ctx, p + ".mha.output")], "res_attn")
        h = layer_norm(x, p + ".norm_1")
        f = linear(h, p + ".pwff.linear_inner")
        # burn's gelu: x * (erf(x / sqrt 2) + 1) / 2
        f = op("Div", [op("Mul", [f, op("Add", [op("Erf", [op("Div", [f, sqrt2])]), one])]), two], "gelu")
        x = op("Add", [x, linear(f, p + ".pwff.linear_outer")], "res_ffn")

    x = op("Mul", [layer_norm(x, "final_norm"), keep], "hidden")
    last = op("Squeeze", [op("Slice", [x, const([-1], np.int64), const([np.iinfo(np.int64).max], np.int64), const([1], np.int64)]), const([1], np.int64)], "last")  # [B, D]
    all_scores = op("Gemm", [last, item_emb], "all_scores", transB=1)  # [B, n + 1]
    nodes.append(helper.make_node("Slice", [all_scores, const([1], np.int64), const([n + 1], np.int64), const([1], np.int64)], ["scores"], name="scores"))

    graph = helper.make_graph(
        nodes,
        f"sasrec_{manifest['model']}",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "len"])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", n])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="vitrine scripts/peers/build_onnx.py")
    model.ir_version = 8
    model.doc_string = (
        f"SASRec {manifest['model']} (weights sha256 {manifest['weights_sha256']}, {manifest['weights_dtype']} "
        f"dequantized to f32); ids int64 [batch, len<= {max_len}] model indices, 0 = padding, left-padded; "
        f"scores [batch, {n}], column j = card.items[j]"
    )
    onnx.checker.check_model(model)
    return model


# --- parity check against the native engine ---------------------------------

def history(items, i):
    """www/bench/bench.js: 8 ids, items[(i * 7919 + j * 104729) % n]."""
    return [items[(i * 7919 + j * 104729) % len(items)] for j in range(8)]


def top_k(scores, exclude, k):
    """src/infer.rs top_k over output columns (column j = model index j+1):
    higher score first, ties to the lower index, NaN and history skipped."""
    excluded = set(exclude)
    cand = [(-float(s), j + 1) for j, s in enumerate(scores) if (j + 1) not in excluded and not np.isnan(s)]
    cand.sort()
    return [(idx, -s) for s, idx in cand[:k]]


def native(binary, model_path, ids, k):
    out = subprocess.check_output([binary, "recommend", "--model", model_path, "--history", ",".join(ids), "--k", str(k)], text=True)
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].endswith("."):
            rows.append((parts[1], float(parts[2])))
    return rows


def check(model_bytes, card_path, model_path, binary, count):
    ort = ensure("onnxruntime", "onnxruntime")
    card = json.load(open(card_path))
    items, max_len = card["items"], card["config"]["max_len"]
    index = {item: i + 1 for i, item in enumerate(items)}
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])
    cases = [(f"bench history({i})", history(items, i)) for i in range(count)]
    # Edge cases: one item, a history longer than max_len (truncation), repeats.
    cases += [
        ("one item", [items[0]]),
        ("popular first", card["popular"][:3]),
        (f"{max_len + 13} items (truncated to {max_len})", [items[(j * 31337) % len(items)] for j in range(max_len + 13)]),
        ("repeats", [items[5], items[9], items[5], items[5]]),
    ]
    failures, worst = [], 0.0
    for label, ids in cases:
        known = [index[x] for x in ids if x in index]
        kept = known[-max_len:]
        exact = np.array([kept], dtype=np.int64)  # what the engine feeds: no padding
        padded = np.array([[0] * (max_len - len(kept)) + kept], dtype=np.int64)  # [1, max_len] form
        want = native(binary, model_path, ids, 10)
        for form, feed in (("len", exact), ("padded", padded)):
            scores = sess.run(["scores"], {"ids": feed})[0][0]
            got = [(items[i - 1], s) for i, s in top_k(scores, known, 10)]
            if [g[0] for g in got] != [w[0] for w in want]:
                failures.append((label, form, [g[0] for g in got], [w[0] for w in want]))
            worst = max(worst, max(abs(round(g[1], 3) - w[1]) for g, w in zip(got, want)))
    print(json.dumps({"cases": len(cases), "forms": ["len", "padded"], "top10_mismatches": len(failures),
                      "max_abs_score_diff_vs_cli_3dp": round(worst, 4), "onnxruntime": ort.__version__}))
    for f in failures[:10]:
        print("MISMATCH", f, file=sys.stderr)
    return not failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", default="target/peers/amazon-beauty", help="folder written by export-weights")
    ap.add_argument("--card", default="models/amazon-beauty.json")
    ap.add_argument("--model", default=None, help="weights file for the native check (default: beside the card)")
    ap.add_argument("--out", default="target/peers/amazon-beauty.onnx")
    ap.add_argument("--check", action="store_true", help="compare top-10 with target/release/vitrine recommend")
    ap.add_argument("--check-count", type=int, default=201, help="bench histories history(0..N) to check")
    ap.add_argument("--vitrine", default="target/release/vitrine")
    args = ap.parse_args()
    manifest, w = load_weights(args.weights)
    card = json.load(open(args.card))
    if card["weights"]["sha256"] != manifest["weights_sha256"]:
        raise SystemExit("the exported weights are not the card's (sha256 differs); rerun export-weights")
    model = build(manifest, w)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    onnx.save(model, args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, opset {OPSET}, {len(model.graph.node)} nodes)", file=sys.stderr)
    if args.check:
        model_path = args.model or os.path.join(os.path.dirname(args.card), card["weights"]["file"])
        if not check(model.SerializeToString(), args.card, model_path, args.vitrine, args.check_count):
            sys.exit(1)


if __name__ == "__main__":
    main()
