"""``crossread eval stories`` on a tiny ECB+-style and BASIL-style fixture."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crossread.link.eval_stories import eval_stories_command

QUAKE = "A strong earthquake struck Northern California on Sunday , damaging homes in Napa and injuring dozens ."
CHILE = "A magnitude 8 earthquake hit northern Chile on Tuesday , triggering a tsunami warning along the coast ."
FIRE = "Apple fired its retail chief after weak iPhone sales , the company said in Cupertino ."
MERGER = "Oracle agreed to buy Sun Microsystems for 7 billion dollars in a cash deal ."


def _xml(path: Path, text: str) -> None:
    toks = "\n".join(f'<token t_id="{i + 1}" sentence="0" number="{i}">{w}</token>' for i, w in enumerate(text.split()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<Document doc_name="{path.name}" doc_id="D">\n{toks}\n<Markables>\n</Markables>\n'
                    "<Relations>\n</Relations>\n</Document>", encoding="utf-8")


def _basil(folder: Path, uuid: str, n: int, text: str) -> None:
    path = folder / "basil" / "articles" / "2012" / f"{uuid}_{n}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"triplet-uuid": uuid, "source": ["fox", "nyt", "hpo"][n - 1], "title": text[:30],
                                "date": "2012-01-01", "body-paragraphs": [[text]]}), encoding="utf-8")


def test_eval_stories(tmp_path):
    ecb = tmp_path / "ecbplus" / "ECB+"
    for topic in (1, 2):  # 1 = train topic (threshold tuned there), 2 = dev topic
        for n in (1, 2):
            _xml(ecb / str(topic) / f"{topic}_{n}ecb.xml", QUAKE if topic == 1 else FIRE)
            _xml(ecb / str(topic) / f"{topic}_{n}ecbplus.xml", CHILE if topic == 1 else MERGER)
    for n in (1, 2, 3):
        _basil(tmp_path, "u-quake", n, QUAKE + " " + "Rescuers searched the rubble ." * n)
        _basil(tmp_path, "u-merger", n, MERGER + " " + "Shares rose ." * n)
    out = tmp_path / "s.json"
    result = CliRunner().invoke(eval_stories_command, ["--data", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())["metrics"]
    for name in ("b3_f1", "ari", "ecb_b3_f1", "ecb_ari", "basil_b3_f1", "basil_ari"):
        assert name in metrics
    assert metrics["ecb_b3_f1"] == 1.0 and metrics["basil_b3_f1"] == 1.0


def test_eval_stories_needs_data(tmp_path):
    result = CliRunner().invoke(eval_stories_command, ["--data", str(tmp_path)])
    assert result.exit_code == 2
