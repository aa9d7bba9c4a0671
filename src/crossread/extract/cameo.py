"""CAMEO codes as event-data tools read them: root and base codes, quad class and Goldstein scale.

The Goldstein weights are the published table (``crossread/data/cameo_goldstein.tsv``, its source in
its header); a code the table lacks takes the weight of its nearest listed parent (``0841`` ->
``084`` -> ``08``). The quad classes partition the 20 CAMEO root codes as the CAMEO literature and
GDELT do: 01-05 verbal cooperation, 06-08 material cooperation, 09-13 verbal conflict, 14-20
material conflict.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
_QUAD_BY_ROOT = {**{r: 1 for r in range(1, 6)}, **{r: 2 for r in range(6, 9)}, **{r: 3 for r in range(9, 14)},
                 **{r: 4 for r in range(14, 21)}}


@lru_cache(maxsize=1)
def goldstein_table() -> dict[str, float]:
    """CAMEO code -> Goldstein weight, as published."""
    text = resources.files("crossread.data").joinpath("cameo_goldstein.tsv").read_text(encoding="utf-8")
    table: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("CAMEOEVENTCODE"):
            continue
        code, weight = line.split("\t")
        table[code.strip()] = float(weight)
    return table


def _code(code: str | None) -> str | None:
    code = (code or "").strip()
    return code if len(code) >= 2 and code.isdigit() else None


def root_code(code: str | None) -> str | None:
    """The two-digit root of a CAMEO code (``"0841"`` -> ``"08"``)."""
    code = _code(code)
    return code[:2] if code else None


def base_code(code: str | None) -> str | None:
    """The three-digit base code (GDELT's EventBaseCode): the code itself when it has two or three digits."""
    code = _code(code)
    return code[:3] if code else None


def quad_class(code: str | None) -> int | None:
    """1-4 (:data:`QUAD_CLASSES`) of a CAMEO code; None for no or an unknown code."""
    root = root_code(code)
    return _QUAD_BY_ROOT.get(int(root)) if root else None


def goldstein(code: str | None) -> float | None:
    """The Goldstein scale of a CAMEO code (nearest listed parent for an unlisted one); None for none."""
    code = _code(code)
    table = goldstein_table()
    while code:
        if code in table:
            return table[code]
        code = code[:-1] if len(code) > 2 else None
    return None
