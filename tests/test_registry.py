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
