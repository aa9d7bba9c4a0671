"""Actor codes: CAMEO sector from the registry, role nouns, institution heads, affiliations and US
congressional tags; a state's non-government agent ("Russian police") is an actor of its own."""

from __future__ import annotations

from crossread.extract.actor_codes import actor_sector, sector_nouns, sector_of_words
from crossread.extract.actors import resolve_actors
from crossread.extract.eval_events import _gold_code
from crossread.extract.registry import default_registry
from tests.test_extract_actors import article, make_doc


def _actors(text: str, ents: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    return {a.name: (a.country, a.sector) for a in resolve_actors(article(text), make_doc(text, ents))}


def test_role_nouns_and_heads_give_sectors() -> None:
    assert sector_of_words("Foreign Minister") == "GOV"
    assert sector_of_words("Supreme Court judge") == "JUD"
    assert sector_of_words("Minister of Defence") == "GOV"
    assert sector_of_words("Sen.") == "LEG"
    assert sector_of_words("Hamas leader", skip_generic=True) is None
    assert {"GOV", "MIL", "COP", "JUD", "LEG", "OPP", "REB"} <= set(sector_nouns().values())


def test_registry_sectors_and_igo_country() -> None:
    reg = default_registry()
    hamas = reg.lookup("Hamas").entry
    assert (hamas.country, hamas.sector) == ("PSE", "REB")
    assert reg.lookup("United Nations").entry.country == "IGO"
    assert actor_sector("GPE", "Israel", None, reg.lookup("Israel").entry) is None  # a state as a whole
    # a leader takes the sector of what he leads
    assert actor_sector("PERSON", "Ismail Haniyeh", "Hamas leader", None, hamas) == "REB"


def test_persons_get_country_and_sector_from_titles_and_tags() -> None:
    text = ("Iranian Foreign Minister Ali Bagheri met Hamas leader Khaled Meshaal. "
            "Sen. Tom Walden (R-Texas) and Mary Quill, Democrat of Ohio, spoke.")
    got = _actors(text, {"Ali Bagheri": "PERSON", "Hamas": "ORG", "Khaled Meshaal": "PERSON",
                         "Tom Walden": "PERSON", "Mary Quill": "PERSON"})
    assert got["Ali Bagheri"] == ("IRN", "GOV")
    assert got["Khaled Meshaal"] == ("PSE", "REB")
    assert got["Hamas"] == ("PSE", "REB")
    assert got["Tom Walden"] == ("USA", "LEG")
    assert got["Mary Quill"] == ("USA", "LEG")


def test_russian_police_is_an_actor_of_its_own() -> None:
    text = "Russian police arrested Russian students in Moscow."
    got = _actors(text, {"Moscow": "GPE"})
    assert got["Russian police"] == ("RUS", "COP")
    assert got["Russia"] == ("RUS", None)
    # government nouns stay the state: in event data a state acts through its government
    assert _actors("Israeli officials met.", {}) == {"Israel": ("ISR", None)}


def test_gold_codes_are_read_as_cameo_writes_them() -> None:
    assert _gold_code("CVLalb") == "CVL" and _gold_code("JAP") == "JPN" and _gold_code(None) is None
