"""Generate the exercise notebooks in notebooks/ from the solution notebooks in solutions/.

solutions/ is the single source of every chapter. In a solution notebook, the part a
student writes sits inside a code cell between ``# BEGIN SOLUTION`` and
``# END SOLUTION``; the block's ``# TASK: ...`` lines say in words and maths what to
compute (never the code) and become the stub's TODO comment. The cell right after each
exercise is a markdown cell of two or three collapsed hints
(``<details><summary>Hint 1 — …</summary> … </details>``), the last of which says where
the full solution is (the book's "Show solution" toggle); each chapter asks at least
three ``**Think!**`` questions, each with a collapsed ``Model answer``. The generator

* checks that format, and names what is missing,
* replaces each block with ``# TODO: <task>`` and ``raise NotImplementedError(...)``,
* strips outputs and execution counts,
* and keeps the solution notebooks in step with ``_config.yml``: the Colab badge (which
  opens the *exercise* notebook), the install line of the setup cell, and the
  "show solution" toggle on every solution cell; CITATION.cff's ``repository-code``
  follows the same URL.

Usage::

    python utils/make_exercises.py          # write notebooks/ (and sync solutions/)
    python utils/make_exercises.py --check  # exit 1 if anything is out of date
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END, TASK = "# BEGIN SOLUTION", "# END SOLUTION", "# TASK:"
HINT_RE = re.compile(r"<details>\s*<summary>\s*Hint (\d+) — [^<]+</summary>")
THINK_RE = re.compile(r"\*\*Think!")
ANSWER_RE = re.compile(r"<details>\s*<summary>\s*Model answer")
MIN_THINK, MIN_HINTS, MAX_HINTS = 3, 2, 3
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
INSTALL_RE = re.compile(r'%pip install --quiet "[^"]*"')
CITATION_RE = re.compile(r'^repository-code: "[^"]*"$', re.MULTILINE)
SOLUTION_TOGGLE = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}


class SourceError(ValueError):
    """A solution notebook breaks the exercise format."""


def repository(config_path: Path | None = None) -> tuple[str, str]:
    """(url, branch) of the course repository, from the one line in _config.yml."""
    config = yaml.safe_load((config_path or ROOT / "_config.yml").read_text())
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise SourceError(
            f"_config.yml repository.url must be https://github.com/OWNER/REPO, got {url!r}"
        )
    return url, str(repo.get("branch", "main"))


def colab_badge(url: str, branch: str, name: str) -> str:
    """Markdown badge that opens notebooks/<name> in Google Colab."""
    path = url.removeprefix("https://github.com/")
    target = f"https://colab.research.google.com/github/{path}/blob/{branch}/notebooks/{name}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({target})"


def install_line(url: str) -> str:
    return f'%pip install --quiet "git+{url}"'


def _stub(block: list[str], where: str) -> list[str]:
    """The TODO lines that replace one solution block, at the block's indentation."""
    first = block[0]
    indent = first[: len(first) - len(first.lstrip())]
    if not indent:
        raise SourceError(
            f"{where}: a solution block must sit inside a function body, so the untouched "
            "exercise notebook still runs; indent it under a def"
        )
    tasks = [line.strip()[len(TASK) :].strip() for line in block if line.strip().startswith(TASK)]
    if not tasks:
        raise SourceError(
            f"{where}: a solution block needs a '{TASK} …' line that says in words and maths "
            "what to compute (it becomes the student's TODO)"
        )
    message = "not done yet: replace this line with your code"
    todo = [f"{indent}# TODO: {tasks[0]}\n"] + [f"{indent}#       {t}\n" for t in tasks[1:]]
    return [*todo, f'{indent}raise NotImplementedError("{message}")\n']


def strip_solutions(source: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION block of a cell's source with a stub."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    block: list[str] | None = None
    for line_number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise SourceError(f"{where}: nested {BEGIN} at line {line_number}")
            block = [line]
        elif marker == END:
            if block is None:
                raise SourceError(f"{where}: {END} without {BEGIN} at line {line_number}")
            out.extend(_stub(block, where))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise SourceError(f"{where}: {BEGIN} without {END}")
    text = "".join(out)
    return text if source.endswith("\n") else text.rstrip("\n")


def check_format(nb: nbformat.NotebookNode, name: str) -> None:
    """Hints under every exercise and Think! questions with model answers (COURSE.md §3)."""
    n_exercises = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        n_exercises += 1
        where = f"{name}: exercise cell {n_exercises} (cell {index})"
        after = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
        numbers = [int(n) for n in HINT_RE.findall(after.source)] if after else []
        if after is None or after.cell_type != "markdown" or not numbers:
            raise SourceError(
                f"{where}: the next cell must be markdown with {MIN_HINTS}-{MAX_HINTS} collapsed "
                "hints, '<details><summary>Hint 1 — …</summary> … </details>'"
            )
        if numbers != list(range(1, len(numbers) + 1)) or not (
            MIN_HINTS <= len(numbers) <= MAX_HINTS
        ):
            raise SourceError(
                f"{where}: expected hints numbered 1…{MIN_HINTS} or 1…{MAX_HINTS}, got {numbers}"
            )
        last = after.source[list(HINT_RE.finditer(after.source))[-1].start() :]
        if "Show solution" not in last:
            raise SourceError(
                f"{where}: the last hint must say where the full solution is (the book's "
                "'Show solution' toggle)"
            )
    for index, cell in enumerate(nb.cells):
        # A control character in markdown is almost always a lost backslash: "\tanh" written
        # from a Python string without r"" becomes a tab and "anh", and the maths breaks.
        bad = sorted({repr(ch) for ch in cell.source if ord(ch) < 32 and ch != "\n"})
        if cell.cell_type == "markdown" and bad:
            raise SourceError(
                f"{name}: markdown cell {index} holds control characters {', '.join(bad)} "
                "(a lost backslash, e.g. a tab where '\\tanh' or '\\theta' was meant?)"
            )
    questions = [c for c in nb.cells if c.cell_type == "markdown" and THINK_RE.search(c.source)]
    for cell in questions:
        if len(ANSWER_RE.findall(cell.source)) < len(THINK_RE.findall(cell.source)):
            first = cell.source.strip().splitlines()[0][:60]
            raise SourceError(
                f"{name}: the Think! question '{first}…' needs a collapsed "
                "'<details><summary>Model answer</summary> … </details>' below it"
            )
    n_questions = sum(len(THINK_RE.findall(c.source)) for c in questions)
    if n_questions < MIN_THINK:
        raise SourceError(f"{name}: {n_questions} Think! question(s); a chapter asks ≥ {MIN_THINK}")


def sync_solution(nb: nbformat.NotebookNode, name: str, url: str, branch: str) -> None:
    """Bring badge, install line and solution toggles of a solution notebook up to date."""
    first = nb.cells[0]
    if first.cell_type != "markdown" or not BADGE_RE.search(first.source):
        raise SourceError(f"{name}: the first cell must be markdown holding the Colab badge")
    first.source = BADGE_RE.sub(colab_badge(url, branch, name), first.source)
    installs = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if INSTALL_RE.search(cell.source):
            cell.source = INSTALL_RE.sub(install_line(url), cell.source)
            installs += 1
        tags = cell.metadata.get("tags", [])
        if BEGIN in cell.source:
            if "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
            cell.metadata["mystnb"] = {**cell.metadata.get("mystnb", {}), **SOLUTION_TOGGLE}
    if installs != 1:
        raise SourceError(
            f"{name}: expected one setup cell with the %pip install line, found {installs}"
        )


def exercise_notebook(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The exercise form of a (synced) solution notebook."""
    nb = copy.deepcopy(solution)
    n_exercises = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            if BEGIN in cell.source:
                n_exercises += 1
                where = f"{name}: exercise cell {n_exercises}"
                cell.source = strip_solutions(cell.source, where)
                cell.metadata.pop("mystnb", None)
                tags = [t for t in cell.metadata.get("tags", []) if t != "hide-input"]
                if tags:
                    cell.metadata["tags"] = tags
                else:
                    cell.metadata.pop("tags", None)
    if n_exercises == 0:
        raise SourceError(f"{name}: no {BEGIN} blocks, so there is nothing for a student to do")
    nb.metadata.pop("widgets", None)
    return nb


def build() -> dict[Path, str]:
    """Every file this script owns, mapped to the text it should contain."""
    url, branch = repository()
    files: dict[Path, str] = {}
    citation = ROOT / "CITATION.cff"
    if citation.exists():
        files[citation] = CITATION_RE.sub(f'repository-code: "{url}"', citation.read_text())
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        sync_solution(solution, path.name, url, branch)
        check_format(solution, path.name)
        files[path] = nbformat.writes(solution) + "\n"
        exercise = exercise_notebook(solution, path.name)
        files[ROOT / "notebooks" / path.name] = nbformat.writes(exercise) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any file is out of date")
    args = parser.parse_args(argv)
    try:
        files = build()
    except SourceError as error:
        print(f"make_exercises: {error}", file=sys.stderr)
        return 1
    expected = set(files)
    orphans = {p for p in (ROOT / "notebooks").glob("*.ipynb")} - expected
    stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    if args.check:
        for path in sorted(stale) + sorted(orphans):
            why = "has no solution notebook" if path in orphans else "is out of date"
            print(f"make_exercises --check: {path.relative_to(ROOT)} {why}", file=sys.stderr)
        if stale or orphans:
            print("Run `python utils/make_exercises.py` and commit the result.", file=sys.stderr)
            return 1
        chapters = sum(1 for p in files if p.parent.name == "notebooks")
        print(f"make_exercises --check: {chapters} chapter(s) up to date.")
        return 0
    (ROOT / "notebooks").mkdir(exist_ok=True)
    for path in stale:
        path.write_text(files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    for path in orphans:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)} (no solution notebook)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
