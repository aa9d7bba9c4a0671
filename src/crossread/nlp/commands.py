"""Click commands plugged into the crossread CLI: ``models train`` and ``eval nlp``."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

EXIT_USAGE = 2


def _data_ok(data: Path, need: list[str]) -> bool:
    return data.exists() and any((data / n).exists() for n in need)


@click.command(name="train")
@click.option("--data", "data", type=click.Path(path_type=Path), default=Path("../shared/data"), show_default=True,
              help="Folder holding ud/ (EWT, GUM, UNER) and ner-extra/ (re3d, wikigold, BTC).")
@click.option("--output", "output", type=click.Path(path_type=Path), default=Path("training/en_crossread"),
              show_default=True, help="Training work folder; the final pipeline is OUTPUT/model-final.")
@click.option("--max-epochs", type=int, default=None, help="Stop after N epochs (default: config / time budget).")
@click.option("--time-budget", "time_budget", type=float, default=2580, show_default=True,
              help="Wall-clock budget in seconds for the training loop (0: none).")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--config", "config", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="spaCy training config (default: configs/nlp/en_crossread.cfg, the shipped pipeline's, with "
                   "static vectors distilled from MiniLM; configs/nlp/en_crossread_novectors.cfg goes without).")
@click.option("--tiny", is_flag=True, help="A few sentences, one epoch (CI smoke test).")
@click.option("--crf-only", is_flag=True,
              help="Keep the CNN checkpoint and corpus of an earlier run in OUTPUT; train the CRF NER layer again.")
def train_command(data: Path, output: Path, max_epochs: int | None, time_budget: float, seed: int,
                  config: Path | None, tiny: bool, crf_only: bool) -> None:
    """Train the CNN pipeline (tagger, morphologizer, parser, NER, CRF NER layer, lemmatizer, gazetteer).
    The shipped pipeline keeps its syntax components and takes its entities from the transformer NER
    (train-accurate-ner); `crossread models package` assembles the two."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not _data_ok(data, ["ud/ewt", "ud/gum", "ner-extra"]):
        click.echo(f"training data not found under {data} (expected ud/ewt, ud/gum, ud/uner, ner-extra/)", err=True)
        sys.exit(EXIT_USAGE)
    from crossread.nlp.train import train

    try:
        final = train(data, output, max_epochs=max_epochs, tiny=tiny, seed=seed,
                      time_budget_s=0 if tiny else time_budget, config=config, crf_only=crf_only)
    except FileNotFoundError as exc:
        if not crf_only:
            raise
        click.echo(str(exc), err=True)  # no earlier run to add a CRF layer to
        sys.exit(EXIT_USAGE)
    report = json.loads((output / "training_scores.json").read_text())
    click.echo("dev scores of the kept checkpoint (test scores: crossread eval nlp):")
    for name, value in sorted(report["metrics"].items()):
        click.echo(f"  {name:<12} {value:.4f}")
    if "crf" in report:
        crf = report["crf"]
        click.echo(f"CRF NER layer: {crf['sentences']} sentences, {crf['train_s']} s, {crf['model_bytes']} bytes")
    click.echo(f"pipeline written to {final}")


@click.command(name="train-accurate-ner")
@click.option("--data", "data", type=click.Path(path_type=Path), default=Path("../shared/data"), show_default=True,
              help="Folder holding ud/ (EWT, GUM, UNER) and ner-extra/ (re3d, wikigold, BTC).")
@click.option("--output", "output", type=click.Path(path_type=Path), default=Path("training/minilm_ner"),
              show_default=True, help="Work folder; the exported model is OUTPUT/model.")
@click.option("--epochs", type=int, default=4, show_default=True)
@click.option("--lr", type=float, default=1e-4, show_default=True)
@click.option("--batch-size", type=int, default=8, show_default=True, help="Segments (packed sentences) per step.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=int, default=None, help="torch threads (default: all CPUs).")
@click.option("--tiny", is_flag=True, help="A few sentences, two steps (CI smoke test).")
@click.option("--no-case-ids", "no_case_ids", is_flag=True,
              help="Leave every segment id 0 (ablation: the uncased model without the words' case).")
@click.option("--layers", type=click.IntRange(1, 6), default=None,
              help="Keep only the encoder's bottom N layers (default: all 6): faster, a little less accurate.")
@click.option("--ffn-size", type=click.IntRange(1, 1536), default=None,
              help="Keep only the N most important FFN neurons of each layer (default: all): faster.")
@click.option("--teacher", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Distil from this fine-tuned checkpoint (OUTPUT/checkpoint of an earlier run); the student "
                   "starts as its bottom --layers.")
@click.option("--distill-weight", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Weight of the teacher's soft labels against the gold tags (with --teacher).")
@click.option("--temperature", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True,
              help="Softmax temperature of the distillation (with --teacher).")
@click.option("--install", is_flag=True,
              help="Copy the exported model into the shipped pipeline (crossread/models/en_crossread/).")
def train_accurate_ner_command(data: Path, output: Path, epochs: int, lr: float, batch_size: int, seed: int,
                               threads: int | None, tiny: bool, no_case_ids: bool, layers: int | None,
                               ffn_size: int | None, teacher: Path | None, distill_weight: float, temperature: float,
                               install: bool) -> None:
    """Fine-tune MiniLM for NER (the shipped pipeline's entities) and export it to int8 ONNX.
    Needs the export extra (and train, for the city gazetteer): pip install 'crossread[train,export]'."""
    # progress from crossread only: onnxruntime's quantizer logs every tensor on the root logger at INFO
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("crossread").setLevel(logging.INFO)
    if not _data_ok(data, ["ud/ewt", "ud/gum", "ner-extra"]):
        click.echo(f"training data not found under {data} (expected ud/ewt, ud/gum, ud/uner, ner-extra/)", err=True)
        sys.exit(EXIT_USAGE)
    try:
        from crossread.nlp import transformer_ner_train
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        click.echo(f"{exc.name} is not installed; the training needs pip install 'crossread[train,export]'", err=True)
        sys.exit(EXIT_USAGE)
    report = transformer_ner_train.train(data, output, epochs=1 if tiny else epochs, lr=lr, batch_size=batch_size,
                                         seed=seed, tiny=tiny, threads=threads, max_steps=2 if tiny else None,
                                         case_ids=not no_case_ids, layers=layers, ffn_size=ffn_size, teacher=teacher,
                                         distill_weight=distill_weight, temperature=temperature)
    for row in report["dev"]:
        click.echo(f"epoch {row['epoch']}: UNER dev ner_f {row['ner_f']:.4f}")
    click.echo(f"kept epoch {report['kept_epoch']}; model written to {output / 'model'}")
    if install:
        click.echo(f"installed in {transformer_ner_train.install(output)}")


@click.command(name="package")
@click.option("--trained", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("training/en_crossread/model-final"), show_default=True,
              help="CNN pipeline of `crossread models train` (its syntax components are kept).")
@click.option("--ner", "ner_model", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Exported transformer NER model (`train-accurate-ner`: OUTPUT/model; default: the shipped one).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the pipeline (default: the package's src/crossread/models/en_crossread).")
def package_command(trained: Path, ner_model: Path | None, output: Path | None) -> None:
    """Assemble the shipped pipeline: the trained syntax components, the transformer NER, the gazetteer,
    with compact vectors and hash tables; prints its size."""
    from crossread.nlp.train import package
    from crossread.nlp.transformer_ner import model_available

    if ner_model is not None and not model_available(ner_model):
        click.echo(f"no exported transformer NER model in {ner_model} (labels.json, model_int8.onnx)", err=True)
        sys.exit(EXIT_USAGE)
    if not (trained / "config.cfg").exists() or not (trained / "tok2vec").exists():
        click.echo(f"{trained} is not a trained crossread CNN pipeline (config.cfg, tok2vec/)", err=True)
        sys.exit(EXIT_USAGE)
    dest = package(trained, output, ner_model=ner_model)
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    click.echo(f"pipeline written to {dest}: {size:,} bytes")


@click.command(name="nlp")
@click.option("--data", "data", type=click.Path(path_type=Path), default=Path("../shared/data"), show_default=True,
              help="Data folder (ud/ewt, ud/uner, ud/gum, ner-extra/re3d laid out as in shared/data).")
@click.option("--model", default=None, help="spaCy pipeline name or path (default: the shipped crossread pipeline; "
                                            "an exported transformer NER folder: the same with that model).")
@click.option("--split", default="test", show_default=True, help="Which split's files to read (test, dev).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None, help="Write metrics JSON here.")
@click.option("--no-speed", is_flag=True, help="Skip the throughput measurement.")
def eval_nlp_command(data: Path, model: str | None, split: str, json_path: Path | None, no_speed: bool) -> None:
    """Tagging, parsing, sentence and NER scores of an NLP pipeline on gold data, plus words/s."""
    if not _data_ok(data, ["ud/ewt", "ud/gum", "ud/uner", "ner-extra/re3d"]):
        click.echo(f"no NLP gold data under {data} (expected ud/ewt, ud/uner, ud/gum or ner-extra/re3d)", err=True)
        sys.exit(EXIT_USAGE)
    from crossread.nlp.evaluate import evaluate, format_table

    metrics = evaluate(data, model=model, split=split, speed=not no_speed)
    if not metrics:
        click.echo(f"no {split} files found under {data}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"NLP evaluation: model={model or 'shipped en_crossread'} data={data} split={split}")
    click.echo(format_table(metrics))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({"task": "nlp", "data": str(data), "metrics": metrics}, indent=2) + "\n")
        click.echo(f"wrote {json_path}")
