"""Reader for the ECB+ corpus in CROMER XML (``ECB+/<topic>/<topic>_<n>ecb[plus].xml``).

Each document yields its tokens (joined with single spaces; character offsets
into that text), its event mentions (tags ``ACTION_*`` and ``NEG_ACTION_*``)
with their gold cluster, and its entity mentions (participants, times,
locations). Gold clusters: a ``CROSS_DOC_COREF`` relation's instance id; an
``INTRA_DOC_COREF`` chain is a document-local cluster; any other event mention
is a singleton. All annotated mentions are read (the "validated sentences"
list some papers restrict to is not used).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

DEV_TOPICS = (2, 5, 12, 18, 21, 23, 34, 35)
TEST_TOPICS = tuple(range(36, 46))
TRAIN_TOPICS = tuple(t for t in range(1, 36) if t not in DEV_TOPICS)

_NAME = re.compile(r"^(\d+)_(\d+)(ecbplus|ecb)\.xml$")


@dataclass
class EcbMention:
    m_id: str
    tag: str
    token_ids: list[int]
    text: str
    start: int
    end: int
    sentence: int
    cluster: str = ""


@dataclass
class EcbDocument:
    name: str
    topic: int
    subtopic: str  # "<topic>ecb" or "<topic>ecbplus"
    text: str
    sentences: list[tuple[int, int]]  # char spans, indexed by sentence number
    tokens: list[tuple[str, int, int, int]] = field(default_factory=list)  # text, sentence, start, end
    events: list[EcbMention] = field(default_factory=list)
    entities: list[EcbMention] = field(default_factory=list)

    def sentence_text(self, index: int) -> str:
        start, end = self.sentences[index]
        return self.text[start:end]


def find_corpus_root(folder: Path) -> Path:
    """The folder holding the topic folders: ``folder``, ``folder/ECB+`` or ``folder/ecbplus/ECB+``."""
    for candidate in (folder / "ecbplus" / "ECB+", folder / "ECB+", folder):
        if candidate.is_dir() and any(p.is_dir() and p.name.isdigit() for p in candidate.iterdir()):
            return candidate
    raise FileNotFoundError(f"{folder}: no ECB+ topic folders found")


def available_topics(root: Path) -> list[int]:
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())


def read_document(path: Path) -> EcbDocument:
    match = _NAME.match(path.name)
    if not match:
        raise ValueError(f"{path}: not an ECB+ file name")
    topic, kind = int(match.group(1)), match.group(3)
    root = ET.parse(path).getroot()
    tokens: dict[int, tuple[str, int, int, int]] = {}
    pieces: list[str] = []
    offset = 0
    sent_spans: dict[int, list[int]] = {}
    for tok in root.iter("token"):
        word = (tok.text or "").strip() or "_"
        sent = int(tok.get("sentence", "0"))
        if pieces:
            offset += 1
        start, end = offset, offset + len(word)
        pieces.append(word)
        offset = end
        tokens[int(tok.get("t_id"))] = (word, sent, start, end)
        span = sent_spans.setdefault(sent, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    text = " ".join(pieces)
    n_sent = max(sent_spans) + 1 if sent_spans else 0
    sentences = [tuple(sent_spans.get(i, (0, 0))) for i in range(n_sent)]

    events: dict[str, EcbMention] = {}
    entities: list[EcbMention] = []
    markables = root.find("Markables")
    for el in list(markables) if markables is not None else []:
        anchors = [int(a.get("t_id")) for a in el.findall("token_anchor") if int(a.get("t_id")) in tokens]
        if not anchors:
            continue  # an instance descriptor, not a mention
        anchors.sort()
        words = [tokens[t] for t in anchors]
        mention = EcbMention(m_id=el.get("m_id"), tag=el.tag, token_ids=anchors,
                             text=" ".join(w[0] for w in words), start=words[0][2], end=words[-1][3],
                             sentence=words[0][1])
        if el.tag.startswith(("ACTION", "NEG_ACTION")):
            events[mention.m_id] = mention
        else:
            entities.append(mention)
    relations = root.find("Relations")
    for rel in list(relations) if relations is not None else []:
        if rel.tag == "CROSS_DOC_COREF":
            cluster = rel.get("note") or f"{path.stem}:x{rel.get('r_id')}"
        elif rel.tag == "INTRA_DOC_COREF":
            cluster = f"{path.stem}:intra{rel.get('r_id')}"
        else:
            continue
        for src in rel.findall("source"):
            mention = events.get(src.get("m_id"))
            if mention is not None:
                mention.cluster = cluster
    for mention in events.values():
        if not mention.cluster:
            mention.cluster = f"{path.stem}:single{mention.m_id}"
    doc = EcbDocument(name=path.stem, topic=topic, subtopic=f"{topic}{kind}", text=text, sentences=sentences,
                      tokens=[tokens[t] for t in sorted(tokens)],
                      events=sorted(events.values(), key=lambda m: m.start), entities=entities)
    return doc


def read_topic(root: Path, topic: int) -> list[EcbDocument]:
    folder = root / str(topic)
    return [read_document(p) for p in sorted(folder.glob("*.xml")) if _NAME.match(p.name)]


def read_corpus(folder: Path, topics: list[int] | None = None) -> dict[int, list[EcbDocument]]:
    root = find_corpus_root(folder)
    wanted = topics if topics is not None else available_topics(root)
    return {t: read_topic(root, t) for t in wanted if (root / str(t)).is_dir()}
