"""The compressed word-embedding tables of crossread.nlp.onnx_export: onnxruntime must read back what
was stored, within the quantisation step (int8 rows inside the graph; int4 blocks beside it, unpacked
by crossread.nlp.compact and fed as an input, as the NER component does)."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from crossread.nlp import onnx_export  # noqa: E402


def _embedding_model(path, table: np.ndarray) -> None:
    from onnx import TensorProto, helper, numpy_helper

    node = helper.make_node("Gather", ["bert.embeddings.word_embeddings.weight", "input_ids"], ["embedded"],
                            name="/embeddings/word_embeddings/Gather", axis=0)
    graph = helper.make_graph(
        [node], "embeddings",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["batch", "seq", table.shape[1]])],
        initializer=[numpy_helper.from_array(table, "bert.embeddings.word_embeddings.weight")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_export.OPSET)]), str(path))


@pytest.mark.parametrize("bits", [8, 4])
def test_compressed_embedding_rows_read_back(tmp_path, bits):
    rng = np.random.default_rng(0)
    table = rng.normal(scale=0.05, size=(1000, 64)).astype(np.float32)
    table[7, 3] = 0.9  # an outlier: with int4 only its own block of 32 values loses resolution
    path = tmp_path / "emb.onnx"
    _embedding_model(path, table)
    before = path.stat().st_size
    onnx_export.compress_float_parts(path, embedding_bits=bits)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids = np.array([[0, 7, 999], [3, 3, 12]], dtype=np.int64)
    feed = {"input_ids": ids}
    sidecar = tmp_path / onnx_export.INT4_TABLE_FILE
    assert sidecar.exists() == (bits == 4)
    if bits == 4:  # the table is an input now, stored beside the model
        from crossread.nlp.compact import unpack_int4_blocks

        assert {i.name for i in session.get_inputs()} == {"input_ids", onnx_export.INT4_TABLE_INPUT}
        with np.load(sidecar) as stored:
            feed[onnx_export.INT4_TABLE_INPUT] = unpack_int4_blocks(stored["packed"], stored["scale"])
    got = session.run(None, feed)[0]
    levels = 127 if bits == 8 else 7
    block = table.shape[1] if bits == 8 else onnx_export.INT4_BLOCK
    blocks = np.abs(table[ids]).reshape(*ids.shape, -1, block).max(axis=-1)  # the scale of each value's block
    step = np.repeat(blocks / levels, block, axis=-1)
    assert np.all(np.abs(got - table[ids]) <= step / 2 + 1e-7)
    # the outlier's row: values outside its block keep their int4 resolution
    if bits == 4:
        other_block = slice(onnx_export.INT4_BLOCK, 2 * onnx_export.INT4_BLOCK)
        assert np.abs(got[0, 1, other_block] - table[7, other_block]).max() < 0.9 / 7 / 2
    stored = path.stat().st_size + (sidecar.stat().st_size if bits == 4 else 0)
    assert stored < before / (3 if bits == 8 else 5)
