"""The shared checker machinery: dtypes, strides and views, verdicts for a grader."""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import linecache
import re

import numpy as np
import pytest
import torch
from brainformers import attention as ref_attention
from brainformers import check
from brainformers import hopfield as ref_hopfield
from brainformers.check._core import CheckFailed, compare, run_checks
from checking import as_student, assert_rejected, run

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

    check.causal_mask(as_student(ref_attention.causal_mask))
    check.causal_mask(todo)
    check.causal_mask(lambda n: ref_attention.causal_mask(n).T)
    check.causal_mask(lambda n: 1 / 0)
    out = capsys.readouterr().out
    new = check.verdicts()[before:]
    assert [v.status for v in new] == ["passed", "not attempted", "failed", "failed"]
    assert all(v.exercise == "causal_mask" for v in new)
    assert new[0].message == "all 3 checks passed."
    assert "upper triangle" in new[2].message and new[2].message in out
    assert new[3].message.startswith("your function raised ZeroDivisionError: division by zero")


def test_printed_lines_are_unchanged(capsys):
    def crash(n):
        return 1 / 0

    line = crash.__code__.co_firstlineno + 1
    check.causal_mask(crash)
    assert capsys.readouterr().out == (
        "✗ causal_mask: your function raised ZeroDivisionError: division by zero"
        f" — in crash, line {line}: `return 1 / 0` (called with n=4)\n"
        "  Using the reference implementation so the rest of the notebook runs.\n"
    )


def test_verdicts_returns_a_copy():
    check.verdicts().clear()
    check.causal_mask(as_student(ref_attention.causal_mask))
    assert check.verdicts()


def test_verdicts_are_appended_to_the_file_the_environment_names(tmp_path, monkeypatch, capsys):
    path = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv("BRAINFORMERS_VERDICTS", str(path))
    check.causal_mask(as_student(ref_attention.causal_mask))
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
    mine = as_student(ref_attention.causal_mask)
    with pytest.warns(UserWarning, match="could not write the verdict"):
        result = check.causal_mask(mine)
    assert result is mine


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


# ----------------------------------------------------------------- a stale name never passes

STALE = "your definition did not run again: re-run the cell that defines it, then this check"
CHECKERS = [n for n in check.__all__ if n not in {"CheckFailed", "Verdict", "verdicts"}]


@pytest.mark.parametrize("name", CHECKERS)
def test_the_reference_a_check_handed_back_is_not_passed_again(name, capsys):
    """After a ✗ the notebook's name is the reference: re-running the check must not say ✓."""

    def todo(*args, **kwargs):
        raise NotImplementedError

    checker = getattr(check, name)
    reference = checker(todo)  # what the check cell binds the student's name to
    capsys.readouterr()
    result = checker(reference)  # the check cell, run again
    out = capsys.readouterr().out
    # the reference itself, or the same wrapper built afresh by this call (check._grid)
    assert result is reference or result.__qualname__ == reference.__qualname__
    assert out.startswith(f"✗ {name}: {STALE}"), out
    assert "which an earlier check handed back, not your code)." in out
    assert "✓" not in out and "Using the reference implementation" in out
    verdict = check.verdicts()[-1]
    assert (verdict.exercise, verdict.status) == (name, "failed")
    assert verdict.message.startswith(STALE)


@pytest.mark.parametrize(
    "library_code",
    [
        ref_attention.padding_mask,
        functools.partial(ref_attention.causal_mask),
        functools.wraps(ref_attention.causal_mask)(lambda n: ref_attention.causal_mask(n)),
    ],
    ids=["another-function", "partial", "wrapper"],
)
def test_the_librarys_own_code_is_not_passed(library_code, capsys):
    result, out = check.causal_mask(library_code), capsys.readouterr().out
    assert result is ref_attention.causal_mask
    assert out.startswith(f"✗ causal_mask: {STALE}"), out
    assert "(it was given the library's own attention." in out
    assert "handed back" not in out  # no earlier check handed this one back
    assert check.verdicts()[-1].status == "failed"


def test_a_student_function_that_calls_the_library_is_still_checked(capsys):
    def mine(n):
        return ref_attention.causal_mask(n)

    result, out = check.causal_mask(mine), capsys.readouterr().out
    assert result is mine and out == "✓ causal_mask: all 3 checks passed.\n"
    copy = as_student(ref_attention.causal_mask)  # the reference's code, typed in by hand
    assert check.causal_mask(copy) is copy


def test_a_notebook_that_reruns_only_the_check_cell_sees_no_false_pass(capsys):
    """The scenario of issue 25: ✗, re-run the check; fix with a syntax error; fix properly."""
    notebook: dict = {"__name__": "__main__"}

    def cell(source: str) -> None:
        exec(compile(source, "<cell>", "exec"), notebook)  # noqa: S102 — a notebook cell

    cell("from brainformers import check\nimport torch")
    cell("def causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool).triu()")
    check_cell = "causal_mask = check.causal_mask(causal_mask)"
    cell(check_cell)
    assert capsys.readouterr().out.startswith("✗ causal_mask: seq_len=4: mask is wrong")
    cell(check_cell)  # only the check cell is run again
    assert capsys.readouterr().out.startswith(f"✗ causal_mask: {STALE}")
    with pytest.raises(SyntaxError):  # the fix still has a syntax error, so it never runs
        cell("def causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool).tril(")
    cell(check_cell)
    assert capsys.readouterr().out.startswith(f"✗ causal_mask: {STALE}")
    cell("def causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool).tril()")
    cell(check_cell)
    assert capsys.readouterr().out == "✓ causal_mask: all 3 checks passed.\n"


# ----------------------------------------------------------------- a crash names case and line


def _line_of(fn, text: str) -> int:
    """The line number in this file of the first line of ``fn`` that contains ``text``."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_a_crash_names_the_case_and_the_students_line(capsys):
    def attention(query, key, value, mask=None, scale=None):
        scores = query @ key  # forgot to transpose the keys
        return torch.softmax(scores, dim=-1) @ value, scores

    result, out = run(check.attention, attention, capsys)
    assert result is ref_attention.scaled_dot_product_attention
    line = _line_of(attention, "query @ key")
    assert out.startswith("✗ attention: case 1 (batch=2, seq_q=5, seq_k=7, d_k=8, d_v=3): "), out
    assert "your function raised RuntimeError: " in out
    assert f" — in attention, line {line}: `scores = query @ key  # forgot to" in out
    assert check.verdicts()[-1].message in out


def test_a_crash_in_a_later_case_names_that_case(capsys):
    def attention(query, key, value, mask=None, scale=None):
        if mask is not None:
            raise ValueError("masks are not supported yet")
        return ref_attention.scaled_dot_product_attention(query, key, value, scale=scale)

    result, out = run(check.attention, attention, capsys)
    assert out.startswith("✗ attention: case 3 (causal mask, seq=5): your function raised"), out
    assert f"line {_line_of(attention, 'raise ValueError')}: `raise ValueError(" in out


def test_the_line_is_the_students_not_numpys_or_the_librarys(capsys):
    """An error raised deep inside NumPy's Python code points at the student's call."""

    def stack_rows(rows):
        return np.stack([r for r in rows if r.sum() > 1e9])  # filters out every row

    def hebbian_weights(patterns):
        outer = stack_rows(patterns)
        return outer.T @ outer / patterns.shape[1]

    result, out = run(check.hebbian_weights, hebbian_weights, capsys)
    assert "your function raised ValueError: need at least one array to stack" in out, out
    line = _line_of(stack_rows, "np.stack")
    assert f" — in stack_rows, line {line}: `return np.stack(" in out
    assert "shape_base" not in out and "brainformers/" not in out


def test_a_notebook_cell_is_quoted_from_the_cell(capsys):
    """ipykernel runs a cell from a file that does not exist, registered in linecache."""
    source = "import torch\n\ndef causal_mask(n):\n    return torch.ones(n, n)[n + 1]\n"
    filename = "/tmp/ipykernel_0/2718281828.py"  # how ipykernel names a cell
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        namespace: dict = {"__name__": "__main__"}
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 — a notebook cell
        check.causal_mask(namespace["causal_mask"])
    finally:
        del linecache.cache[filename]
    out = capsys.readouterr().out
    assert "IndexError" in out
    assert " — in causal_mask, line 4: `return torch.ones(n, n)[n + 1]` (called with n=4)" in out


def test_a_crash_without_a_named_case_shows_the_arguments(capsys):
    def padding_mask(lengths, seq_len):
        return torch.arange(seq_len) < lengths[:, None, None, None].squeeze(5)

    result, out = run(check.padding_mask, padding_mask, capsys)
    message = check.verdicts()[-1].message
    assert message in out and message.startswith("your function raised IndexError"), out
    assert message.endswith("(called with lengths=<tensor of shape (3,), torch.int64>, seq_len=5)")


def test_a_crash_of_a_function_taking_any_arguments_shows_them(capsys):
    def sinusoidal_positions(*args, **kwargs):
        raise RuntimeError("not yet")

    run(check.sinusoidal_positions, sinusoidal_positions, capsys)
    message = check.verdicts()[-1].message
    assert message.startswith("your function raised RuntimeError: not yet — in sinusoidal")
    assert re.search(r"\(called with args=\(\d+, \d+\), kwargs=\{\}\)$", message), message


def test_advice_given_for_a_crash_still_points_at_the_line(capsys):
    """A checker may turn a crash into advice (``raise CheckFailed(...) from None``)."""

    def cases(fn):
        case = "case 1 (one unbatched state)"
        try:
            fn(np.ones(3))
        except Exception:
            raise CheckFailed(f"{case}: it must also accept one unbatched state.") from None
        return 1

    def update(state):
        return state[:, 0]

    result = run_checks("update", update, np.sum, cases)
    out = capsys.readouterr().out
    assert result is np.sum
    assert out.startswith("✗ update: case 1 (one unbatched state): it must also accept one")
    assert (
        f"state. — in update, line {_line_of(update, 'state[:, 0]')}: `return state[:, 0]`" in out
    )


def test_a_wrong_answer_gets_no_line():
    """Only a crash has a line to show; a wrong value is the checker's own words."""
    with contextlib.redirect_stdout(io.StringIO()):
        check.causal_mask(lambda n: ref_attention.causal_mask(n).T)
    message = check.verdicts()[-1].message
    assert "upper triangle" in message and " — in " not in message
