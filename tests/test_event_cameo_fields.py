"""Event records carry what event-data tools read off the CAMEO code: root, quad class, Goldstein."""

from __future__ import annotations

import dataclasses

from crossread.extract.cameo import goldstein_table
from crossread.records import Event, from_dict


def event(cameo: str | None) -> Event:
    return Event(id="e", plover="ASSAULT", mode=None, cameo=cameo, source=["a"], target=["b"], trigger="struck")


def test_root_quad_class_and_goldstein_follow_the_cameo_code() -> None:
    fight = event("190")  # use conventional military force
    assert (fight.cameo_root, fight.quad_class, fight.goldstein) == ("19", 4, goldstein_table()["190"])
    assert fight.goldstein == -10.0
    meet = event("04")
    assert (meet.cameo_root, meet.quad_class) == ("04", 1) and meet.goldstein == goldstein_table()["04"]
    assert (event(None).cameo_root, event(None).quad_class, event(None).goldstein) == (None, None, None)


def test_an_unlisted_code_takes_its_nearest_listed_parent() -> None:
    table = goldstein_table()
    assert "0849" not in table
    assert event("0849").goldstein == table["084"]


def test_the_derived_fields_never_disagree_with_the_code() -> None:
    """A record read back (JSON, store) with other values gets them from its code again."""
    stale = {**dataclasses.asdict(event("190")), "quad_class": 1, "goldstein": 7.0, "cameo_root": "01"}
    again = from_dict(Event, stale)
    assert (again.cameo_root, again.quad_class, again.goldstein) == ("19", 4, -10.0)
