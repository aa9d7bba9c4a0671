"""Articles not in English: detected, stored with their metadata and language, counted, and never
read by the English NLP and extractors (no English actors, events, quotes or claims from them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.extract import not_analysable
from crossread.ingest.article import make_article
from crossread.ingest.meta import detect_language

GERMAN = ("Der Stadtrat von Freiburg hat am Montag beschlossen, die alte Stadtbibliothek bis zum Herbst zu schließen. "
          "Oberbürgermeister Martin Horn sagte, die Entscheidung sei schmerzhaft, aber nach dem Gutachten der "
          "Ingenieure unvermeidlich. Die Bücher werden in ein Ausweichquartier am Bahnhof gebracht, wo die "
          "Ausleihe ab November wieder möglich sein soll. Die Opposition kritisiert, dass die Bürger nicht "
          "gefragt wurden.")
FRENCH = ("Le conseil municipal de Lyon a voté mardi la fermeture de l'ancienne piscine du quartier de la Croix-Rousse. "
          "Selon le maire, les travaux de rénovation coûteraient plus cher qu'un nouveau bâtiment. Les associations "
          "sportives ont dénoncé une décision prise sans concertation avec les habitants. Une piscine provisoire "
          "sera installée dans le parc voisin pendant l'été.")
SPANISH = ("El ayuntamiento de Valencia aprobó el jueves un plan para plantar más de diez mil árboles en los barrios "
           "del sur de la ciudad. La alcaldesa María José Catalá dijo que el proyecto reducirá la temperatura de las "
           "calles durante el verano. Los vecinos, que llevaban años pidiendo más sombra, celebraron la noticia. "
           "Las obras comenzarán en primavera y durarán dos años.")
ENGLISH = ("The city council of Freiburg voted on Monday to close the old library, a decision the mayor called "
           "painful but unavoidable. Residents gathered outside the Rathaus, holding signs that read \"Nein danke\" "
           "and \"Bücher für alle\". The council said the books would move to a temporary building near the "
           "Hauptbahnhof, where lending is expected to resume in November.")


@pytest.mark.parametrize("text, lang", [(GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es"), (ENGLISH, "en")])
def test_each_article_gets_its_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    article = make_article(text, source="a.txt", fmt="text")
    assert not isinstance(article, str) and article.language == lang
    assert (not_analysable(article) is None) == (lang == "en")


def test_a_template_lang_en_does_not_make_german_english() -> None:
    article = make_article(GERMAN, source="a.html", fmt="html", language="en-US")
    assert not isinstance(article, str) and article.language == "de"
    assert "another language (de)" in (not_analysable(article) or "")
    # a declared language other than English is kept over a close guess (the publisher knows)
    swiss = make_article(GERMAN, source="b.html", fmt="html", language="de-CH")
    assert not isinstance(swiss, str) and swiss.language == "de"


def test_other_languages_are_stored_counted_and_not_analysed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in (("de", GERMAN), ("fr", FRENCH), ("es", SPANISH), ("en", ENGLISH)):
        (corpus / f"{name}.txt").write_text(f"Title: Article {name}\n\n{text}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyze", str(corpus), "-o", str(out), "--workers", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "4 article(s) added" in result.output and "3 of them not in English" in result.output
    for name in ("de", "fr", "es"):
        assert f"{name}.txt: not analysed: the text is in another language ({name})" in result.output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    languages = {a["title"]: a["language"] for a in data["articles"]}
    assert languages == {"Article de": "de", "Article fr": "fr", "Article es": "es", "Article en": "en"}
    english = next(a["id"] for a in data["articles"] if a["language"] == "en")
    for kind in ("events", "quotes", "claims"):
        for record in data[kind]:
            evidence = record["evidence"] if isinstance(record["evidence"], list) else [record["evidence"]]
            assert {e["article_id"] for e in evidence} == {english}, kind
    assert data["quotes"] and data["claims"]  # the English article does give records
    mentioned = {m["article_id"] for actor in data["actors"] for m in actor["mentions"]}
    assert mentioned == {english}
