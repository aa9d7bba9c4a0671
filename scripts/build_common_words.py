"""Build ``src/crossread/data/common_words.txt``: words UD English uses as common nouns or adjectives.

A word is listed when its lower-cased form is tagged NOUN or ADJ at least twice in the UD English
EWT + GUM train files (CC BY-SA 4.0 / CC BY 4.0) and at least as often as it is tagged
PROPN ("earth", "committee", "western" are listed; "trump", "congress" are not, or not often enough
as common words). Used by ``crossread eval basil`` to count actors named by one common word.

    python scripts/build_common_words.py ../shared/data/ud
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/crossread/data/common_words.txt"


def main(ud: Path) -> None:
    common: Counter[str] = Counter()
    proper: Counter[str] = Counter()
    for path in [ud / "ewt/en_ewt-ud-train.conllu", ud / "gum/en_gum-ud-train.conllu"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 5 or not cols[0].isdigit():
                continue
            form, upos = cols[1].lower(), cols[3]
            if not form.isalpha():
                continue
            if upos in ("NOUN", "ADJ"):
                common[form] += 1
            elif upos == "PROPN":
                proper[form] += 1
    listed = sorted(w for w, n in common.items() if n >= 2 and n >= proper[w])
    header = ("# lower-case words UD English EWT + GUM train tag NOUN/ADJ >= 2 times and at least as often as PROPN\n"
              "# built by scripts/build_common_words.py; data: UD English EWT (CC BY-SA 4.0), GUM (CC BY 4.0)\n")
    OUT.write_text(header + "\n".join(listed) + "\n", encoding="utf-8")
    print(f"{len(listed)} words -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ud"))
