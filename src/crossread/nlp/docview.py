"""One read-only token view of a parsed Doc, built once per extraction.

Reading ``token.dep_``, ``token.head``, ``token.children`` or ``token._.udep`` on spaCy tokens
creates a new ``Token`` object (and, for ``._``, an ``Underscore`` object and a getter call) on
every access; the extractors read the same few attributes of the same tokens hundreds of
thousands of times per article. :class:`DocView` reads them once into plain Python objects
(:class:`TokenView`, same attribute names as spaCy's ``Token``), with the Doc's own sentences
(``doc.sents``; never a second splitter) and entities.

    with docview.scope(doc) as view:     # extract_records / each extractor's entry point
        ...
    view = docview.view_of(doc)          # the view of the active scope (or a fresh one)

The view is only cached while a ``scope`` is open (extraction does not change the Doc), so a
Doc edited between two extractions is never read from a stale view.

Differences from spaCy's ``Token`` to keep in mind: a ``TokenView`` is one object per token
(``tok.head is tok`` for a root, where spaCy would hand out a new object each time),
equality/hash are identity (the same as spaCy's (doc, index) equality within one Doc), and
``children``/``lefts``/``rights`` are tuples (spaCy yields them).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LEMMA, LOWER, ORTH, POS, \
    SENT_START, SPACY, TAG
from spacy.parts_of_speech import NAMES as _POS_NAMES
from spacy.tokens import Token

from crossread.nlp import adapter as _adapter


_IOB_NAMES = ("", "I", "O", "B")


class TokenView:
    """A token's attributes, read once (names as on spaCy's ``Token``)."""

    __slots__ = ("view", "i", "text", "lower_", "lemma_", "pos_", "tag_", "dep_", "udep", "idx", "ent_type_",
                 "ent_iob_", "is_alpha", "is_punct", "is_space", "whitespace_", "is_sent_start", "head",
                 "children")

    def __len__(self) -> int:  # as spaCy's Token: the length of its text
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __lt__(self, other: "TokenView") -> bool:
        return self.idx < other.idx

    @property
    def doc(self) -> "DocView":
        return self.view

    @property
    def lefts(self) -> tuple["TokenView", ...]:
        """The children before the token (spaCy's ``lefts``)."""
        return tuple(c for c in self.children if c.i < self.i)

    @property
    def rights(self) -> tuple["TokenView", ...]:
        """The children after the token (spaCy's ``rights``)."""
        return tuple(c for c in self.children if c.i > self.i)

    @property
    def left_edge(self) -> "TokenView":
        """Leftmost token of the subtree (spaCy's ``left_edge``)."""
        return self.view.tokens[self.view.edges(self.i)[0]]

    @property
    def right_edge(self) -> "TokenView":
        """Rightmost token of the subtree (spaCy's ``right_edge``)."""
        return self.view.tokens[self.view.edges(self.i)[1]]

    @property
    def text_with_ws(self) -> str:
        return self.text + self.whitespace_

    @property
    def sent(self) -> "SpanView":
        return self.view.sent_of(self.i)

    @property
    def subtree(self) -> Iterator["TokenView"]:
        """As spaCy's ``Token.subtree``: left children's subtrees, the token, right children's."""
        for word in self.lefts:
            yield from word.subtree
        yield self
        for word in self.rights:
            yield from word.subtree


class SpanView:
    """A span of the Doc (a sentence of ``doc.sents``, a ``char_span``): token range, character
    range, text and root (as spaCy's ``Span.root``)."""

    __slots__ = ("view", "start", "end", "start_char", "end_char", "root_i")

    def __init__(self, view: "DocView", start: int, end: int, root_i: int | None):
        self.view = view
        self.start = start
        self.end = end
        toks = view.tokens
        if end > start:
            self.start_char = toks[start].idx
            last = toks[end - 1]
            self.end_char = last.idx + len(last.text)
        else:  # an empty span
            self.start_char = self.end_char = toks[start].idx if start < len(toks) else len(view.text)
        self.root_i = root_i

    @property
    def text(self) -> str:
        return self.view.text[self.start_char:self.end_char]

    @property
    def root(self) -> TokenView:
        if self.root_i is None:  # a slice: spaCy's Span.root, asked once
            self.root_i = self.view.doc_obj[self.start:self.end].root.i
        return self.view.tokens[self.root_i]

    def __iter__(self) -> Iterator[TokenView]:
        return iter(self.view.tokens[self.start:self.end])

    def __len__(self) -> int:
        return self.end - self.start


def _udep_values(doc: Any, deps: list[str], pos: list[str], heads: list[int]) -> list[Any] | None:
    """``token._.udep`` of every token (None when the extension is not registered): computed
    from the arrays when the getter is the adapter's, else through the getter itself."""
    if not Token.has_extension("udep"):
        return None
    default, method, getter, setter = Token.get_extension("udep")
    if getter is _adapter._udep and method is None:
        scheme = _adapter._doc_scheme(doc)
        memo: dict[str, str] = {}
        out = []
        for k, dep in enumerate(deps):
            if scheme == "clearnlp":
                if dep == "pobj":
                    prep = heads[k]
                    if deps[prep] == "agent":
                        out.append("obl:agent")
                        continue
                    out.append("nmod" if pos[heads[prep]] in _adapter._NOMINAL and heads[prep] != prep else "obl")
                    continue
                if dep == "compound" and pos[k] == "PROPN" and pos[heads[k]] == "PROPN":
                    out.append("flat")
                    continue
            value = memo.get(dep)
            if value is None:
                value = memo[dep] = _adapter.normalize_dep(dep)
            out.append(value)
        return out
    return [t._.udep for t in doc]


class DocView:
    """Every token of ``doc`` as a :class:`TokenView` (``view.tokens[i]``, ``view[i]``, iteration),
    the sentences (``sents``: :class:`SpanView` list; ValueError when the Doc has no sentence
    boundaries, as spaCy) and the entities (``ents``: the Doc's own ``Span`` objects)."""

    def __init__(self, doc: Any):
        self.doc_obj = doc
        n = len(doc)
        strings = doc.vocab.strings
        lookup: dict[int, str] = {0: ""}

        def names(hashes: list[int]) -> list[str]:
            for h in set(hashes).difference(lookup):
                lookup[h] = strings[h]
            return list(map(lookup.__getitem__, hashes))

        if n:
            hashed = doc.to_array([ORTH, LOWER, LEMMA, TAG, DEP, ENT_TYPE]).T.tolist()
            signed = doc.to_array([HEAD, SENT_START, IDX, POS, ENT_IOB, SPACY, IS_ALPHA, IS_PUNCT, IS_SPACE])
            signed = signed.view("int64").T.tolist()
        else:
            hashed = [[] for _ in range(6)]
            signed = [[] for _ in range(9)]
        words, lowers, lemmas, tags, deps, ent_types = (names(col) for col in hashed)
        rel_heads, sent_starts, idxs, pos_ids, iobs, spaces, alphas, puncts, is_spaces = signed
        # doc.text is every token's text + trailing whitespace (spaCy builds it from Token objects)
        self.text: str = "".join([w + " " if sp else w for w, sp in zip(words, spaces)])
        pos = [_POS_NAMES[p] for p in pos_ids]
        heads = [k + h for k, h in enumerate(rel_heads)]
        udeps = _udep_values(doc, deps, pos, heads)
        self.has_udep = udeps is not None
        # the columns, for code that wants plain lists (udeps: None without the extension)
        self.words, self.lemmas, self.pos, self.deps, self.idxs, self.heads = words, lemmas, pos, deps, idxs, heads
        self.is_spaces = is_spaces
        self.udeps = udeps
        if udeps is None:
            udeps = [None] * n
        tokens: list[TokenView] = []
        append = tokens.append
        for k, (w, lo, le, p, tg, d, ix, et, iob, al, pu, isp, sp, ss, ud) in enumerate(zip(
                words, lowers, lemmas, pos, tags, deps, idxs, ent_types, iobs, alphas, puncts, is_spaces, spaces,
                sent_starts, udeps)):
            tv = TokenView()
            tv.view = self
            tv.i = k
            tv.text = w
            tv.lower_ = lo
            tv.lemma_ = le
            tv.pos_ = p
            tv.tag_ = tg
            tv.dep_ = d
            tv.udep = ud
            tv.idx = ix
            tv.ent_type_ = et
            tv.ent_iob_ = _IOB_NAMES[iob]
            tv.is_alpha = al != 0
            tv.is_punct = pu != 0
            tv.is_space = isp != 0
            tv.whitespace_ = " " if sp else ""
            tv.is_sent_start = None if ss == 0 else ss > 0
            tv.children = ()
            append(tv)
        self.tokens = tokens
        # children in index order (as spaCy's lefts + rights); tuples: shared, never mutated
        kids: dict[int, list[TokenView]] = {}
        for tv, h in zip(tokens, heads):
            tv.head = head = tokens[h]
            if head is not tv:
                kids.setdefault(h, []).append(tv)
        for h, ks in kids.items():
            tokens[h].children = tuple(ks)
        self.ents = doc.ents
        self._sents: list[SpanView] | None = None
        self._sent_index: list[int] | None = None
        if "sents" in doc.user_hooks or "root" in doc.user_span_hooks:
            try:
                self._sents = [SpanView(self, sp.start, sp.end, sp.root.i) for sp in doc.sents]
            except ValueError:  # no sentence boundaries
                pass
        elif n <= 1 or any(sent_starts[1:]):  # doc.has_annotation("SENT_START"), from the array
            # as Doc.sents: a sentence starts at token 0 and wherever sent_start == 1
            bounds = [0] + [k for k in range(1, n) if sent_starts[k] == 1]
            if n:
                bounds.append(n)
            self._sents = []
            for s_start, s_end in zip(bounds, bounds[1:]):
                # as Span.root: the first token that is its own head, else spaCy's path-length rule
                root = next((k for k in range(s_start, s_end) if heads[k] == k), None)
                if root is None:
                    root = doc[s_start:s_end].root.i
                self._sents.append(SpanView(self, s_start, s_end, root))
        if self._sents is not None:
            index = [0] * n
            for m, sv in enumerate(self._sents):
                for k in range(sv.start, sv.end):
                    index[k] = m
            self._sent_index = index
        self._cache: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, i: Any) -> Any:
        """``view[i]``: a TokenView (negative indices as spaCy); ``view[i:j]``: a :class:`SpanView`
        (bounds clipped as spaCy's ``doc[i:j]``)."""
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self.tokens))
            if step != 1:
                raise ValueError("a DocView slice has step 1")
            return SpanView(self, start, max(start, stop), None)
        return self.tokens[i]

    def __iter__(self) -> Iterator[TokenView]:
        return iter(self.tokens)

    @property
    def sents(self) -> list[SpanView]:
        """The sentences, as ``doc.sents`` (ValueError, as spaCy's, when the Doc has no boundaries)."""
        if self._sents is None:
            list(self.doc_obj.sents)  # raises E030
            raise ValueError("sentence boundaries unset")
        return self._sents

    def char_span(self, start: int, end: int, alignment_mode: str = "strict") -> SpanView | None:
        """``doc.char_span(start, end, alignment_mode=...)`` as a :class:`SpanView` (None where spaCy
        gives None)."""
        span = self.doc_obj.char_span(start, end, alignment_mode=alignment_mode)
        if span is None:
            return None
        if len(span) == 0:
            return SpanView(self, span.start, span.end, -1)
        return SpanView(self, span.start, span.end, span.root.i)

    def sent_of(self, i: int) -> SpanView:
        """The sentence holding token ``i`` (as spaCy's ``Token.sent``)."""
        if self._sents is None:
            return self.doc_obj[i].sent  # raises as spaCy does
        return self._sents[self._sent_index[i]]

    def edges(self, i: int) -> tuple[int, int]:
        """(left_edge, right_edge) index of token ``i`` as spaCy has them (its edges are not always the
        subtree's extent when the parse is non-projective, so they are read, not recomputed)."""
        key = ("edges", i)
        edges = self._cache.get(key)
        if edges is None:
            tok = self.doc_obj[i]
            edges = self._cache[key] = (tok.left_edge.i, tok.right_edge.i)
        return edges

    def span_text(self, i: int, j: int) -> str:
        """``doc[i:j].text`` (tokens i..j-1, without the last token's trailing whitespace)."""
        if i >= j:
            return ""
        last = self.tokens[j - 1]
        return self.text[self.tokens[i].idx:last.idx + len(last.text)]

    def has_annotation(self, attr: Any) -> bool:
        """``doc.has_annotation(attr)``, asked of the Doc once per attribute."""
        key = ("has_annotation", attr)
        if key not in self._cache:
            self._cache[key] = self.doc_obj.has_annotation(attr)
        return self._cache[key]

    def memo(self, key: Any, build: Any) -> Any:
        """Something several extractors derive from this Doc, computed once (``build()``)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


_ACTIVE: dict[int, DocView] = {}


def text_of(doc: Any) -> Any:
    """``doc.text`` (spaCy joins every token on each call): the open scope's copy when there is one."""
    view = _ACTIVE.get(id(doc))
    if view is not None and view.doc_obj is doc:
        return view.text
    return getattr(doc, "text", None)


def view_of(doc: Any) -> DocView:
    """The view of ``doc`` of the open :func:`scope`, else a fresh (uncached) one."""
    view = _ACTIVE.get(id(doc))
    if view is not None and view.doc_obj is doc:
        return view
    return DocView(doc)


@contextmanager
def scope(doc: Any) -> Iterator[DocView]:
    """Share one view of ``doc`` among the extractors run inside the block (nested scopes of the
    same Doc reuse it); the view is dropped when the outermost block ends. ``None`` (no Doc)
    yields ``None``."""
    if doc is None:
        yield None
        return
    key = id(doc)
    view = _ACTIVE.get(key)
    if view is not None and view.doc_obj is doc:
        yield view
        return
    view = DocView(doc)
    _ACTIVE[key] = view
    try:
        yield view
    finally:
        if _ACTIVE.get(key) is view:
            del _ACTIVE[key]
