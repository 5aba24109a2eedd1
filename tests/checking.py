"""Helpers for testing exercise checkers: run one, and assert it rejected a mistake."""

from __future__ import annotations

import types


def as_student(fn):
    """``fn``'s own code, as a student would define it in a notebook (module ``__main__``).

    A checker refuses the library's own objects ("your definition did not run again"), so
    a test that wants the reference *code* checked hands it over as a student's copy: a
    new function on the same code object, or for a class a subclass defined in
    ``__main__``.
    """
    if isinstance(fn, type):
        return type(fn.__name__, (fn,), {"__module__": "__main__", "__qualname__": fn.__name__})
    copy = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__module__ = "__main__"
    return copy


def run(checker, fn, capsys):
    """Return (function handed back, printed message).

    A library function is run as a student's copy (:func:`as_student`), and the copy
    handed back is reported as ``fn`` itself, so ``run(check.x, ref.x, capsys)[0] is ref.x``
    still says "the reference passed".
    """
    library = (getattr(fn, "__module__", None) or "").split(".")[0] == "brainformers"
    student = as_student(fn) if library else fn
    result = checker(student)
    return (fn if result is student else result), capsys.readouterr().out


def assert_rejected(checker, fn, reference, capsys, *fragments):
    """The checker must hand back the reference and name the mistake in its message.

    ``fn`` is handed over as it is, library function or not: a test of a rejection wants
    exactly that object refused.
    """
    result, out = checker(fn), capsys.readouterr().out
    assert result is reference, out
    assert out.startswith("✗"), out
    assert "Using the reference implementation" in out
    for fragment in fragments:
        assert fragment in out, out
