"""Text reuse detection and source independence."""

from __future__ import annotations

from pathlib import Path

from crossread.analyze import independent_source_count
from crossread.analyze.derivation import detect_derivations
from crossread.records import Article, Derivation
from tests.conftest import SEEDS

ICARO = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
ALL_ISRAEL = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")


def art(article_id: str, text: str, published: str | None = None, outlet: str | None = None) -> Article:
    return Article(id=article_id, source=article_id, outlet=outlet or article_id, title=None,
                   published=published, language="en", text=text)


def pairs(derivations: list[Derivation]) -> dict[tuple[str, str], Derivation]:
    return {(d.source_article, d.derived_article): d for d in derivations}


def test_independent_reports_are_not_derived() -> None:
    assert detect_derivations([art("icaro", ICARO), art("allisrael", ALL_ISRAEL)]) == []


def test_verbatim_copy_with_direction_from_dates() -> None:
    found = pairs(detect_derivations([art("late", ICARO, "2024-03-27"), art("early", ICARO, "2024-03-26")]))
    assert set(found) == {("early", "late")}
    d = found[("early", "late")]
    assert d.kind == "copy" and d.score > 0.95
    for p in d.passages:
        assert ICARO[p.source_start : p.source_end] == p.text
        assert ICARO[p.derived_start : p.derived_end] == p.text


def test_partial_copy_is_partial_and_passages_point_at_reused_text() -> None:
    paragraphs = ICARO.split("\n")
    own = " ".join(f"Original reporting sentence number {i} describes local reaction in different words." for i in range(30))
    derived_text = own + "\n" + "\n".join(paragraphs[3:5])
    found = pairs(detect_derivations([art("src", ICARO, "2024-03-26"), art("der", derived_text, "2024-03-27")]))
    d = found[("src", "der")]
    assert d.kind == "partial"
    for p in d.passages:
        assert derived_text[p.derived_start : p.derived_end] in ICARO


def test_reordered_and_lightly_edited_copies_are_found() -> None:
    paragraphs = ICARO.split("\n")
    reordered = "\n".join(reversed(paragraphs))
    edited = ICARO.replace("Hamas", "the group").replace("officials", "leaders")
    found = pairs(detect_derivations([
        art("src", ICARO, "2024-03-26"), art("reordered", reordered, "2024-03-27"), art("edited", edited, "2024-03-28"),
    ]))
    assert found[("src", "reordered")].kind == "copy"
    assert len(found[("src", "reordered")].passages) >= 3
    assert found[("src", "edited")].kind == "copy"


def test_undated_direction_uses_containment() -> None:
    excerpt = "\n".join(ICARO.split("\n")[2:5])
    found = pairs(detect_derivations([art("whole", ICARO), art("excerpt", excerpt)]))
    assert ("whole", "excerpt") in found


def test_independent_sources_count_wire_copies_once() -> None:
    outlets = {"a": "Wire", "b": "Paper One", "c": "Paper Two", "d": "Paper Two"}
    derivation = Derivation("a", "b", "copy", 1.0, [])
    assert independent_source_count(["a", "b", "c"], outlets, [derivation]) == 2
    assert independent_source_count(["a", "b", "c"], outlets, []) == 3
    assert independent_source_count(["c", "d"], outlets, []) == 1  # same outlet twice


def _basil_fixture(root: Path, triplets: int = 12) -> Path:
    """A BASIL-shaped folder: articles/<year>/<triplet>_<n>.json with varied real-looking text."""
    import json

    words = (ICARO + " " + ALL_ISRAEL).split()
    folder = root / "basil" / "articles" / "2020"
    folder.mkdir(parents=True)
    for t in range(triplets):
        for n, outlet in enumerate(["fox", "nyt", "hpo"], start=1):
            offset = (t * 37 + n * 101) % (len(words) - 200)
            paragraphs = [[" ".join(f"{w}{t}{n}{k}" for w in words[offset + 25 * k : offset + 25 * (k + 1)]) + "."]
                          for k in range(6)]
            (folder / f"trip{t:02d}_{n}.json").write_text(json.dumps({
                "title": f"Story {t}", "date": f"2020-01-{t + 1:02d}", "source": outlet,
                "triplet-uuid": f"trip{t:02d}", "body-paragraphs": paragraphs,
            }))
    return root


def test_eval_derivation_command_writes_metrics(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from crossread.cli import main

    data = _basil_fixture(tmp_path / "data")
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(main, ["eval", "derivation", "--data", str(data), "--per-kind", "4", "--json", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())["metrics"]
    assert {"derived_p", "derived_r", "derived_f1", "direction_acc"} <= set(metrics)
    assert metrics["derived_r"] > 0.9 and metrics["direction_acc"] == 1.0
    assert "SYNTHETIC" in result.output


def _embed():
    from crossread.nlp.embeddings import get_embedding_service

    return get_embedding_service().embed


def test_paraphrase_found_by_sentence_embeddings_and_not_by_ngrams() -> None:
    import random

    from crossread.analyze.eval_derivation import _paraphrase

    rewrite = _paraphrase(ALL_ISRAEL, random.Random(3))
    articles = [art("original", ALL_ISRAEL, "2024-03-26"), art("rewrite", rewrite, "2024-03-27")]
    assert detect_derivations(articles) == []  # no 5-gram survives the rewrite
    found = pairs(detect_derivations(articles, embed=_embed()))
    assert set(found) == {("original", "rewrite")}
    d = found[("original", "rewrite")]
    assert d.kind == "paraphrase" and d.score >= 0.5
    for p in d.passages:
        assert ALL_ISRAEL[p.source_start:p.source_end] == p.text
        assert rewrite[p.derived_start:p.derived_end].strip()


def test_independent_reports_are_not_paraphrases() -> None:
    assert detect_derivations([art("icaro", ICARO), art("allisrael", ALL_ISRAEL)], embed=_embed()) == []


def _bag_of_words_embedder(seen: list[str]):
    """A batch-independent stand-in for MiniLM (normalised word counts) that records what it embeds."""
    import re

    import numpy as np

    index: dict[str, int] = {}

    def embed(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        out = np.zeros((len(texts), 4096), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, index.setdefault(word, len(index))] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    return embed


def test_paraphrase_alignment_embeds_only_what_can_align() -> None:
    import random

    import numpy as np

    from crossread.analyze.derivation import PARAPHRASE_COSINE, _paraphrase_sentences, detect_paraphrases
    from crossread.analyze.eval_derivation import _edit

    seen: list[str] = []
    embed = _bag_of_words_embedder(seen)
    # unrelated texts share too few words to reach the coverage: nothing is embedded
    weather = ("Heavy rain is expected across the northern valleys on Thursday morning. Forecasters warned drivers "
               "about flooded roads near the river crossings. Temperatures will drop sharply after sunset in the hills. "
               "Farmers welcomed the showers after a long and unusually dry summer season.")
    assert detect_paraphrases([art("icaro", ICARO), art("weather", weather)], embed) == []
    assert seen == []
    # two reports of one story: only sentences with a possible partner are embedded
    pair = [art("icaro", ICARO), art("allisrael", ALL_ISRAEL)]
    assert detect_paraphrases(pair, embed) == []
    assert 0 < len(seen) < sum(len(_paraphrase_sentences(a).spans) for a in pair)
    seen.clear()

    edited = _edit(ALL_ISRAEL, random.Random(5))
    articles = [art("original", ALL_ISRAEL, "2024-03-26"), art("edited", edited, "2024-03-27")]
    [found] = detect_paraphrases(articles, embed)
    sa, sb = (_paraphrase_sentences(a) for a in articles)
    assert 0 < len(seen) <= len(sa.spans) + len(sb.spans)
    # the same alignment as embedding every sentence of both articles
    va = embed([ALL_ISRAEL[s:e] for s, e in sa.spans])
    vb = embed([edited[s:e] for s, e in sb.spans])
    sims = va @ vb.T
    best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
    aligned = [(sa.spans[i], sb.spans[j]) for i, j in enumerate(best_b)
               if sims[i, j] >= PARAPHRASE_COSINE and best_a[j] == i]
    assert [((p.source_start, p.source_end), (p.derived_start, p.derived_end)) for p in found.passages] == aligned
    assert found.score == round(len(aligned) / min(len(sa.spans), len(sb.spans)), 4)
