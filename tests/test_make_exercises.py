"""The exercise generator: solution blocks become stubs, notebooks stay in step with _config.yml."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_exercises", ROOT / "utils" / "make_exercises.py"
)
mx = importlib.util.module_from_spec(_spec)
sys.modules["make_exercises"] = mx  # dataclasses look their module up there
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
BOOK = mx.Book(
    url="https://someone.github.io/course/",
    references={"hop82": ("Hopfield", "1982"), "kh16": ("Krotov and Hopfield", "2016")},
    titles={"book/teaching": "For teachers", "solutions/01_x": "One"},
    labels={"scale_up": ("solutions/01_x", "Scale it up")},
)


# The setup cell as it was before the generator owned the whole install block.
OLD_SETUP = (
    "# Setup\ntry:\n    import brainformers\nexcept ImportError:\n"
    '    %pip install --quiet "git+https://github.com/old/place"\n    import brainformers\n\n'
    "SEED = 0"
)


def solution_notebook(*code_cells: str) -> nbformat.NotebookNode:
    setup = new_code_cell(OLD_SETUP)
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
    assert nb.cells[1].source == f"# Setup\n{mx.install_block(URL)}\n\nSEED = 0"
    assert "old/place" not in nb.cells[1].source and "%pip" not in nb.cells[1].source
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
    exercise = mx.exercise_notebook(solution, "01_x.ipynb", BOOK)
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "2 * x" not in code[1].source and "NotImplementedError" in code[1].source
    assert "tags" not in code[1].metadata and "mystnb" not in code[1].metadata
    assert solution.cells[2].outputs, "the solution notebook itself must keep its outputs"


def test_exercise_notebook_needs_an_exercise():
    with pytest.raises(mx.SourceError, match="nothing for a student"):
        mx.exercise_notebook(solution_notebook("print(1)"), "01_x.ipynb", BOOK)


def test_repository_url_must_be_a_github_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/x\n")
    with pytest.raises(mx.SourceError, match="github.com/OWNER/REPO"):
        mx.repository(config)
    config.write_text(f"repository:\n  url: {URL}/\n  branch: dev\n")
    assert mx.repository(config) == (URL, "dev")


# ------------------------------------------------------------------ the install block


@pytest.fixture
def no_course_library(monkeypatch):
    """``import brainformers`` fails (a fresh Colab runtime); pip is replaced by ``pip``."""
    monkeypatch.setitem(sys.modules, "brainformers", None)  # None: the import raises
    calls = []

    def pip(returncode, stderr):
        def run(args, **kwargs):
            calls.append(args)
            if returncode == 0:  # pip installed it: the import now works
                monkeypatch.setitem(sys.modules, "brainformers", types.ModuleType("brainformers"))
            return subprocess.CompletedProcess(args, returncode, "", stderr)

        monkeypatch.setattr(subprocess, "run", run)
        return calls

    return pip


def test_a_failed_install_is_one_line_saying_what_failed_and_what_to_do(no_course_library):
    calls = no_course_library(1, "Collecting x\nERROR: Could not resolve host: github.com\n")
    namespace: dict = {}
    with pytest.raises(Exception) as raised:
        exec(mx.install_block(URL), namespace)  # noqa: S102 — the setup cell's own code
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", f"git+{URL}"]]
    assert type(raised.value).__name__ == "SetupFailed"
    line = str(raised.value)
    assert line == (
        f"Setup failed: could not install the course library from git+{URL} (ERROR: Could "
        "not resolve host: github.com). Check that this runtime is online, then run this "
        "cell again."
    )
    # Jupyter and Colab print what _render_traceback_ returns instead of a traceback
    assert raised.value._render_traceback_() == [line]


def test_ipython_shows_only_that_line(no_course_library, capsys):
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    no_course_library(1, "")
    shell = interactiveshell.InteractiveShell.instance()
    result = shell.run_cell(mx.install_block(URL))
    out = capsys.readouterr().out
    assert not result.success  # so "Run all" stops here
    assert out.strip() == (
        f"Setup failed: could not install the course library from git+{URL} (no message from "
        "pip). Check that this runtime is online, then run this cell again."
    )


def test_a_successful_install_imports_the_library(no_course_library):
    calls = no_course_library(0, "")
    namespace: dict = {}
    exec(mx.install_block(URL), namespace)  # noqa: S102 — the setup cell's own code
    assert len(calls) == 1 and namespace["brainformers"].__name__ == "brainformers"


def test_an_installed_library_is_not_installed_again(no_course_library, monkeypatch):
    calls = no_course_library(1, "")
    monkeypatch.setitem(sys.modules, "brainformers", types.ModuleType("brainformers"))
    exec(mx.install_block(URL), {})  # noqa: S102 — the setup cell's own code
    assert calls == []


def test_the_install_block_is_lint_and_format_clean_python(tmp_path):
    """It is plain Python now (no %pip magic): the project's ruff rules hold for it."""
    ruff = ROOT / ".venv" / "bin" / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in .venv")
    path = tmp_path / "setup.py"
    block = mx.install_block("https://github.com/a-long-owner-name/a-long-repo")
    path.write_text(f"{block}\n\nprint(brainformers.__version__)\n")  # as the cell goes on
    config = ["--no-cache", "--config", str(ROOT / "pyproject.toml")]
    lint = subprocess.run([ruff, "check", *config, path], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    form = subprocess.run([ruff, "format", "--diff", *config, path], capture_output=True, text=True)
    assert form.returncode == 0, form.stdout


# ------------------------------------------------------------------ MyST roles -> Markdown


def test_book_url_is_derived_from_the_repository_url(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text(f"repository:\n  url: {URL}\n")
    assert mx.book_url(URL, config) == "https://someone.github.io/course/"
    fork = "https://github.com/Fork-Owner/elsewhere"
    assert mx.book_url(fork, config) == "https://fork-owner.github.io/elsewhere/"
    user_site = "https://github.com/someone/someone.github.io"
    assert mx.book_url(user_site, config) == "https://someone.github.io/"
    config.write_text(f"repository:\n  url: {URL}\nhtml:\n  baseurl: https://course.org/b\n")
    assert mx.book_url(URL, config) == "https://course.org/b/"


BIB = r"""% a comment with @ in it: not an entry
@article{one1982,
  author  = {Hopfield, John J.},
  title   = {Neural networks: {A} = B, year = 1900},
  year    = {1982}
}
@inproceedings{two2016,
  author = "Krotov, Dmitry and John J. Hopfield",
  year   = 2016,
}
@misc{many2017,
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  year = {2017}}
@article{others2020,
  author = {Whittington, James and others},
  year = {2020}
}
@article{accents1990,
  author = {F{\"o}ldi{\'a}k, Peter and L{\"o}we, Matthias},
  year = {1990}
}
@misc{team2024,
  author = {{The Gymnasium Team}},
  year = {2024}
}
@misc{particle2024,
  author = {de Cothi, William},
  year = {2024}
}
"""


def test_read_bibliography_gives_author_year_labels(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB, encoding="utf-8")
    assert mx.read_bibliography(path) == {
        "one1982": ("Hopfield", "1982"),
        "two2016": ("Krotov and Hopfield", "2016"),
        "many2017": ("Vaswani et al.", "2017"),
        "others2020": ("Whittington et al.", "2020"),
        "accents1990": ("Földiák and Löwe", "1990"),
        "team2024": ("The Gymnasium Team", "2024"),
        "particle2024": ("de Cothi", "2024"),
    }


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("as shown {cite:p}`hop82`.", "as shown (Hopfield, 1982)."),
        ("{cite:p}`hop82,kh16`", "(Hopfield, 1982; Krotov and Hopfield, 2016)"),
        ("{cite:p}`hop82, kh16`", "(Hopfield, 1982; Krotov and Hopfield, 2016)"),
        ("{cite}`kh16`", "(Krotov and Hopfield, 2016)"),
        ("{cite:t}`kh16` showed", "Krotov and Hopfield (2016) showed"),
        ("{cite:t}`hop82,kh16`", "Hopfield (1982), Krotov and Hopfield (2016)"),
        (
            "the table on {doc}`../book/teaching`",
            "the table on [For teachers](https://someone.github.io/course/book/teaching.html)",
        ),
        (
            "{doc}`this table <../book/teaching>`",
            "[this table](https://someone.github.io/course/book/teaching.html)",
        ),
        (
            "{doc}`/book/teaching`",
            "[For teachers](https://someone.github.io/course/book/teaching.html)",
        ),
        (
            "see {ref}`scale_up`",
            "see [Scale it up](https://someone.github.io/course/solutions/01_x.html#scale-up)",
        ),
        (
            "{ref}`the big run <scale_up>`",
            "[the big run](https://someone.github.io/course/solutions/01_x.html#scale-up)",
        ),
        (
            "a {term}`Hopfield network`",
            "a [Hopfield network](https://someone.github.io/course/book/glossary.html"
            "#term-Hopfield-network)",
        ),
        (
            "{term}`keys <key>` and `code` and $x$",
            "[keys](https://someone.github.io/course/book/glossary.html#term-key) and `code` "
            "and $x$",
        ),
    ],
)
def test_roles_become_text_and_links(markdown, expected):
    assert mx.resolve_roles(markdown, BOOK, "01_x.ipynb") == expected


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("{cite:p}`hop82,nobody99`", "cites 'nobody99', not in references.bib"),
        ("{doc}`../book/missing`", "names no page of the book"),
        ("{doc}`../../elsewhere`", "leaves the book"),
        ("{ref}`nowhere`", "no '\\(nowhere\\)=' label"),
        ("{numref}`fig-1`", "role \\{numref\\} would show as literal text"),
    ],
)
def test_an_unresolvable_role_is_named(markdown, message):
    with pytest.raises(mx.SourceError, match=message):
        mx.resolve_roles(markdown, BOOK, "01_x.ipynb: markdown cell 4")


def test_exercise_notebook_resolves_roles_and_links_the_last_hint():
    solution = solution_notebook(SOLVED)
    solution.cells[0].source += "\n\nAfter {cite:t}`hop82`."
    solution.cells[3].source = HINTS.replace(
        "Behind **Show solution** in the book.",
        "The book's page for this chapter shows it: its **Show solution** toggle.",
    )
    mx.sync_solution(solution, "01_x.ipynb", URL, "main")
    exercise = mx.exercise_notebook(solution, "01_x.ipynb", BOOK)
    assert exercise.cells[0].source.endswith("After Hopfield (1982).")
    page = "https://someone.github.io/course/solutions/01_x.html"
    assert f"[The book's page for this chapter]({page}) shows it" in exercise.cells[3].source
    assert "{cite:t}`hop82`" in solution.cells[0].source, "the book renders the roles itself"
    assert page not in solution.cells[3].source


def test_a_last_hint_in_other_words_gets_the_chapter_link_added():
    solution = solution_notebook(SOLVED)  # its last hint: "Behind **Show solution** in the book."
    mx.sync_solution(solution, "01_x.ipynb", URL, "main")
    hints = mx.exercise_notebook(solution, "01_x.ipynb", BOOK).cells[3].source
    last = hints[hints.rfind("<details>") :]
    link = (
        "[The book's page for this chapter](https://someone.github.io/course/solutions/01_x.html)"
    )
    assert link in last and last.endswith("</details>")
    assert link not in hints[: hints.rfind("<details>")]
    page = "https://someone.github.io/course/solutions/01_x.html"
    assert mx.link_chapter_page(hints, page) == hints, "a second run adds nothing"


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
    (course / "book").mkdir()
    (course / "book" / "intro.md").write_text("# Welcome\n")
    path = course / "solutions" / "01_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_markdown_cell("Start at {doc}`../book/intro`."))
    nbformat.write(nb, path)
    mx.main([])
    assert (
        "](https://someone.github.io/course/book/intro.html)"
        in (course / "notebooks" / "01_x.ipynb").read_text()
    )
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


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name
)
def test_no_raw_myst_role_reaches_a_student(path):
    """Colab shows {cite:p}`key` as literal text: every role must have become Markdown."""
    exercise = nbformat.read(path, as_version=4)
    raw = [
        m[0]
        for c in exercise.cells
        if c.cell_type == "markdown"
        for m in mx.ROLE_RE.finditer(c.source)
    ]
    assert not raw
    page = mx.book_url(mx.repository()[0]) + f"solutions/{path.stem}.html"
    hints = [c.source for c in exercise.cells if mx.HINT_RE.search(c.source)]
    assert hints and all(f"]({page})" in h[h.rfind("<details>") :] for h in hints)
