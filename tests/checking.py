"""Helpers for testing exercise checkers: run one, and assert it rejected a mistake."""

from __future__ import annotations


def run(checker, fn, capsys):
    """Return (function handed back, printed message)."""
    result = checker(fn)
    return result, capsys.readouterr().out


def assert_rejected(checker, fn, reference, capsys, *fragments):
    """The checker must hand back the reference and name the mistake in its message."""
    result, out = run(checker, fn, capsys)
    assert result is reference, out
    assert out.startswith("✗"), out
    assert "Using the reference implementation" in out
    for fragment in fragments:
        assert fragment in out, out
