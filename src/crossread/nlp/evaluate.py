"""Evaluate a spaCy pipeline (through the crossread adapter) on the shared gold data.

    crossread eval nlp --data ../shared/data [--model NAME_OR_PATH] [--split test] [--json FILE]

Sets (each skipped when absent under --data):
- UD EWT ``ud/ewt/en_ewt-ud-<split>.conllu``: tag_acc (PTB XPOS), pos_acc (UPOS), uas, las, lemma_acc, sent_f.
- UNER ``ud/uner/en_ewt-ud-<split>.iob2``: ner_f, ner_p, ner_r and ner_p_/ner_r_/ner_f_<PER|ORG|LOC>
  (primary NER metric).
- re3d ``ner-extra/re3d/CONLL-format/data/<split>/re3d-<split>.conll``: re3d_ner_f, re3d_ner_f_<TYPE> (strict,
  re3d's own spans, which include pronouns, common-noun mentions and determiners); re3d_named_ner_f: the
  same after keeping only spans with a capitalised non-pronoun token and dropping a leading determiner,
  on both gold and predicted spans (named-entity convention, secondary).
- GUM ``ud/gum/en_gum-ud-<split>.conllu`` (open genres): gum_tag_acc, gum_las, gum_uas; GUM news docs:
  gumnews_ner_f, and news + interview docs: gum_news_interview_ner_f (our converted GUM named-entity
  labels, coarse PER/ORG/LOC).
- words_per_s: raw-text throughput of the whole pipeline over the EWT split (n_process = min(2, CPUs));
  words_per_s_1proc: one process; words_per_cpu_s: one process, per CPU-second (insensitive to other load).

Conventions: gold tokenisation is given to the pipeline (Doc from gold words); sentence boundaries are
predicted per document. UAS/LAS exclude punctuation (spaCy's scorer convention) and compare the adapter's
UD label (``token._.udep``) with the gold UD relation including subtypes. NER is exact-span, micro F1 over
PER/ORG/LOC, where predicted GPE and LOC both count as LOC and other types are ignored.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from crossread.nlp import convert
from crossread.nlp.gazetteer import DETERMINERS

COARSE = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
GOLD_COARSE = {"PER": "PER", "PERSON": "PER", "ORG": "ORG", "ORGANISATION": "ORG", "ORGANIZATION": "ORG",
               "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC"}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _group_by_doc(sents: list[convert.Sent], max_sents: int = 50) -> list[list[convert.Sent]]:
    groups: list[list[convert.Sent]] = []
    for s in sents:
        if groups and groups[-1][0].doc_id == s.doc_id and len(groups[-1]) < max_sents:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _run(nlp, groups: list[list[convert.Sent]], batch_size: int = 64):
    from spacy.tokens import Doc

    docs = []
    for g in groups:
        words = [w for s in g for w in s.words]
        spaces = [sp for s in g for sp in s.spaces]
        docs.append(Doc(nlp.vocab, words=words, spaces=spaces))
    return list(nlp.pipe(docs, batch_size=batch_size))


class NerCounter:
    def __init__(self) -> None:
        self.tp: Counter = Counter()
        self.fp: Counter = Counter()
        self.fn: Counter = Counter()

    def add(self, gold: set, pred: set) -> None:
        for s in gold & pred:
            self.tp[s[2]] += 1
        for s in pred - gold:
            self.fp[s[2]] += 1
        for s in gold - pred:
            self.fn[s[2]] += 1

    def metrics(self, prefix: str = "") -> dict[str, float]:
        out = {}
        p, r, f = _prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        out[f"{prefix}ner_p"], out[f"{prefix}ner_r"], out[f"{prefix}ner_f"] = p, r, f
        for t in sorted(set(self.tp) | set(self.fn) | set(self.fp)):
            tp_, tr_, tf_ = _prf(self.tp[t], self.fp[t], self.fn[t])
            out[f"{prefix}ner_p_{t}"], out[f"{prefix}ner_r_{t}"], out[f"{prefix}ner_f_{t}"] = tp_, tr_, tf_
        return out


def _pred_ents(doc, offset: int, n: int) -> set:
    out = set()
    for ent in doc.ents:
        if ent.start < offset or ent.end > offset + n:
            continue
        t = COARSE.get(ent._.ctype if ent.has_extension("ctype") else ent.label_)
        if t:
            out.add((ent.start - offset, ent.end - offset, t))
    return out


def _gold_ents(tags: list[str]) -> set:
    out = set()
    for s, e, lab in convert.iob_spans(tags):
        t = GOLD_COARSE.get(lab.upper())
        if t:
            out.add((s, e, t))
    return out


def eval_ud(nlp, sents: list[convert.Sent], prefix: str = "", ner: bool = False) -> dict[str, float]:
    groups = _group_by_doc(sents)
    docs = _run(nlp, groups)
    c = Counter()
    ner_c = NerCounter()
    gold_sents, pred_sents = set(), set()
    for g, doc in zip(groups, docs):
        off = 0
        for s in g:
            n = len(s.words)
            gold_sents.add((off, off + n))
            for i in range(n):
                tok = doc[off + i]
                c["tok"] += 1
                c["tag"] += tok.tag_ == s.tags[i]
                c["pos"] += tok.pos_ == s.pos[i]
                c["lemma"] += tok.lemma_ == s.lemmas[i]
                if s.deps[i] == "punct":
                    continue
                c["dep"] += 1
                gold_head = off + s.heads[i]
                pred_head = tok.head.i
                if pred_head == gold_head:
                    c["uas"] += 1
                    gold_lab = "root" if s.deps[i] == "ROOT" else s.deps[i]
                    pred_lab = tok._.udep if tok.has_extension("udep") and tok._.udep else tok.dep_
                    pred_lab = "root" if pred_lab == "ROOT" else pred_lab
                    c["las"] += pred_lab == gold_lab
            if ner and s.ents is not None:
                ner_c.add(_gold_ents(s.ents), _pred_ents(doc, off, n))
            off += n
        if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
            for sent in doc.sents:
                pred_sents.add((sent.start, sent.end))
        else:
            pred_sents.add((0, len(doc)))
        c["sent_tp"] += len(gold_sents & pred_sents)
        c["sent_gold"] += len(gold_sents)
        c["sent_pred"] += len(pred_sents)
        gold_sents, pred_sents = set(), set()
    out = {
        f"{prefix}tag_acc": c["tag"] / max(c["tok"], 1),
        f"{prefix}pos_acc": c["pos"] / max(c["tok"], 1),
        f"{prefix}lemma_acc": c["lemma"] / max(c["tok"], 1),
        f"{prefix}uas": c["uas"] / max(c["dep"], 1),
        f"{prefix}las": c["las"] / max(c["dep"], 1),
        f"{prefix}sent_f": _prf(c["sent_tp"], c["sent_pred"] - c["sent_tp"], c["sent_gold"] - c["sent_tp"])[2],
        f"{prefix}tokens": float(c["tok"]),
    }
    if ner:
        out.update(ner_c.metrics(prefix))
    return out


_PRONOUNS = frozenset({"I", "It", "He", "She", "We", "They", "You", "Me", "Us", "Him", "Her", "Them", "Its", "His",
                       "Their", "Our", "My", "Your", "This", "These", "Those", "That", "Who", "Which"})


def has_name(words: Sequence[str]) -> bool:
    """A capitalised word that is neither a pronoun nor a determiner: what re3d's named view keeps."""
    return any(w[:1].isupper() and w not in _PRONOUNS and w not in DETERMINERS for w in words)


def _named_only(words: list[str], spans: set) -> set:
    """Secondary re3d convention: re3d also marks pronouns and common-noun mentions ("the local forces",
    "we") and includes determiners. Keep spans with a capitalised non-pronoun token, minus a leading
    determiner (applied identically to gold and predictions)."""
    out = set()
    for s, e, t in spans:
        while s < e - 1 and words[s] in DETERMINERS:
            s += 1
        if has_name(words[s:e]):
            out.add((s, e, t))
    return out


def eval_ner(nlp, sents: list[tuple[list[str], list[str]]], prefix: str, named_prefix: str | None = None) -> dict[str, float]:
    from spacy.tokens import Doc

    docs = [Doc(nlp.vocab, words=w) for w, _ in sents]
    ner_c, named_c = NerCounter(), NerCounter()
    for (words, tags), doc in zip(sents, nlp.pipe(docs, batch_size=64)):
        gold, pred = _gold_ents(tags), _pred_ents(doc, 0, len(words))
        ner_c.add(gold, pred)
        if named_prefix:
            named_c.add(_named_only(words, gold), _named_only(words, pred))
    out = ner_c.metrics(prefix)
    if named_prefix:
        out.update(named_c.metrics(named_prefix))
    return out


def document_texts(sents: Sequence[convert.Sent]) -> list[str]:
    """The raw text of each document (≤ 50 sentences, as :func:`eval_ud` groups them) of a UD split: what
    the speed measurements run the pipeline on."""
    return ["".join(w + (" " if sp else "") for s in g for w, sp in zip(s.words, s.spaces)).strip()
            for g in _group_by_doc(sents)]


def measure_speed(nlp, texts: list[str], n_process: int = 1, batch_size: int = 256,
                  cpu: bool = False) -> float | tuple[float, float]:
    """Words (whitespace-separated) per wall-clock second; with ``cpu=True`` (one process only) also per
    CPU-second of this process, which is robust to other load on the machine."""
    n_words = sum(len(t.split()) for t in texts)
    for _ in nlp.pipe(texts[:5]):  # warm-up
        pass
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        pass
    wall = n_words / (time.perf_counter() - start)
    if cpu:
        return wall, n_words / max(time.process_time() - cpu_start, 1e-9)
    return wall


def uner_ewt_sents(data: Path, split: str) -> list[convert.Sent] | None:
    """EWT sentences of ``split`` with the raw UNER IOB2 tags (PER/ORG/LOC/OTH) as ``ents`` where the
    UNER file aligns (None for the others); None when the EWT file is absent."""
    ewt = Path(data) / "ud" / "ewt" / f"en_ewt-ud-{split}.conllu"
    if not ewt.exists():
        return None
    sents = convert.read_conllu(ewt)
    uner = Path(data) / "ud" / "uner" / f"en_ewt-ud-{split}.iob2"
    if uner.exists():
        tags_by_id = convert.read_uner(uner)
        for s in sents:
            tags = tags_by_id.get(s.sent_id)
            if tags is not None and len(tags) == len(s.words):
                s.ents = tags
    return sents


def re3d_pairs(data: Path, split: str) -> list[tuple[list[str], list[str]]] | None:
    """(words, re3d IOB tags) of every sentence of re3d ``split`` (all sources); None when absent."""
    path = Path(data) / "ner-extra" / "re3d" / "CONLL-format" / "data" / split / f"re3d-{split}.conll"
    if not path.exists():
        return None
    return [(w, t) for w, t in convert.read_iob_columns(path, sep="\t") if w]


def evaluate(data: Path, model: str | None = None, split: str = "test", speed: bool = True) -> dict[str, float]:
    from crossread.nlp.loader import load_pipeline

    data = Path(data)
    nlp = load_pipeline(model)
    metrics: dict[str, float] = {}
    texts: list[str] = []
    sents = uner_ewt_sents(data, split)
    if sents is not None:
        has_uner = (data / "ud" / "uner" / f"en_ewt-ud-{split}.iob2").exists()
        metrics.update(eval_ud(nlp, sents, ner=has_uner))
        texts = document_texts(sents)
    gum = data / "ud" / "gum" / f"en_gum-ud-{split}.conllu"
    if gum.exists():
        gsents = convert.gum_sents(data, split)
        m = eval_ud(nlp, gsents, prefix="gum_")
        metrics.update({k: v for k, v in m.items() if k in ("gum_tag_acc", "gum_uas", "gum_las", "gum_pos_acc")})
        news = [s for s in gsents if convert.gum_genre(s.doc_id) == "news"]
        if news:
            metrics.update(eval_ner(nlp, [(s.words, s.ents) for s in news], "gumnews_"))
        news_interview = [s for s in gsents if convert.gum_genre(s.doc_id) in {"news", "interview"}]
        if news_interview:
            metrics.update(eval_ner(nlp, [(s.words, s.ents) for s in news_interview], "gum_news_interview_"))
    pairs = re3d_pairs(data, split)
    if pairs is not None:
        metrics.update(eval_ner(nlp, pairs, "re3d_", named_prefix="re3d_named_"))
    if speed and texts:
        metrics["words_per_s_1proc"], metrics["words_per_cpu_s"] = measure_speed(nlp, texts, n_process=1, cpu=True)
        nproc = min(2, os.cpu_count() or 1)
        # several passes over the split, so that worker start-up does not dominate the multi-process
        # number; median of 3 runs. Batches of 32 documents balance the two workers best (measured
        # sweep on EWT test, 2 cores: 8 → 10.6k, 16 → 11.3k, 32 → 11.8-12.5k, 64 → 9.9k, 128 → 9.0k words/s)
        metrics["words_per_s"] = (statistics.median(measure_speed(nlp, texts * 4, n_process=nproc, batch_size=32)
                                                    for _ in range(3)) if nproc > 1
                                  else metrics["words_per_s_1proc"])
        metrics["speed_processes"] = float(nproc)
    return metrics


def format_table(metrics: dict[str, float]) -> str:
    lines = [f"{'metric':<32} {'value':>10}", "-" * 43]
    for k in sorted(metrics):
        v = metrics[k]
        if k.startswith("words_per") or k.endswith("tokens") or k == "speed_processes":
            lines.append(f"{k:<32} {v:>10.0f}")
        else:
            lines.append(f"{k:<32} {100 * v:>9.2f}%")
    return "\n".join(lines)
