"""Read the shared corpora (UD CoNLL-U, UNER IOB2, CoNLL NER) into spaCy Docs with one label scheme.

Entity scheme: PERSON, ORG, GPE, LOC, NORP, MISC.
- UNER (EWT): PER->PERSON, ORG->ORG, LOC->GPE|LOC (gazetteer), OTH->NORP (demonym) | MISC.
- GUM: MISC ``Entity=`` mentions whose syntactic head is PROPN; person->PERSON, organization->ORG,
  place->GPE|LOC, other types->MISC; free-standing demonyms -> NORP. Only openly licensed genres.
- re3d: Person, Organisation, Location(->GPE|LOC), Nationality->NORP; other types dropped.
- wikigold (IOB1): PER, ORG, LOC(->GPE|LOC), MISC(->NORP|MISC).
- BTC: PER, ORG, LOC(->GPE|LOC).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from crossread.nlp import gazetteer

# GUM genres with open, commercial-use licences (see GUM LICENSE.txt): Wikinews news/interviews/bios,
# Wikivoyage, OpenStax textbooks, CC YouTube vlogs, public-domain speeches, SBC conversations (CC BY).
# Excluded: whow, fiction (CC BY-NC-SA), academic, court, essay, letter, podcast, reddit (unclear/NC).
GUM_OPEN_GENRES = frozenset({"news", "interview", "bio", "voyage", "textbook", "vlog", "speech", "conversation"})


@dataclass
class Sent:
    words: list[str]
    spaces: list[bool]
    tags: list[str] | None = None
    pos: list[str] | None = None
    morphs: list[str] | None = None
    lemmas: list[str] | None = None
    heads: list[int] | None = None  # absolute index within sentence
    deps: list[str] | None = None
    ents: list[str] | None = None  # BILUO-less IOB strings "B-X"/"I-X"/"O"; None = unknown
    misc: list[str] = field(default_factory=list)
    sent_id: str = ""
    doc_id: str = ""


def read_conllu(path: Path) -> list[Sent]:
    sents: list[Sent] = []
    doc_id = ""
    cur: list[list[str]] = []
    meta: dict[str, str] = {}
    ranges: dict[int, tuple[int, bool]] = {}

    def flush() -> None:
        nonlocal cur, meta, ranges
        if cur:
            words, spaces, tags, pos, morphs, lemmas, heads, deps, misc = [], [], [], [], [], [], [], [], []
            idx = {int(c[0]): i for i, c in enumerate(cur)}
            for i, c in enumerate(cur):
                tid = int(c[0])
                words.append(c[1])
                m = c[9]
                space = "SpaceAfter=No" not in m
                for start, (end, r_space) in ranges.items():
                    if start <= tid <= end:
                        space = r_space if tid == end else False
                spaces.append(space)
                lemmas.append(c[2])
                pos.append(c[3])
                tags.append(c[4])
                morphs.append("" if c[5] == "_" else c[5])
                h = int(c[6])
                heads.append(i if h == 0 else idx[h])
                deps.append("ROOT" if c[7] == "root" else c[7])
                misc.append(m)
            sents.append(Sent(words, spaces, tags, pos, morphs, lemmas, heads, deps, None, misc,
                              meta.get("sent_id", ""), doc_id))
        cur, meta, ranges = [], {}, {}

    with open(path, encoding="utf8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                flush()
                continue
            if line.startswith("#"):
                m = re.match(r"#\s*(newdoc id|sent_id|text)\s*=\s*(.*)", line)
                if m:
                    if m.group(1) == "newdoc id":
                        doc_id = m.group(2).strip()
                    else:
                        meta[m.group(1)] = m.group(2).strip()
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                continue
            if "-" in cols[0]:
                a, b = cols[0].split("-")
                ranges[int(a)] = (int(b), "SpaceAfter=No" not in cols[9])
                continue
            if "." in cols[0]:
                continue
            cur.append(cols)
    flush()
    return sents


def gum_genre(doc_id: str) -> str:
    m = re.match(r"GUM_([a-z]+)_", doc_id)
    return m.group(1) if m else ""


def read_iob_columns(path: Path, sep: str | None = None, docstart: str = "-DOCSTART-") -> list[tuple[list[str], list[str]]]:
    """Generic CoNLL NER reader: first column word, last column tag; blank line between sentences."""
    out: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    out.append((words, tags))
                words, tags = [], []
                continue
            cols = line.split(sep) if sep else line.split()
            if cols[0] == docstart:
                continue
            if len(cols) < 2 or not cols[0].strip():
                continue
            words.append(cols[0].strip())
            tags.append(cols[-1])
    if words:
        out.append((words, tags))
    return out


def iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) spans from IOB1 or IOB2 tags."""
    spans = []
    start, label = None, None
    for i, t in enumerate(tags + ["O"]):
        if t in ("O", "", "_") or t is None:
            if start is not None:
                spans.append((start, i, label))
            start, label = None, None
            continue
        prefix, _, lab = t.partition("-")
        if prefix == "B" or lab != label or start is None:
            if start is not None:
                spans.append((start, i, label))
            start, label = i, lab
    return spans


def spans_to_iob(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n
    for s, e, lab in sorted(spans):
        if any(tags[i] != "O" for i in range(s, e)):
            continue
        tags[s] = f"B-{lab}"
        for i in range(s + 1, e):
            tags[i] = f"I-{lab}"
    return tags


def _loc_label(words: list[str], s: int, e: int) -> str:
    return "GPE" if gazetteer.is_gpe(" ".join(words[s:e])) else "LOC"


def map_generic(words: list[str], spans: list[tuple[int, int, str]], source: str) -> list[tuple[int, int, str]]:
    out = []
    for s, e, lab in spans:
        text = " ".join(words[s:e])
        lab_u = lab.upper()
        if lab_u in ("PER", "PERSON"):
            new = "PERSON"
        elif lab_u in ("ORG", "ORGANISATION", "ORGANIZATION"):
            new = "ORG"
        elif lab_u in ("LOC", "LOCATION"):
            new = _loc_label(words, s, e)
        elif lab_u == "NATIONALITY":
            new = "NORP"
        elif lab_u in ("OTH", "MISC"):
            new = "NORP" if gazetteer.looks_like_demonym(text) else "MISC"
        else:
            continue  # re3d Temporal/Quantity/Weapon/... : not in our scheme
        out.append((s, e, new))
    return out


_GUM_TYPES = {"person": "PERSON", "organization": "ORG", "place": "LOC"}


def gum_entities(sent: Sent) -> list[tuple[int, int, str]]:
    """Named mentions from GUM's MISC Entity= bracket annotation (head token must be PROPN)."""
    stack: list[tuple[str, str, int]] = []
    mentions: list[tuple[int, int, str]] = []
    for i, m in enumerate(sent.misc):
        val = None
        for part in m.split("|"):
            if part.startswith("Entity="):
                val = part[len("Entity="):]
        if not val:
            continue
        for mt in re.finditer(r"\(([^()]+?)(\)?)(?=\(|$|\d+\))|(\d+)\)", val):
            if mt.group(3):
                gid = mt.group(3)
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k][0] == gid:
                        _, etype, start = stack.pop(k)
                        mentions.append((start, i + 1, etype))
                        break
            else:
                parts = mt.group(1).split("-")
                gid, etype = parts[0], parts[1] if len(parts) > 1 else ""
                if mt.group(2):
                    mentions.append((i, i + 1, etype))
                else:
                    stack.append((gid, etype, i))
    spans = []
    for s, e, etype in mentions:
        heads = [j for j in range(s, e) if not (s <= sent.heads[j] < e) or sent.heads[j] == j]
        if len(heads) != 1 or sent.pos[heads[0]] != "PROPN":
            continue
        h = heads[0]
        a, b = h, h + 1
        while a - 1 >= s and (sent.pos[a - 1] == "PROPN" or (sent.pos[a - 1] == "ADJ" and sent.words[a - 1][:1].isupper())
                              or (sent.words[a - 1] == "-" and a - 2 >= s and sent.pos[a - 2] == "PROPN")):
            a -= 1
        while b < e and (sent.pos[b] in ("PROPN", "NUM") or (sent.words[b] in ("of", "for", "de", "-", "&", "on")
                                                        and b + 1 < e and sent.pos[b + 1] == "PROPN")):
            b += 1
        while b > a and sent.words[b - 1] in ("-", "of", "for", "de", "&", "on"):
            b -= 1
        s, e = a, b
        lab = _GUM_TYPES.get(etype, "MISC")
        if etype in ("time", "quantity"):
            continue
        if lab == "LOC":
            lab = _loc_label(sent.words, s, e)
        spans.append((s, e, lab))
    # outermost first
    spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str]] = []
    for sp in spans:
        if all(sp[1] <= k[0] or sp[0] >= k[1] for k in kept):
            kept.append(sp)
    for i, w in enumerate(sent.words):  # free-standing nationality adjectives / nouns
        if gazetteer.is_demonym(w) and all(i >= k[1] or i < k[0] for k in kept):
            kept.append((i, i + 1, "NORP"))
    return kept


def read_uner(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    sid = None
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("# sent_id"):
                sid = line.split("=", 1)[1].strip()
                continue
            if line.startswith("#"):
                continue
            if not line.strip():
                if sid is not None and words:
                    out[sid] = tags
                sid, words, tags = None, [], []
                continue
            cols = line.split("\t")
            words.append(cols[1])
            tags.append(cols[2])
    if sid is not None and words:
        out[sid] = tags
    return out


def ewt_sents(data: Path, split: str, with_ner: bool = True) -> list[Sent]:
    sents = read_conllu(data / "ud" / "ewt" / f"en_ewt-ud-{split}.conllu")
    uner_path = data / "ud" / "uner" / f"en_ewt-ud-{split}.iob2"
    if with_ner and uner_path.exists():
        uner = read_uner(uner_path)
        for s in sents:
            tags = uner.get(s.sent_id)
            if tags is not None and len(tags) == len(s.words):
                s.ents = spans_to_iob(len(s.words), map_generic(s.words, iob_spans(tags), "uner"))
    return sents


def gum_sents(data: Path, split: str, genres: frozenset[str] | None = GUM_OPEN_GENRES) -> list[Sent]:
    sents = [s for s in read_conllu(data / "ud" / "gum" / f"en_gum-ud-{split}.conllu")
             if genres is None or gum_genre(s.doc_id) in genres]
    for s in sents:
        s.ents = spans_to_iob(len(s.words), gum_entities(s))
    return sents


def ner_sents(words_tags: list[tuple[list[str], list[str]]], source: str) -> list[Sent]:
    out = []
    for words, tags in words_tags:
        spans = map_generic(words, iob_spans(tags), source)
        out.append(Sent(words, [True] * len(words), ents=spans_to_iob(len(words), spans), doc_id=source))
    return out


# re3d sources whose licence is not open for commercial use (BBC Online: CC BY-NC 3.0): never trained on.
RE3D_EXCLUDED_SOURCES = ("BBC_Online",)


def re3d_sents(data: Path, split: str, exclude_sources=RE3D_EXCLUDED_SOURCES) -> list[Sent]:
    """re3d sentences of ``split``; for training, sentences that come from an excluded (non-open) source
    are dropped (matched by token sequence against ``data-by-source``)."""
    root = data / "ner-extra" / "re3d" / "CONLL-format"
    pairs = read_iob_columns(root / "data" / split / f"re3d-{split}.conll", sep="\t")
    if exclude_sources:
        banned = set()
        for src in exclude_sources:
            for f in sorted((root / "data-by-source" / "conll" / src).glob("*.conll")):
                banned.update(tuple(w) for w, _ in read_iob_columns(f, sep="\t"))
        pairs = [(w, t) for w, t in pairs if tuple(w) not in banned]
    return ner_sents(pairs, "re3d")


def wikigold_sents(data: Path) -> list[Sent]:
    p = data / "ner-extra" / "wikigold" / "CONLL-format" / "data" / "wikigold.conll.txt"
    return ner_sents(read_iob_columns(p, sep=" "), "wikigold")


def btc_sents(data: Path, sections: str = "abefgh") -> list[Sent]:
    out = []
    for sec in sections:
        p = data / "ner-extra" / "BTC" / "CONLL-format" / "data" / f"{sec}.conll"
        if p.exists():
            out += ner_sents(read_iob_columns(p, sep="\t"), "btc")
    return out


def to_docs(nlp, sents: list[Sent], group: int = 10) -> list:
    """Group consecutive sentences of the same document into spaCy Docs of up to ``group`` sentences."""
    from spacy.tokens import Doc

    docs = []
    batch: list[Sent] = []

    def flush() -> None:
        if not batch:
            return
        words, spaces, tags, pos, morphs, lemmas, heads, deps, ents, sent_starts = ([] for _ in range(10))
        has_syntax = all(s.heads is not None for s in batch)
        has_ents = all(s.ents is not None for s in batch)
        for s in batch:
            off = len(words)
            words += s.words
            spaces += s.spaces
            if has_syntax:
                tags += s.tags
                pos += s.pos
                morphs += s.morphs
                lemmas += s.lemmas
                heads += [h + off for h in s.heads]
                deps += s.deps
            sent_starts += [True] + [False] * (len(s.words) - 1)
            ents += s.ents if s.ents is not None else ["O"] * len(s.words)
        kwargs = {}
        if has_syntax:
            kwargs = dict(tags=tags, pos=pos, morphs=morphs, lemmas=lemmas, heads=heads, deps=deps)
        else:
            kwargs = dict(sent_starts=sent_starts)
        doc = Doc(nlp.vocab, words=words, spaces=spaces, ents=ents if has_ents else None, **kwargs)
        docs.append(doc)
        batch.clear()

    last_doc = None
    for s in sents:
        if batch and (len(batch) >= group or s.doc_id != last_doc or (s.ents is None) != (batch[0].ents is None)):
            flush()
        batch.append(s)
        last_doc = s.doc_id
    flush()
    return docs


def training_parts(data: Path, *, tiny: bool = False, rng: random.Random | None = None, btc_fraction: float = 0.5,
                   re3d_repeat: int = 2) -> tuple[list[list[Sent]], list[list[Sent]], dict[str, int]]:
    """The training mix of the shipped pipeline: (train parts, dev parts, counts). One part per source
    present under ``data``; the NER models (CNN, CRF, transformer) all learn from this same mix. ``rng``
    draws the BTC share (default: seeded 0)."""
    rng = rng or random.Random(0)
    counts: dict[str, int] = {}
    parts_train: list[list[Sent]] = []
    parts_dev: list[list[Sent]] = []
    ewt = data / "ud" / "ewt"
    if ewt.exists():
        parts_train.append(ewt_sents(data, "train"))
        parts_dev.append(ewt_sents(data, "dev"))
        counts["ewt_train"] = len(parts_train[-1])
    if (data / "ud" / "gum").exists():
        parts_train.append(gum_sents(data, "train"))
        parts_dev.append(gum_sents(data, "dev"))
        counts["gum_train"] = len(parts_train[-1])
    extra = data / "ner-extra"
    if (extra / "re3d").exists():
        re3d = re3d_sents(data, "train")
        parts_train.append(re3d * re3d_repeat)  # small in-domain (security/conflict) set: oversampled
        counts["re3d_train"] = len(re3d)
    if (extra / "wikigold").exists():
        parts_train.append(wikigold_sents(data))
        counts["wikigold"] = len(parts_train[-1])
    if (extra / "BTC").exists():
        btc = btc_sents(data)
        rng.shuffle(btc)
        parts_train.append(btc[: int(len(btc) * btc_fraction)])
        counts["btc"] = len(parts_train[-1])
    if tiny:
        parts_train = [p[:20] for p in parts_train]
        parts_dev = [p[:10] for p in parts_dev]
    return parts_train, parts_dev, counts


def build_corpora(data: Path, out_dir: Path, *, tiny: bool = False, seed: int = 0, btc_fraction: float = 0.5,
                  re3d_repeat: int = 2) -> dict:
    """Write train.spacy / dev.spacy (DocBin) into out_dir. Returns counts."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts_train, parts_dev, counts = training_parts(data, tiny=tiny, rng=rng, btc_fraction=btc_fraction,
                                                    re3d_repeat=re3d_repeat)
    train_docs = [d for p in parts_train for d in to_docs(nlp, p)]
    dev_docs = [d for p in parts_dev for d in to_docs(nlp, p)]
    rng.shuffle(train_docs)
    DocBin(docs=train_docs, store_user_data=False).to_disk(out_dir / "train.spacy")
    DocBin(docs=dev_docs, store_user_data=False).to_disk(out_dir / "dev.spacy")
    counts["train_docs"] = len(train_docs)
    counts["dev_docs"] = len(dev_docs)
    return counts
