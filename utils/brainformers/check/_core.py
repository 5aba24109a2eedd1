"""The checker machinery shared by every chapter: run, compare, report, fall back.

Every checker ends in :func:`run_checks`, which prints one line for the reader and records
a :class:`Verdict` for a grader: kept in-process (:func:`verdicts`) and, when the
environment variable ``BRAINFORMERS_VERDICTS`` names a file, appended to it as one JSON
line, so :mod:`brainformers.grade` reads verdicts without parsing the printed prose.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import site
import sysconfig
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
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


def run_checks(
    name: str, student: Callable, reference: Callable, cases: Callable[[Callable], int]
) -> Callable:
    """Run ``cases(student)``; print one line; record a verdict; return the function to use.

    A ``student`` that is the library's own code — the reference an earlier check handed
    back, or any other :mod:`brainformers` object — is not checked: after a ✗ the notebook's
    name is bound to the reference, and re-running only the check cell (or a definition
    cell that still fails to run) would otherwise print a ✓ for code the student never
    wrote. It is reported as "did not run again" and recorded as ``failed``.
    """
    library_name = _library_name(student)
    if library_name is not None:
        handed_back = (
            # a checker may wrap its reference afresh on every call (check._grid does)
            ", which an earlier check handed back,"
            if student is reference or _in_checker(student)
            else ","
        )
        what = f"the library's own {library_name}{handed_back}"
        message = (
            "your definition did not run again: re-run the cell that defines it, then this "
            f"check (it was given {what} not your code)."
        )
        print(f"{_FAIL} {name}: {message}\n  {_FALLBACK}")
        _record(name, "failed", message)
        return reference
    try:
        n_checks = cases(student)
    except NotImplementedError:
        print(f"{_TODO} {name}: not implemented yet. {_FALLBACK}")
        _record(name, "not attempted", "not implemented yet.")
        return reference
    except CheckFailed as failure:
        message = str(failure)
        # A checker that turns a crash into advice (``raise CheckFailed(...) from None``)
        # keeps the crash as __context__: still point at the student's line.
        context = failure.__context__
        if context is not None and not isinstance(context, CheckFailed):
            message += _where(context)
        print(f"{_FAIL} {name}: {message}\n  {_FALLBACK}")
        _record(name, "failed", message)
        return reference
    except Exception as error:  # noqa: BLE001 — any crash in student code is reported, not raised
        case = _running_case(error)
        message = f"{case + ': ' if case else ''}your function raised {type(error).__name__}: "
        message += f"{error}{_where(error)}"
        if not case:  # a checker that names no case: its arguments say which call it was
            called = _called_with(error)
            message += f" (called with {called})" if called else ""
        print(f"{_FAIL} {name}: {message}\n  {_FALLBACK}")
        _record(name, "failed", message)
        return reference
    message = f"all {n_checks} checks passed."
    print(f"{_PASS} {name}: {message}")
    _record(name, "passed", message)
    return student


_PACKAGE = __name__.split(".")[0]  # "brainformers"
_CHECK_DIR = os.path.dirname(os.path.realpath(__file__))
_PACKAGE_DIR = os.path.dirname(_CHECK_DIR)


def _library_name(obj: Any) -> str | None:
    """A short name ("attention.causal_mask") when ``obj`` is the library's own code, else None.

    Looks through ``functools.partial`` and ``functools.wraps`` wrappers, so
    ``partial(brainformers.attention.causal_mask)`` is still the library's.
    """
    seen = 0
    while seen < 100:  # a wrapper chain that loops back on itself must not hang the check
        seen += 1
        if isinstance(obj, functools.partial):
            obj = obj.func
        elif getattr(obj, "__wrapped__", None) is not None:
            obj = obj.__wrapped__
        else:
            break
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or module.split(".")[0] != _PACKAGE:
        return None
    name = getattr(obj, "__name__", type(obj).__name__)
    # The module's last part is how a notebook reaches it (``from brainformers import
    # attention``); a checker's own wrapper goes by its plain name ("gridness_score").
    return name if _in_checker(obj) else f"{module.split('.')[-1]}.{name}"


def _in_checker(obj: Any) -> bool:
    return str(getattr(obj, "__module__", "")).startswith(f"{__package__}.")


@functools.cache
def _library_dirs() -> tuple[str, ...]:
    """Folders whose code is not the student's: this package, the stdlib, installed packages."""
    dirs = {_PACKAGE_DIR}
    paths = sysconfig.get_paths()
    dirs.update(paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths)
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:  # some embedded interpreters' `site` lacks it
        pass
    dirs.add(site.getusersitepackages())
    return tuple(os.path.realpath(d) + os.sep for d in dirs if d)


def _is_student_file(filename: str) -> bool:
    # Notebook cells run from files such as /tmp/ipykernel_42/123.py or <ipython-input-3-…>;
    # "<frozen importlib._bootstrap>" and friends are the interpreter's own.
    if filename.startswith("<frozen"):
        return False
    if filename.startswith("<"):
        return True
    return not os.path.realpath(filename).startswith(_library_dirs())


def _where(error: BaseException) -> str:
    """Where the crash left the student's code (" — in f, line 4: `source`"), or "".

    The innermost frame outside the library, the standard library and installed packages:
    the student's line that called into torch, not torch's own line.
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_student_file(f.filename)]
    if not frames:
        return ""
    frame = frames[-1]
    source = (frame.line or "").strip()
    return f" — in {frame.name}, line {frame.lineno}" + (f": `{source}`" if source else "")


def _called_with(error: BaseException) -> str:
    """The arguments the checker passed to the student's function, in short ("n=4"), or ""."""
    tb = error.__traceback__
    caller_is_checker = False
    while tb is not None:
        code = tb.tb_frame.f_code
        if caller_is_checker and _is_student_file(code.co_filename):
            n_args = code.co_argcount + code.co_kwonlyargcount
            n_args += bool(code.co_flags & inspect.CO_VARARGS)
            n_args += bool(code.co_flags & inspect.CO_VARKEYWORDS)
            names = code.co_varnames[:n_args]
            values = tb.tb_frame.f_locals
            return ", ".join(f"{n}={_short(values[n])}" for n in names if n in values)
        caller_is_checker = os.path.realpath(code.co_filename).startswith(_CHECK_DIR + os.sep)
        tb = tb.tb_next
    return ""


def _short(value: Any) -> str:
    """One argument in a few characters: tensors and arrays by shape and dtype."""
    if isinstance(value, tuple | dict) and len(value) > 8:
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, tuple):  # *args
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):  # **kwargs
        return "{" + ", ".join(f"{k!r}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, torch.Tensor | np.ndarray):
        kind = "tensor" if isinstance(value, torch.Tensor) else "array"
        return f"<{kind} of shape {tuple(value.shape)}, {value.dtype}>"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 — a half-built student object must not break the report
        text = ""
    return text if 0 < len(text) <= 40 else f"<{type(value).__name__}>"


def _running_case(error: BaseException) -> str:
    """The ``case`` a checker was running when ``error`` escaped from the student's code.

    Every checker names its cases in a local variable ``case`` ("case 3 (causal mask)"); the
    innermost checker frame of the traceback that holds one says which case crashed.
    """
    case = ""
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if os.path.realpath(frame.f_code.co_filename).startswith(_CHECK_DIR + os.sep):
            value = frame.f_locals.get("case")
            if isinstance(value, str) and value:
                case = value
        tb = tb.tb_next
    return case


class CallCounter:
    """How often a library function was called while :func:`counting_calls` was active."""

    def __init__(self) -> None:
        self.n_calls = 0


@contextmanager
def intercepting(
    fn: Callable, wrappers: Sequence[tuple[Callable, Callable]], modules: Sequence[Any]
) -> Iterator[None]:
    """Inside the block, each library ``target`` is replaced by its ``wrapper`` wherever ``fn``
    can reach it by name; everything is restored on exit.

    ``wrappers`` holds ``(target, wrapper)`` pairs. A target is swapped under every global
    of ``fn`` bound to it (a notebook's ``__main__``, whatever the student called it on
    import) and as the attribute ``module.<target name>`` of each of ``modules`` that holds
    it (for ``attention.scaled_dot_product_attention(...)``).
    """
    scope = getattr(fn, "__globals__", None)
    swapped: list[tuple[str, Callable, Callable]] = []
    if isinstance(scope, dict):
        for name, value in list(scope.items()):
            for target, wrapper in wrappers:
                if value is target:
                    swapped.append((name, target, wrapper))
    # Only these names are swapped and put back (mock.patch.dict would clear and refill the
    # whole namespace, losing any global the student's code creates meanwhile).
    for name, _, wrapper in swapped:
        scope[name] = wrapper
    try:
        with ExitStack() as stack:
            for target, wrapper in wrappers:
                for module in modules:
                    if getattr(module, target.__name__, None) is target:
                        stack.enter_context(mock.patch.object(module, target.__name__, wrapper))
            yield
    finally:
        for name, target, wrapper in swapped:
            if scope.get(name) is wrapper:
                scope[name] = target


@contextmanager
def counting_calls(fn: Callable, target: Callable, *modules: Any) -> Iterator[CallCounter]:
    """Count the calls that ``fn`` makes to the library function ``target``.

    The counting wrapper stands in for ``target`` wherever ``fn`` can reach it by name
    (:func:`intercepting`): its globals and the attribute of each of ``modules``.
    """
    counter = CallCounter()

    def counting(*args: Any, **kwargs: Any) -> Any:
        counter.n_calls += 1
        return target(*args, **kwargs)

    with intercepting(fn, [(target, counting)], modules):
        yield counter


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
