"""The checker machinery shared by every chapter: run, compare, report, fall back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

_PASS, _FAIL, _TODO = "✓", "✗", "○"
_FALLBACK = "Using the reference implementation so the rest of the notebook runs."


class CheckFailed(Exception):
    """A student's function gave a wrong answer; the message says what and why."""


def run_checks(name: str, student: Callable, reference: Callable, cases: Callable[[Callable], int]):
    """Run ``cases(student)``; print one line; return the function to use from now on."""
    try:
        n_checks = cases(student)
    except NotImplementedError:
        print(f"{_TODO} {name}: not implemented yet. {_FALLBACK}")
        return reference
    except CheckFailed as failure:
        print(f"{_FAIL} {name}: {failure}\n  {_FALLBACK}")
        return reference
    except Exception as error:  # noqa: BLE001 — any crash in student code is reported, not raised
        print(
            f"{_FAIL} {name}: your function raised {type(error).__name__}: {error}\n  {_FALLBACK}"
        )
        return reference
    print(f"{_PASS} {name}: all {n_checks} checks passed.")
    return student


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def as_pair(result: Any, case: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(result, tuple) and len(result) == 2):
        got = type(result).__name__
        raise CheckFailed(f"{case}: expected a tuple (output, weights), got {got}.")
    return result


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

    ``want`` may be a torch tensor or a NumPy array; ``got`` must be the same kind. A
    wrong value is matched against known ``mistakes`` (each with its hint), then handed
    to ``explain`` (which may raise a more specific message) before the generic one.
    """
    kind = np.ndarray if isinstance(want, np.ndarray) else torch.Tensor
    if not isinstance(got, kind):
        expected = "NumPy array" if kind is np.ndarray else "torch.Tensor"
        raise CheckFailed(f"{case}: {what} should be a {expected}, got {type(got).__name__}.")
    if kind is np.ndarray:
        got, want = torch.from_numpy(got), torch.from_numpy(want)
        mistakes = [(torch.as_tensor(np.asarray(wrong)), hint) for wrong, hint in mistakes]
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
