"""The exercise generator: solution blocks become stubs, notebooks stay in step with _config.yml."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_exercises", ROOT / "utils" / "make_exercises.py"
)
mx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mx)

URL = "https://github.com/someone/course"
BADGE = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](old)"
SOLVED = """def f(x):
    # BEGIN SOLUTION
    # TASK: double it
    return 2 * x
    # END SOLUTION
"""
HINTS = (
    "<details><summary>Hint 1 — the idea</summary>\n\nTwice as much.\n\n</details>\n"
    "<details><summary>Hint 2 — the solution</summary>\n\nBehind **Show solution** in the "
    "book.\n\n</details>"
)
THINK = "**Think!** Why?\n\n<details><summary>Model answer</summary>\n\nBecause.\n\n</details>"


def solution_notebook(*code_cells: str) -> nbformat.NotebookNode:
    setup = new_code_cell('try:\n    import m\nexcept ImportError:\n    %pip install --quiet "x"')
    cells = [new_markdown_cell(f"{BADGE}\n\n# Title"), setup]
    for source in code_cells:
        cell = new_code_cell(source, execution_count=3)
        cell.outputs = [new_output("stream", name="stdout", text="hi\n")]
        cells.append(cell)
        if mx.BEGIN in source:
            cells.append(new_markdown_cell(HINTS))
    cells += [new_markdown_cell(THINK) for _ in range(3)]
    return new_notebook(cells=cells)


# ------------------------------------------------------------------ strip_solutions


def test_block_becomes_todo_and_raise_at_its_indentation():
    out = mx.strip_solutions(SOLVED, "nb: cell 1")
    assert out == (
        "def f(x):\n"
        "    # TODO: double it\n"
        '    raise NotImplementedError("not done yet: replace this line with your code")\n'
    )
    assert "2 * x" not in out


def test_task_lines_become_the_todo_and_two_blocks_in_one_cell():
    multi = SOLVED.replace("# TASK: double it\n", "# TASK: double it,\n    # TASK: then stop\n")
    out = mx.strip_solutions(multi + "\n\n" + SOLVED.replace("f(", "g("), "nb")
    assert "    # TODO: double it,\n    #       then stop\n" in out
    assert out.count("# TODO: double it") == 2
    assert out.count("raise NotImplementedError") == 2


def test_a_block_without_a_task_line_is_rejected():
    with pytest.raises(mx.SourceError, match="needs a '# TASK: …' line"):
        mx.strip_solutions(SOLVED.replace("    # TASK: double it\n", ""), "nb")


# ------------------------------------------------------------------ hints and Think!


def test_the_course_format_passes():
    mx.check_format(solution_notebook(SOLVED), "01_x.ipynb")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda nb: nb.cells.pop(3), "next cell must be markdown with 2-3 collapsed hints"),
        (
            lambda nb: setattr(nb.cells[3], "source", HINTS.split("\n<details>")[0]),
            "got \\[1\\]",
        ),
        (
            lambda nb: setattr(nb.cells[3], "source", HINTS.replace("Hint 2", "Hint 3")),
            "got \\[1, 3\\]",
        ),
        (
            lambda nb: setattr(nb.cells[3], "source", HINTS.replace("Show solution", "book")),
            "where the full solution is",
        ),
        (lambda nb: nb.cells.pop(), "2 Think! question"),
        (
            lambda nb: setattr(nb.cells[-1], "source", nb.cells[-1].source + " $\tanh(x)$"),
            "control characters '\\\\t'.*lost backslash",
        ),
        (
            lambda nb: setattr(nb.cells[-1], "source", "**Think!** Why?"),
            "needs a collapsed '<details><summary>Model answer",
        ),
    ],
    ids=[
        "no-hints",
        "one-hint",
        "numbering",
        "no-pointer",
        "two-questions",
        "tab-for-backslash",
        "no-answer",
    ],
)
def test_missing_hints_and_think_questions_are_named(edit, message):
    nb = solution_notebook(SOLVED)
    edit(nb)
    with pytest.raises(mx.SourceError, match=message):
        mx.check_format(nb, "01_x.ipynb")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "inside a function body"),
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "without # END"),
        ("def f():\n    return 1\n    # END SOLUTION\n", "without # BEGIN"),
        ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n", "nested"),
    ],
    ids=["top-level", "unclosed", "unopened", "nested"],
)
def test_malformed_blocks_are_rejected(source, message):
    with pytest.raises(mx.SourceError, match=message):
        mx.strip_solutions(source, "nb")


# ------------------------------------------------------------------ notebooks


def test_sync_solution_derives_badge_install_and_toggle_from_the_url():
    nb = solution_notebook(SOLVED, "print(1)")
    mx.sync_solution(nb, "01_x.ipynb", URL, "main")
    assert mx.colab_badge(URL, "main", "01_x.ipynb") in nb.cells[0].source
    assert "colab.research.google.com/github/someone/course/blob/main/notebooks/01_x.ipynb" in (
        nb.cells[0].source
    )
    assert f'%pip install --quiet "git+{URL}"' in nb.cells[1].source
    solution_cell, plain_cell = nb.cells[2], nb.cells[3]
    assert solution_cell.metadata["tags"] == ["hide-input"]
    assert solution_cell.metadata["mystnb"]["code_prompt_show"] == "Show solution"
    assert "tags" not in plain_cell.metadata


def test_sync_solution_is_idempotent():
    nb = solution_notebook(SOLVED)
    mx.sync_solution(nb, "01_x.ipynb", URL, "main")
    once = nbformat.writes(nb)
    mx.sync_solution(nb, "01_x.ipynb", URL, "main")
    assert nbformat.writes(nb) == once


def test_sync_solution_needs_badge_and_exactly_one_install_line():
    nb = solution_notebook(SOLVED)
    nb.cells[0].source = "# Title"
    with pytest.raises(mx.SourceError, match="Colab badge"):
        mx.sync_solution(nb, "01_x.ipynb", URL, "main")
    nb = solution_notebook(SOLVED)
    nb.cells.append(new_code_cell(nb.cells[1].source))
    with pytest.raises(mx.SourceError, match="found 2"):
        mx.sync_solution(nb, "01_x.ipynb", URL, "main")


def test_exercise_notebook_strips_outputs_solutions_and_toggles():
    solution = solution_notebook(SOLVED, "print(1)")
    del solution.cells[3]  # the hints: this test is about the code cells
    mx.sync_solution(solution, "01_x.ipynb", URL, "main")
    exercise = mx.exercise_notebook(solution, "01_x.ipynb")
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "2 * x" not in code[1].source and "NotImplementedError" in code[1].source
    assert "tags" not in code[1].metadata and "mystnb" not in code[1].metadata
    assert solution.cells[2].outputs, "the solution notebook itself must keep its outputs"


def test_exercise_notebook_needs_an_exercise():
    with pytest.raises(mx.SourceError, match="nothing for a student"):
        mx.exercise_notebook(solution_notebook("print(1)"), "01_x.ipynb")


def test_repository_url_must_be_a_github_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/x\n")
    with pytest.raises(mx.SourceError, match="github.com/OWNER/REPO"):
        mx.repository(config)
    config.write_text(f"repository:\n  url: {URL}/\n  branch: dev\n")
    assert mx.repository(config) == (URL, "dev")


# ------------------------------------------------------------------ the command


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A throwaway course tree with one chapter, wired into the generator."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "_config.yml").write_text(f"repository:\n  url: {URL}\n")
    nbformat.write(solution_notebook(SOLVED), tmp_path / "solutions" / "01_x.ipynb")
    monkeypatch.setattr(mx, "ROOT", tmp_path)
    return tmp_path


def test_check_fails_until_generated_then_passes(course, capsys):
    assert mx.main(["--check"]) == 1
    assert "notebooks/01_x.ipynb is out of date" in capsys.readouterr().err
    assert mx.main([]) == 0
    assert mx.main(["--check"]) == 0


def test_check_catches_an_edited_solution_and_an_orphan(course, capsys):
    mx.main([])
    path = course / "solutions" / "01_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("2 * x", "3 * x").replace("double", "triple")
    nbformat.write(nb, path)
    shutil.copy(course / "notebooks" / "01_x.ipynb", course / "notebooks" / "02_gone.ipynb")
    capsys.readouterr()
    assert mx.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "01_x.ipynb is out of date" in err and "02_gone.ipynb has no solution" in err
    mx.main([])
    assert not (course / "notebooks" / "02_gone.ipynb").exists()
    assert "# TODO: triple it" in (course / "notebooks" / "01_x.ipynb").read_text()


def test_changing_the_url_moves_every_badge_install_line_and_citation(course):
    (course / "CITATION.cff").write_text(f'title: "x"\nrepository-code: "{URL}"\n')
    mx.main([])
    other = "https://github.com/fork/elsewhere"
    (course / "_config.yml").write_text(f"repository:\n  url: {other}\n")
    assert mx.main(["--check"]) == 1
    mx.main([])
    for path in ("solutions/01_x.ipynb", "notebooks/01_x.ipynb", "CITATION.cff"):
        text = (course / path).read_text()
        assert "fork/elsewhere" in text and "someone/course" not in text, path


# ------------------------------------------------------------------ the real course


@pytest.mark.parametrize(
    "path", sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name
)
def test_no_solution_line_leaks_into_the_exercise_notebook(path):
    solution = nbformat.read(path, as_version=4)
    exercise = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    prose = "\n".join(c.source for c in exercise.cells if c.cell_type == "markdown")
    leaked = []
    for sol, ex in zip(solution.cells, exercise.cells, strict=True):
        if mx.BEGIN not in sol.source:
            continue
        inside = False
        for line in sol.source.splitlines():
            marker = line.strip()
            if marker in (mx.BEGIN, mx.END):
                inside = marker == mx.BEGIN
            elif inside and marker and not marker.startswith("#"):
                # in the stub, or printed in the text or a hint (short lines like
                # `return out` are too common to count)
                core = marker.removeprefix("return ")
                if line in ex.source or (len(core) >= 20 and core in prose):
                    leaked.append(line)
    assert not leaked
