"""The built-in actor registry names countries the way news does."""

from __future__ import annotations

from crossread.extract.registry import default_registry


def test_country_names_are_not_iso_inverted_forms() -> None:
    registry = default_registry()
    countries = [e for e in registry.entries.values() if e.type == "GPE"]
    assert len(countries) >= 190
    inverted = [e.name for e in countries if ", " in e.name]
    assert inverted == []
    assert registry.entries["PSE"].name == "Palestine"
    assert registry.entries["USA"].name == "United States"
    # the ISO forms stay findable as aliases
    assert registry.lookup("Palestine, State of").entry.key == "PSE"


def test_preferred_news_names_and_metonyms() -> None:
    registry = default_registry()
    # a leading "=" in countries.tsv picks the name news uses over ISO's
    assert registry.entries["RUS"].name == "Russia"
    assert registry.entries["VAT"].name == "Vatican"
    assert registry.lookup("Russian Federation").entry.key == "RUS"  # ISO's name stays an alias
    assert all("(" not in e.name for e in registry.entries.values() if e.type == "GPE")
    assert registry.lookup("the Zionist regime").entry.key == "ISR"
    assert registry.lookup("Kremlin").entry.key == "RUS"
