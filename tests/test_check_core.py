"""The shared checker machinery: dtypes, strides and views, verdicts for a grader."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from brainformers import attention as ref_attention
from brainformers import check
from brainformers import hopfield as ref_hopfield
from brainformers.check._core import CheckFailed, compare
from checking import assert_rejected, run

# ----------------------------------------------------------------- dtypes


def test_float64_torch_answer_is_rejected_with_the_dtype(capsys):
    def float64_modern(patterns, states, beta):
        return ref_hopfield.modern_update(patterns.double(), states.double(), beta)

    assert_rejected(
        check.modern_update,
        float64_modern,
        ref_hopfield.modern_update,
        capsys,
        "output should have dtype torch.float32 (like the inputs), got torch.float64",
        "did you build it with NumPy or torch.tensor(..., dtype=torch.float64)?",
    )


def test_float32_numpy_answer_is_rejected_where_float64_is_expected(capsys):
    def float32_weights(patterns):
        return ref_hopfield.hebbian_weights(patterns).astype(np.float32)

    assert_rejected(
        check.hebbian_weights,
        float32_weights,
        ref_hopfield.hebbian_weights,
        capsys,
        "should have dtype float64 (like the inputs), got float32",
        "Keep NumPy's default float64",
    )


def test_shape_is_reported_before_dtype():
    with pytest.raises(CheckFailed, match=r"of shape \(2, 3\)"):
        compare("x", torch.zeros(3, 2, dtype=torch.float64), torch.zeros(2, 3), "case", "(a, b)")


def test_integer_answer_to_a_float_reference_is_compared_by_value():
    compare("x", np.array([1, -1]), np.array([1.0, -1.0]), "case", "(n,)")


def test_object_array_is_reported_not_blamed_as_a_crash():
    with pytest.raises(CheckFailed, match="should hold numbers, got dtype object"):
        compare("x", np.array([1, None]), np.array([1.0, 0.0]), "case", "(n,)")


# ----------------------------------------------------------------- strides and views


def test_negative_stride_numpy_answer_is_accepted(capsys):
    def built_backwards(patterns):
        rows_reversed = np.ascontiguousarray(ref_hopfield.hebbian_weights(patterns)[::-1])
        w = rows_reversed[::-1]  # the right values, in a view with a negative stride
        assert w.strides[0] < 0
        return w

    result, out = run(check.hebbian_weights, built_backwards, capsys)
    assert result is built_backwards, out


def test_non_contiguous_torch_answer_is_accepted(capsys):
    def transposed_view(n):
        mask = torch.ones(n, n, dtype=torch.bool).triu().T  # lower triangle, a view
        assert n == 1 or not mask.is_contiguous()
        return mask

    result, out = run(check.causal_mask, transposed_view, capsys)
    assert result is transposed_view, out

    def via_transpose(q, k, v, mask=None, scale=None):
        out_t, w_t = ref_attention.scaled_dot_product_attention(q, k, v, mask, scale)
        return out_t.mT.contiguous().mT, w_t.mT.contiguous().mT  # non-contiguous views

    result, out = run(check.attention, via_transpose, capsys)
    assert result is via_transpose, out


# ----------------------------------------------------------------- verdicts


def test_each_outcome_is_recorded_as_a_verdict(capsys):
    before = len(check.verdicts())

    def todo(n):
        raise NotImplementedError

    check.causal_mask(ref_attention.causal_mask)
    check.causal_mask(todo)
    check.causal_mask(lambda n: ref_attention.causal_mask(n).T)
    check.causal_mask(lambda n: 1 / 0)
    out = capsys.readouterr().out
    new = check.verdicts()[before:]
    assert [v.status for v in new] == ["passed", "not attempted", "failed", "failed"]
    assert all(v.exercise == "causal_mask" for v in new)
    assert new[0].message == "all 3 checks passed."
    assert "upper triangle" in new[2].message and new[2].message in out
    assert new[3].message == "your function raised ZeroDivisionError: division by zero"


def test_printed_lines_are_unchanged(capsys):
    check.causal_mask(lambda n: 1 / 0)
    assert capsys.readouterr().out == (
        "✗ causal_mask: your function raised ZeroDivisionError: division by zero\n"
        "  Using the reference implementation so the rest of the notebook runs.\n"
    )


def test_verdicts_returns_a_copy():
    check.verdicts().clear()
    check.causal_mask(ref_attention.causal_mask)
    assert check.verdicts()


def test_verdicts_are_appended_to_the_file_the_environment_names(tmp_path, monkeypatch, capsys):
    path = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv("BRAINFORMERS_VERDICTS", str(path))
    check.causal_mask(ref_attention.causal_mask)
    check.padding_mask(lambda lengths, n: None)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows[0] == {
        "exercise": "causal_mask",
        "status": "passed",
        "message": "all 3 checks passed.",
    }
    assert rows[1]["exercise"] == "padding_mask" and rows[1]["status"] == "failed"
    assert "should be a torch.Tensor, got NoneType" in rows[1]["message"]


def test_an_unwritable_verdict_file_only_warns(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRAINFORMERS_VERDICTS", str(tmp_path / "missing" / "v.jsonl"))
    with pytest.warns(UserWarning, match="could not write the verdict"):
        result = check.causal_mask(ref_attention.causal_mask)
    assert result is ref_attention.causal_mask


def test_every_checker_records_its_verdict_under_its_own_name(capsys):
    """The grader matches ``x = check.NAME(x)`` cells to verdicts by this name."""

    def todo(*args, **kwargs):
        raise NotImplementedError

    names = [n for n in check.__all__ if n not in {"CheckFailed", "Verdict", "verdicts"}]
    assert len(names) >= 25
    for name in names:
        getattr(check, name)(todo)
        verdict = check.verdicts()[-1]
        assert (verdict.exercise, verdict.status) == (name, "not attempted")


def test_counting_calls_keeps_the_globals_the_student_code_creates(capsys):
    namespace: dict = {}
    exec(  # noqa: S102 — stands in for a notebook's __main__
        "from brainformers.attention import scaled_dot_product_attention\n"
        "def via(patterns, states, beta):\n"
        "    global last_beta\n"
        "    last_beta = beta\n"
        "    return scaled_dot_product_attention(states, patterns, patterns, scale=beta)[0]\n",
        namespace,
    )
    result, out = run(check.hopfield_via_attention, namespace["via"], capsys)
    assert result is namespace["via"], out
    assert "last_beta" in namespace
    assert namespace["scaled_dot_product_attention"] is ref_attention.scaled_dot_product_attention
    assert ref_attention.scaled_dot_product_attention.__module__ == "brainformers.attention"
