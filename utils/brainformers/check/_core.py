"""The checker machinery shared by every chapter: run, compare, report, fall back.

Every checker ends in :func:`run_checks`, which prints one line for the reader and records
a :class:`Verdict` for a grader: kept in-process (:func:`verdicts`) and, when the
environment variable ``BRAINFORMERS_VERDICTS`` names a file, appended to it as one JSON
line, so :mod:`brainformers.grade` reads verdicts without parsing the printed prose.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal
from unittest import mock

import numpy as np
import torch

_PASS, _FAIL, _TODO = "✓", "✗", "○"
_FALLBACK = "Using the reference implementation so the rest of the notebook runs."
VERDICTS_ENV = "BRAINFORMERS_VERDICTS"

Status = Literal["passed", "failed", "not attempted"]


class CheckFailed(Exception):
    """A student's function gave a wrong answer; the message says what and why."""


@dataclass(frozen=True)
class Verdict:
    """One checker's outcome, for a grader.

    ``status`` is ``"passed"``, ``"failed"`` or ``"not attempted"`` (the stub still
    raises ``NotImplementedError``); ``message`` is what the printed line says, without
    its mark and without the fallback notice.
    """

    exercise: str
    status: Status
    message: str


_VERDICTS: list[Verdict] = []


def verdicts() -> list[Verdict]:
    """The verdicts of every checker run in this process so far, oldest first (a copy)."""
    return list(_VERDICTS)


def _record(exercise: str, status: Status, message: str) -> None:
    verdict = Verdict(exercise, status, message)
    _VERDICTS.append(verdict)
    path = os.environ.get(VERDICTS_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(asdict(verdict), ensure_ascii=False) + "\n")
    except OSError as error:  # a grader's file must never break the student's notebook
        warnings.warn(f"could not write the verdict to {path}: {error}", stacklevel=3)


def run_checks(name: str, student: Callable, reference: Callable, cases: Callable[[Callable], int]):
    """Run ``cases(student)``; print one line; record a verdict; return the function to use."""
    try:
        n_checks = cases(student)
    except NotImplementedError:
        print(f"{_TODO} {name}: not implemented yet. {_FALLBACK}")
        _record(name, "not attempted", "not implemented yet.")
        return reference
    except CheckFailed as failure:
        print(f"{_FAIL} {name}: {failure}\n  {_FALLBACK}")
        _record(name, "failed", str(failure))
        return reference
    except Exception as error:  # noqa: BLE001 — any crash in student code is reported, not raised
        message = f"your function raised {type(error).__name__}: {error}"
        print(f"{_FAIL} {name}: {message}\n  {_FALLBACK}")
        _record(name, "failed", message)
        return reference
    message = f"all {n_checks} checks passed."
    print(f"{_PASS} {name}: {message}")
    _record(name, "passed", message)
    return student


class CallCounter:
    """How often a library function was called while :func:`counting_calls` was active."""

    def __init__(self) -> None:
        self.n_calls = 0


@contextmanager
def counting_calls(fn: Callable, target: Callable, module: Any) -> Iterator[CallCounter]:
    """Count the calls that ``fn`` makes to the library function ``target``.

    Inside the block, ``target`` is replaced by a counting wrapper wherever ``fn`` can
    reach it by name: every global of ``fn`` bound to it (a notebook's ``__main__``, whatever
    the student called it on import) and the attribute ``module.<target name>`` (for
    ``attention.scaled_dot_product_attention(...)``). Everything is restored on exit.
    """
    counter = CallCounter()

    def counting(*args: Any, **kwargs: Any) -> Any:
        counter.n_calls += 1
        return target(*args, **kwargs)

    scope = getattr(fn, "__globals__", None)
    names = [n for n, v in scope.items() if v is target] if isinstance(scope, dict) else []
    # Only these names are swapped and put back (mock.patch.dict would clear and refill the
    # whole namespace, losing any global the student's code creates meanwhile).
    for name in names:
        scope[name] = counting
    try:
        with mock.patch.object(module, target.__name__, counting):
            yield counter
    finally:
        for name in names:
            if scope.get(name) is counting:
                scope[name] = target


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def as_pair(result: Any, case: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(result, tuple) and len(result) == 2):
        got = type(result).__name__
        raise CheckFailed(f"{case}: expected a tuple (output, weights), got {got}.")
    return result


_TORCH_DTYPE_HINTS = {
    (torch.float32, torch.float64): "did you build it with NumPy or "
    "torch.tensor(..., dtype=torch.float64)? Keep the inputs' dtype (torch.zeros_like(x), "
    "dtype=x.dtype).",
    (torch.float64, torch.float32): "a new tensor (torch.zeros, torch.tensor) is float32 "
    "unless told otherwise: keep the inputs' dtype (torch.zeros_like(x), dtype=x.dtype).",
}
_NUMPY_DTYPE_HINTS = {
    (np.dtype(np.float64), np.dtype(np.float32)): "did you cast to float32 or build it with "
    "torch? Keep NumPy's default float64.",
    (np.dtype(np.float32), np.dtype(np.float64)): "keep the inputs' dtype (np.zeros_like(x), "
    ".astype(x.dtype)).",
}


def _same_float_dtype(what: str, got: Any, want: Any, case: str, hints: dict) -> None:
    """A floating answer must have the reference's floating dtype, said at once."""
    if got == want or not (_floating(got) and _floating(want)):
        return
    hint = hints.get((want, got), "")
    raise CheckFailed(
        f"{case}: {what} should have dtype {want} (like the inputs), got {got}"
        f"{' — ' + hint if hint else '.'}"
    )


def _floating(dtype: torch.dtype | np.dtype) -> bool:
    if isinstance(dtype, torch.dtype):
        return dtype.is_floating_point
    return bool(np.issubdtype(dtype, np.floating))


def compare(
    what: str,
    got: Any,
    want: torch.Tensor | np.ndarray,
    case: str,
    dims: str,
    shape_hints: dict[tuple[int, ...], str] | None = None,
    mistakes: Sequence[tuple[torch.Tensor | np.ndarray, str]] = (),
    explain: Callable[[torch.Tensor, str], None] | None = None,
    atol: float = 1e-5,
) -> None:
    """Compare ``got`` with ``want``: type, then shape, then dtype, then values.

    ``want`` may be a torch tensor or a NumPy array; ``got`` must be the same kind, and a
    floating ``got`` must have ``want``'s floating dtype (float32 vs float64 is reported
    before any value). Views and arrays with negative strides are fine answers. A
    wrong value is matched against known ``mistakes`` (each with its hint), then handed
    to ``explain`` (which may raise a more specific message) before the generic one.
    """
    kind = np.ndarray if isinstance(want, np.ndarray) else torch.Tensor
    if not isinstance(got, kind):
        expected = "NumPy array" if kind is np.ndarray else "torch.Tensor"
        raise CheckFailed(f"{case}: {what} should be a {expected}, got {type(got).__name__}.")
    if kind is np.ndarray:
        if got.dtype.kind not in "biuf":
            raise CheckFailed(f"{case}: {what} should hold numbers, got dtype {got.dtype}.")
        if got.shape == want.shape:
            _same_float_dtype(what, got.dtype, want.dtype, case, _NUMPY_DTYPE_HINTS)
        # Copies: from_numpy refuses negative strides (x[::-1]) and would share memory.
        got, want = (torch.from_numpy(np.ascontiguousarray(a)) for a in (got, want))
        mistakes = [
            (torch.from_numpy(np.ascontiguousarray(np.asarray(wrong))), hint)
            for wrong, hint in mistakes
        ]
    else:
        got = got.detach().cpu().contiguous()  # a transposed or sliced view is a fine answer
        if got.shape == want.shape:
            _same_float_dtype(what, got.dtype, want.dtype, case, _TORCH_DTYPE_HINTS)
    if got.shape != want.shape:
        hint = (shape_hints or {}).get(tuple(got.shape), "")
        raise CheckFailed(
            f"{case}: expected {what} of shape {tuple(want.shape)} {dims}, "
            f"got {tuple(got.shape)}{' — ' + hint if hint else '.'}"
        )
    if want.dtype == torch.bool:
        if got.dtype != torch.bool:
            raise CheckFailed(
                f"{case}: {what} should be boolean (True = may attend), got dtype {got.dtype}."
            )
        exact = torch.equal
    else:
        if torch.isnan(got).any():
            raise CheckFailed(f"{case}: {what} contains NaN.")

        def exact(a: torch.Tensor, b: torch.Tensor) -> bool:
            return torch.allclose(a.double(), b.double(), atol=atol, rtol=1e-4)

    if exact(got, want):
        return
    for wrong, hint in mistakes:
        if wrong.shape == got.shape and exact(got, wrong):
            raise CheckFailed(f"{case}: {what} is wrong — {hint}")
    if explain is not None:
        explain(got, case)
    if want.dtype == torch.bool:
        n_bad = int((got != want).sum())
        raise CheckFailed(f"{case}: {what} differs from the reference in {n_bad} entries.")
    diff = (got.double() - want.double()).abs().max().item()
    raise CheckFailed(
        f"{case}: {what} differs from the reference (largest absolute difference {diff:.3g})."
    )


def compare_number(
    what: str,
    got: Any,
    want: float,
    case: str,
    mistakes: Sequence[tuple[float, str]] = (),
    rtol: float = 1e-6,
) -> None:
    """Compare a scalar answer with the reference, matching known mistakes first."""
    try:
        value = float(got)
    except (TypeError, ValueError):
        kind = type(got).__name__
        raise CheckFailed(f"{case}: {what} should be a single number, got {kind}.") from None
    if np.isclose(value, want, rtol=rtol, atol=1e-9):
        return
    for wrong, hint in mistakes:
        if np.isclose(value, wrong, rtol=rtol, atol=1e-9):
            raise CheckFailed(f"{case}: {what} is wrong — {hint}")
    raise CheckFailed(f"{case}: {what} is {value:.6g}, the reference gives {want:.6g}.")
