"""Tiny hand-made UD / UNER / CoNLL fixtures for the NLP tests (written into tmp_path; no tests here)."""

from __future__ import annotations

from pathlib import Path

CONLLU = """# newdoc id = doc1
# sent_id = doc1-0001
# text = Angela Merkel visited Paris on Monday.
1\tAngela\tAngela\tPROPN\tNNP\tNumber=Sing\t3\tnsubj\t_\t_
2\tMerkel\tMerkel\tPROPN\tNNP\tNumber=Sing\t1\tflat\t_\t_
3\tvisited\tvisit\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
4\tParis\tParis\tPROPN\tNNP\tNumber=Sing\t3\tobj\t_\t_
5\ton\ton\tADP\tIN\t_\t6\tcase\t_\t_
6\tMonday\tMonday\tPROPN\tNNP\tNumber=Sing\t3\tobl\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# sent_id = doc1-0002
# text = The United Nations did n't comment.
1\tThe\tthe\tDET\tDT\tDefinite=Def|PronType=Art\t3\tdet\t_\t_
2\tUnited\tUnited\tPROPN\tNNP\tNumber=Sing\t3\tcompound\t_\t_
3\tNations\tNations\tPROPN\tNNPS\tNumber=Plur\t6\tnsubj\t_\t_
4-5\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_
4\tdid\tdo\tAUX\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t6\taux\t_\t_
5\tn't\tnot\tPART\tRB\tPolarity=Neg\t6\tadvmod\t_\t_
6\tcomment\tcomment\tVERB\tVB\tVerbForm=Inf\t0\troot\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t6\tpunct\t_\t_

# sent_id = doc1-0003
# text = German troops left Kabul.
1\tGerman\tGerman\tADJ\tJJ\tDegree=Pos\t2\tamod\t_\t_
2\ttroops\ttroop\tNOUN\tNNS\tNumber=Plur\t3\tnsubj\t_\t_
3\tleft\tleave\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
4\tKabul\tKabul\tPROPN\tNNP\tNumber=Sing\t3\tobj\t_\tSpaceAfter=No
5\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

"""

UNER = """# sent_id = doc1-0001
# text = Angela Merkel visited Paris on Monday.
1\tAngela\tB-PER\t-\tx
2\tMerkel\tI-PER\t-\tx
3\tvisited\tO
4\tParis\tB-LOC\t-\tx
5\ton\tO
6\tMonday\tO
7\t.\tO

# sent_id = doc1-0002
# text = The United Nations did n't comment.
1\tThe\tO
2\tUnited\tB-ORG\t-\tx
3\tNations\tI-ORG\t-\tx
4\tdid\tO
5\tn't\tO
6\tcomment\tO
7\t.\tO

# sent_id = doc1-0003
# text = German troops left Kabul.
1\tGerman\tB-OTH\t-\tx
2\ttroops\tO
3\tleft\tO
4\tKabul\tB-LOC\t-\tx
5\t.\tO

"""

RE3D = """Assad\tB-Person
forces\tO
attacked\tO
Aleppo\tB-Location
.\tO

The\tO
UN\tB-Organisation
condemned\tO
it\tO
.\tO

"""


def write_fixture(root: Path, splits=("train", "dev", "test")) -> Path:
    """Lay out ud/ewt, ud/uner and ner-extra/re3d like ../shared/data, with the same tiny content per split."""
    ewt = root / "ud" / "ewt"
    uner = root / "ud" / "uner"
    ewt.mkdir(parents=True, exist_ok=True)
    uner.mkdir(parents=True, exist_ok=True)
    for split in splits:
        (ewt / f"en_ewt-ud-{split}.conllu").write_text(CONLLU, encoding="utf8")
        (uner / f"en_ewt-ud-{split}.iob2").write_text(UNER, encoding="utf8")
        if split in ("train", "test"):
            d = root / "ner-extra" / "re3d" / "CONLL-format" / "data" / split
            d.mkdir(parents=True, exist_ok=True)
            (d / f"re3d-{split}.conll").write_text(RE3D, encoding="utf8")
    return root
