"""The grade sheet: student notebooks run on fresh kernels, one row per exercise.

Small notebooks are built here with nbformat around a fast real checker
(``check.causal_mask``); three tests (marked ``notebook``) run a whole chapter, 02, the
fastest (about 20 s each): the exercise form, the solution, and the solution with one wrong
answer.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat
import pytest
from brainformers import grade

ROOT = Path(__file__).resolve().parents[1]
UTILS = ROOT / "utils"

SETUP = "from brainformers import check\nimport torch"
CHECK = "causal_mask = check.causal_mask(causal_mask)"
STUB = 'def causal_mask(seq_len):\n    raise NotImplementedError("write causal_mask")'
RIGHT = "def causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool).tril()"
UPPER = "def causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool).triu()"  # the future


@pytest.fixture(autouse=True)
def kernel_imports_this_checkout(monkeypatch):
    """The kernel inherits the grader's environment: make it import this worktree's package."""
    path = os.environ.get("PYTHONPATH", "")
    if str(UTILS) not in path.split(os.pathsep):
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(UTILS), path) if p))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def notebook(folder: Path, name: str, *sources: str, tags: dict[int, list[str]] | None = None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index, cell_tags in (tags or {}).items():
        nb.cells[index].metadata["tags"] = cell_tags
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def grade_files(tmp_path: Path, *paths: Path, timeout: float = 120) -> list[dict]:
    sheet = tmp_path / "out" / "grades.csv"
    code = grade.main([*map(str, paths), "--csv", str(sheet), "--timeout", str(timeout)])
    assert code == 0
    with open(sheet, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_small_notebooks_one_row_per_exercise(tmp_path):
    """Untouched stub, right answer, wrong answer, an earlier crash: all in one run."""
    sub = tmp_path / "submissions"
    paths = [
        notebook(sub, "todo", SETUP, STUB, CHECK),
        notebook(sub, "right", SETUP, RIGHT, CHECK),
        notebook(sub, "upper", SETUP, UPPER, CHECK),
        notebook(sub, "crash", SETUP, "x = 1 / 0\n" + RIGHT, CHECK),
    ]
    rows = {Path(r["notebook"]).stem: r for r in grade_files(tmp_path, *paths)}
    assert set(rows) == {"todo", "right", "upper", "crash"}
    assert all(r["exercise"] == "causal_mask" for r in rows.values())
    assert rows["todo"]["status"] == "not attempted"
    assert rows["right"]["status"] == "passed"
    assert rows["right"]["message"] == "all 3 checks passed."
    assert rows["upper"]["status"] == "failed"
    assert "upper triangle" in rows["upper"]["message"]  # the checker's own words
    assert rows["crash"]["status"] == "failed"
    crash = rows["crash"]["message"]
    assert "NameError" in crash and "ZeroDivisionError: division by zero" in crash, crash
    summary = (tmp_path / "out" / "upper.md").read_text()
    assert "**0 passed · 1 failed · 0 not attempted**" in summary
    assert "| `causal_mask` | failed |" in summary and "upper triangle" in summary


def test_a_loop_is_timed_out_not_hung_on(tmp_path):
    path = notebook(tmp_path / "sub", "loop", SETUP, RIGHT, "while True:\n    pass", CHECK)
    rows = grade_files(tmp_path, path, timeout=20)
    assert [(r["exercise"], r["status"]) for r in rows] == [("causal_mask", "failed")]
    message = rows[0]["message"]
    assert message.startswith("notebook stopped before this check: timed out"), message
    assert "20 s" in message and "cell 3 (`while True:`)" in message


def test_a_dead_kernel_is_reported(tmp_path):
    path = notebook(tmp_path / "sub", "exit", SETUP, RIGHT, "import os\nos._exit(1)", CHECK)
    rows = grade_files(tmp_path, path)
    assert rows[0]["status"] == "failed"
    assert "the kernel died" in rows[0]["message"], rows[0]["message"]


def test_skip_execution_cells_are_skipped_and_the_kernel_is_offline(tmp_path):
    path = notebook(
        tmp_path / "sub",
        "skip",
        SETUP,
        'raise RuntimeError("must not run")',
        "import os\nassert os.environ['HF_HUB_OFFLINE'] == '1'\n" + RIGHT,
        CHECK,
        tags={1: ["skip-execution"]},
    )
    assert grade_files(tmp_path, path)[0]["status"] == "passed"


def test_expected_exercises_are_the_check_calls():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("attention = check.attention(attention) in prose"),
        nbformat.v4.new_code_cell("a = check.attention(a)\nb =check.padding_mask( b )"),
        nbformat.v4.new_code_cell("print(check.attention)\na = check.attention(a)"),
    ]
    assert grade.expected_exercises(nb) == [("attention", 1), ("padding_mask", 1)]


def test_usage_errors_exit_non_zero(tmp_path, capsys):
    with pytest.raises(SystemExit) as missing:
        grade.main([str(tmp_path / "nope.ipynb"), "--csv", str(tmp_path / "g.csv")])
    assert missing.value.code == 2
    path = notebook(tmp_path, "n", SETUP)
    with pytest.raises(SystemExit) as no_csv:
        grade.main([str(path)])
    assert no_csv.value.code == 2
    assert "no such notebook" in capsys.readouterr().err


def test_an_unreadable_upload_is_a_row_not_a_crash(tmp_path):
    broken = tmp_path / "sub" / "broken.ipynb"
    broken.parent.mkdir()
    broken.write_text("{ not json")
    rows = grade_files(tmp_path, broken)
    assert rows[0]["status"] == "failed"
    assert rows[0]["message"].startswith("could not read the notebook")


# ----------------------------------------------------------------- one real chapter


OWN_SOFTMAX = """def hopfield_via_attention(patterns, states, beta):
    return torch.softmax(beta * states @ patterns.T, dim=-1) @ patterns"""


@pytest.mark.notebook
def test_chapter_02_exercise_notebook_is_all_not_attempted(tmp_path):
    path = ROOT / "notebooks" / "02_hopfield.ipynb"
    expected = [name for name, _ in grade.expected_exercises(nbformat.read(path, as_version=4))]
    assert len(expected) >= 8
    rows = grade_files(tmp_path, path, timeout=600)
    assert [r["exercise"] for r in rows] == expected
    assert {r["status"] for r in rows} == {"not attempted"}, rows


@pytest.mark.notebook
def test_chapter_02_solution_with_one_wrong_implementation(tmp_path):
    """The solution notebook passes every check but the one given a wrong answer, which
    fails with its checker's message: a softmax of its own instead of chapter 01's."""
    nb = nbformat.read(ROOT / "solutions" / "02_hopfield.ipynb", as_version=4)
    check_cell = dict(grade.expected_exercises(nb))["hopfield_via_attention"]
    nb.cells.insert(check_cell, nbformat.v4.new_code_cell(OWN_SOFTMAX))
    path = tmp_path / "student" / "02_hopfield.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    rows = {r["exercise"]: r for r in grade_files(tmp_path, path, timeout=600)}
    wrong = rows.pop("hopfield_via_attention")
    assert wrong["status"] == "failed"
    assert wrong["message"].startswith(
        "hopfield_via_attention must call chapter 01's scaled_dot_product_attention"
    ), wrong
    assert len(rows) >= 7
    assert {r["status"] for r in rows.values()} == {"passed"}, rows


@pytest.mark.notebook
def test_chapter_02_solution_notebook_is_all_passed(tmp_path):
    path = ROOT / "solutions" / "02_hopfield.ipynb"
    rows = grade_files(tmp_path, path, timeout=600)
    assert len(rows) >= 8
    assert {r["status"] for r in rows} == {"passed"}, rows
