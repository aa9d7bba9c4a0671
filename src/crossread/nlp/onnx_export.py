"""Export a MiniLM (BERT) checkpoint to ONNX and quantise it to int8, the recipe both shipped ONNX
models use: the sentence encoder (``scripts/export_minilm_onnx.py``) and the accurate NER model
(``crossread models train-accurate-ner``). Needs the export extra (torch, transformers, onnx).

int8 recipe (plain ``quantize_dynamic`` of every MatMul gives cosine vs torch of only
min 0.975 / mean 0.992 on real news sentences, so three fixes are applied):

1. SmoothQuant-style rescaling (Xiao et al. 2023, alpha 0.7) of every weight MatMul except the
   FFN output projections: per input channel ``x/s`` (one Mul per distinct input) and ``W*s``;
   s from the activation abs-max over calibration sentences.
2. ``onnxruntime.quantization.quantize_dynamic``: int8 per-channel weights, dynamic uint8
   activations, for those MatMuls. The 6 FFN output projections (input = GELU output,
   the error source) stay float: stored fp16, cast to fp32 once when the session loads.
   (The sentence encoder's recipe. The NER model, whose output is an argmax rather than a
   vector, smooths and quantises those too, ``float_ffn_out=False``: same F, a quarter faster.)
3. The word-embedding table (30522 x 384, 47 MB in fp32) is stored int8 with one fp32
   scale per row (symmetric); Gather rows, then dequantise -- only the looked-up rows.
   (The NER model stores it beside the graph in int4 blocks instead, ``embedding_bits=4``: 7.3 MB
   with the scales, unpacked by the component when it loads the model.)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

OPSET = 17


def export_fp32(model_dir: Path, target: Path, *, token_classification: bool = False) -> None:
    """Export a BERT checkpoint to one ONNX file: inputs ``input_ids``, ``attention_mask``,
    ``token_type_ids``; output ``last_hidden_state`` (encoder) or ``logits`` (with
    ``token_classification``, a ``BertForTokenClassification`` checkpoint)."""
    import torch
    from transformers import AutoModel, AutoModelForTokenClassification

    loader = AutoModelForTokenClassification if token_classification else AutoModel
    output_name = "logits" if token_classification else "last_hidden_state"
    # eager attention: plain MatMul/Softmax ops (quantisable, no SDPA tracing quirks)
    model = loader.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager")
    model.eval()

    class Wrapper(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return getattr(out, output_name)

    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 7592, 2088, 2003, 102]], dtype=torch.long)
    mask = (ids != 0).long()
    types = torch.zeros_like(ids)
    with torch.no_grad():
        torch.onnx.export(
            Wrapper(model),
            (ids, mask, types),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output_name],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                output_name: {0: "batch", 1: "seq"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,  # the TorchScript exporter: a plain, stable graph; no onnxscript needed
        )
    # keep everything in one file (the model is ~90 MB, far below the 2 GB protobuf limit)
    import onnx

    proto = onnx.load(str(target), load_external_data=True)
    for extra in target.parent.glob(target.name + ".data"):
        extra.unlink()
    onnx.save_model(proto, str(target), save_as_external_data=False)
    onnx.checker.check_model(str(target))


FFN_OUT = "/output/dense/MatMul"  # FFN down-projection (the attention one is .../attention/output/dense)
ALPHA = 0.7


def _is_ffn_out(node_name: str) -> bool:
    return node_name.endswith(FFN_OUT) and "/attention/" not in node_name


def _weight_matmuls(model):  # noqa: ANN001, ANN202
    inits = {i.name: i for i in model.graph.initializer}
    return [(n, inits[n.input[1]]) for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in inits]


def sentence_feeds(tokenizer_path: Path, sentences: list[str], batch_size: int = 32) -> list[dict]:
    """Calibration inputs from raw sentences: batches of ``batch_size``, padded to the longest, at most
    256 pieces, segment ids 0 (the sentence encoder's input)."""
    import numpy as np
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.enable_truncation(max_length=256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    feeds = []
    for start in range(0, len(sentences), batch_size):
        enc = tok.encode_batch(sentences[start : start + batch_size])
        ids = np.asarray([e.ids for e in enc], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    return feeds


def _activation_absmax(model_path: Path, feeds: list[dict], names: list[str]) -> dict:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m = onnx.load(str(model_path))
    for name in names:
        m.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    amax: dict = {}
    for feed in feeds:
        outs = sess.run(names, feed)
        valid = feed["attention_mask"].astype(bool)
        for name, out in zip(names, outs):
            a = np.abs(out[valid]).max(axis=0)
            amax[name] = a if name not in amax else np.maximum(amax[name], a)
    return amax


def smooth(src: Path, target: Path, feeds: list[dict], *, skip_ffn_out: bool = True) -> None:
    """x @ W == (x / s) @ (s * W): flatten activation outliers before per-tensor quantisation
    (``skip_ffn_out``: not the FFN output projections, which then stay float)."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(str(src))
    groups: dict[str, list] = {}
    for node, weight in _weight_matmuls(m):
        if not (skip_ffn_out and _is_ffn_out(node.name)):
            groups.setdefault(node.input[0], []).append((node, weight))
    amax = _activation_absmax(src, feeds, sorted(groups))
    for x_name, members in groups.items():
        weights = [numpy_helper.to_array(w) for _, w in members]
        w_max = np.maximum(np.max([np.abs(w).max(axis=1) for w in weights], axis=0), 1e-5)
        a_max = np.maximum(amax[x_name], 1e-5)
        s = np.clip(a_max**ALPHA / w_max ** (1 - ALPHA), 1e-2, 1e2).astype(np.float32)
        for (node, init), w in zip(members, weights):
            init.CopyFrom(numpy_helper.from_array((w * s[:, None]).astype(np.float32), init.name))
        inv_name, y_name = f"{x_name}_smooth_inv", f"{x_name}_smoothed"
        m.graph.initializer.append(numpy_helper.from_array((1.0 / s).astype(np.float32), inv_name))
        mul = helper.make_node("Mul", [x_name, inv_name], [y_name], name=f"{x_name}_smooth")
        first = min(list(m.graph.node).index(node) for node, _ in members)
        m.graph.node.insert(first, mul)
        for node, _ in members:
            node.input[0] = y_name
    onnx.save(m, str(target))


INT4_BLOCK = 32  # word-embedding values sharing one scale in the int4 table
INT4_TABLE_INPUT = "word_embeddings"  # the graph input that receives the unpacked int4 table
INT4_TABLE_FILE = "word_embeddings.int4.npz"  # beside the model: packed values and scales


def _int8_row_gather(m, node, table):  # noqa: ANN001, ANN202
    """Gather of int8 rows with one fp32 scale per row (symmetric), then dequantise the looked-up rows."""
    from onnx import TensorProto, helper, numpy_helper

    from crossread.nlp.compact import quantize_rows

    q, scale = quantize_rows(table)
    name = node.input[0]
    qn, sn = f"{name}_int8", f"{name}_scale"
    m.graph.initializer.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale[:, None], sn)])
    ids, out = node.input[1], node.output[0]
    return [
        helper.make_node("Gather", [qn, ids], [f"{out}_q"], name=f"{node.name}_q", axis=0),
        helper.make_node("Gather", [sn, ids], [f"{out}_s"], name=f"{node.name}_s", axis=0),
        helper.make_node("Cast", [f"{out}_q"], [f"{out}_qf"], to=TensorProto.FLOAT, name=f"{node.name}_cast"),
        helper.make_node("Mul", [f"{out}_qf", f"{out}_s"], [out], name=f"{node.name}_dequant"),
    ]


def _int4_table_input(m, node, table, folder: Path) -> list:  # noqa: ANN001
    """The table leaves the graph: the Gather reads the graph input :data:`INT4_TABLE_INPUT`, and the
    table is stored beside the model in int4 blocks, one fp32 scale per :data:`INT4_BLOCK` values of a
    row (:data:`INT4_TABLE_FILE`, :func:`crossread.nlp.compact.pack_int4_blocks`), half the int8
    table's size. The component unpacks it with numpy when it loads the model and passes it with every
    call (onnxruntime reads the array in place). Earlier exports unpacked it inside the graph, from
    initializers that onnxruntime constant-folds at session load: the same run time, but folding kept
    every float intermediate alive at once, a 370 MB peak of memory for a 47 MB table.
    onnxruntime's ``GatherBlockQuantized`` reads int4 directly but made the whole model 6-9 % slower."""
    import numpy as np
    from onnx import TensorProto, helper

    from crossread.nlp.compact import pack_int4_blocks

    packed, scale = pack_int4_blocks(table, INT4_BLOCK)
    np.savez(folder / INT4_TABLE_FILE, packed=packed, scale=scale)
    m.graph.input.append(helper.make_tensor_value_info(INT4_TABLE_INPUT, TensorProto.FLOAT, list(table.shape)))
    return [helper.make_node("Gather", [INT4_TABLE_INPUT, node.input[1]], [node.output[0]], name=node.name, axis=0)]


def compress_float_parts(path: Path, *, embedding_bits: int = 8) -> None:
    """Float FFN-out weights -> fp16 (+Cast); word embeddings -> int8 rows + fp32 row scales, or with
    ``embedding_bits=4`` int4 blocks beside the model (:func:`_int4_table_input`)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(str(path))
    inits = {i.name: i for i in m.graph.initializer}
    nodes = list(m.graph.node)
    for node in nodes:
        if node.op_type == "MatMul" and _is_ffn_out(node.name) and node.input[1] in inits:
            init = inits[node.input[1]]
            w = numpy_helper.to_array(init)
            half = f"{init.name}_fp16"
            m.graph.initializer.append(numpy_helper.from_array(w.astype(np.float16), half))
            cast_out = f"{init.name}_fp32"
            m.graph.node.insert(
                list(m.graph.node).index(node),
                helper.make_node("Cast", [half], [cast_out], to=TensorProto.FLOAT, name=f"{node.name}_w_cast"),
            )
            node.input[1] = cast_out
            m.graph.initializer.remove(init)
    for node in nodes:
        if node.op_type != "Gather" or node.input[0] not in inits:
            continue
        init = inits[node.input[0]]
        if "word_embeddings" not in init.name:
            continue
        table = numpy_helper.to_array(init).astype(np.float32)
        new = _int4_table_input(m, node, table, Path(path).parent) if embedding_bits == 4 \
            else _int8_row_gather(m, node, table)
        idx = list(m.graph.node).index(node)
        m.graph.node.remove(node)
        for k, n in enumerate(new):
            m.graph.node.insert(idx + k, n)
        m.graph.initializer.remove(init)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def quantize_int8(src: Path, target: Path, calibration_feeds: list[dict], *, float_ffn_out: bool = True,
                  embedding_bits: int = 8) -> None:
    """SmoothQuant (scales from ``calibration_feeds``, model input dicts), dynamic int8, compressed
    float parts: the recipe of the module docstring. ``float_ffn_out=False`` smooths and quantises the
    FFN output projections too: a third of the MatMul work moves to int8 (faster), at some fidelity.
    ``embedding_bits=4`` stores the word-embedding table in int4 blocks (:func:`compress_float_parts`)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        smoothed = Path(tmp) / "smoothed.onnx"
        smooth(src, smoothed, calibration_feeds, skip_ffn_out=float_ffn_out)
        keep_float = [n.name for n, _ in _weight_matmuls(onnx.load(str(smoothed)))
                      if float_ffn_out and _is_ffn_out(n.name)]
        quantize_dynamic(
            str(smoothed),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=keep_float,
        )
    compress_float_parts(target, embedding_bits=embedding_bits)
