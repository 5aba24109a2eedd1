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
* turns the MyST roles that only the book renders into plain Markdown a student sees in
  Colab: citations (``{cite:p}``, ``{cite:t}``) into "(Author, year)" / "Author (year)"
  from book/references.bib, ``{doc}``, ``{ref}`` and ``{term}`` into links to the
  published book, and points the last hint of each exercise at the chapter's page there,
* and keeps the solution notebooks in step with ``_config.yml``: the Colab badge (which
  opens the *exercise* notebook), the install block of the setup cell, and the
  "show solution" toggle on every solution cell; CITATION.cff's ``repository-code``
  follows the same URL, and so does the published book's address (GitHub Pages:
  ``https://OWNER.github.io/REPO/``, unless _config.yml's ``html.baseurl`` says otherwise).

Usage::

    python utils/make_exercises.py          # write notebooks/ (and sync solutions/)
    python utils/make_exercises.py --check  # exit 1 if anything is out of date
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import unicodedata
from dataclasses import dataclass, field
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
# The setup cell's install block: from "try: import brainformers" to the import after the
# install (whatever form it has, so an older block is replaced by the current one).
INSTALL_RE = re.compile(
    r"^try:\n    import brainformers\nexcept ImportError:.*?\n    import brainformers$",
    re.DOTALL | re.MULTILINE,
)
CITATION_RE = re.compile(r'^repository-code: "[^"]*"$', re.MULTILINE)
SOLUTION_TOGGLE = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
# A MyST role: {name}`content`, with content "target" or "text <target>".
ROLE_RE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}`(?P<content>[^`]+)`")
EXPLICIT_RE = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
CHAPTER_PAGE_RE = re.compile(
    r"(?<!\[)\b(the book's page for this chapter)\b(?!\]\()", re.IGNORECASE
)


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


def install_block(url: str) -> str:
    """The setup cell's lines that install the course library where it is missing (Colab).

    pip runs quietly with its output captured: when it fails, the student sees one line
    that says what failed and what to do, not pip's trace followed by a
    ModuleNotFoundError. IPython (Jupyter, Colab) prints an exception's
    ``_render_traceback_()`` instead of a traceback, and the error still stops "Run all".
    Nothing here touches torch, numpy or matplotlib.
    """
    return f"""try:
    import brainformers
except ImportError:  # Colab: install it from the course repository, once per runtime
    import subprocess
    import sys

    _source = "git+{url}"
    _pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", _source],
        capture_output=True,
        text=True,
        check=False,  # a failure is reported below, in one line
    )
    if _pip.returncode != 0:

        class SetupFailed(Exception):
            def _render_traceback_(self):  # Jupyter and Colab print this line, no traceback
                return [str(self)]

        _why = (_pip.stderr.strip().splitlines() or ["no message from pip"])[-1]
        raise SetupFailed(
            f"Setup failed: could not install the course library from {{_source}} ({{_why}}). "
            "Check that this runtime is online, then run this cell again."
        ) from None
    import brainformers"""


def book_url(url: str, config_path: Path | None = None) -> str:
    """The published book's address, ending in "/": _config.yml's ``html.baseurl`` if set,
    else where GitHub Pages publishes the repository ``url`` (so a fork needs no change)."""
    config = yaml.safe_load((config_path or ROOT / "_config.yml").read_text()) or {}
    base = str((config.get("html") or {}).get("baseurl") or "").strip()
    if base:
        return base.rstrip("/") + "/"
    owner, repo = url.removeprefix("https://github.com/").split("/")
    if repo.lower() == f"{owner.lower()}.github.io":  # a user site is served from the root
        return f"https://{repo.lower()}/"
    return f"https://{owner.lower()}.github.io/{repo}/"


# BibTeX accents (\"o, {\'a}, \c{c}) as combining characters; a few letters of their own.
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_ACCENT_RE = re.compile(r"\\([\"'`^~=.])\s*\{?(\\?[A-Za-z])\}?|\\([uvHckr])(?:\s+|\{)([A-Za-z])\}?")
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "i": "ı",
}
_LETTER_RE = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|[oOlLi])\b\s*")


def _latex_to_text(value: str) -> str:
    """A BibTeX field as plain text: accents resolved, protective braces dropped."""

    def accent(match: re.Match) -> str:
        mark, letter = (match[1], match[2]) if match[1] else (match[3], match[4])
        letter = "i" if letter == "\\i" else letter
        return unicodedata.normalize("NFC", letter + _ACCENTS[mark])

    value = _ACCENT_RE.sub(accent, value)
    value = _LETTER_RE.sub(lambda m: _LETTERS[m[1]], value)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _split_top_level(text: str, separator: re.Pattern) -> list[str]:
    """Split ``text`` at ``separator`` outside braces ({Google DeepMind} stays one name)."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        depth += {"{": 1, "}": -1}.get(char, 0)
        match = separator.match(text, index) if depth == 0 else None
        if match:
            parts.append(text[start:index])
            start = index = match.end()
            continue
        index += 1
    return [*parts, text[start:]]


def _bib_fields(body: str) -> dict[str, str]:
    """``name = {value}`` / ``"value"`` / ``bare`` fields of one entry, read in order (so
    an ``=`` inside a value is never taken for a field; nested braces are kept)."""
    fields: dict[str, str] = {}
    field_re = re.compile(r"[\s,]*(\w+)\s*=\s*")
    position = 0
    while match := field_re.match(body, position):
        start = match.end()
        opener = body[start : start + 1]
        if opener == "{":
            depth = 0
            for end in range(start, len(body)):
                depth += {"{": 1, "}": -1}.get(body[end], 0)
                if depth == 0:
                    break
            value, position = body[start + 1 : end], end + 1
        elif opener == '"':
            end = body.find('"', start + 1)
            end = len(body) if end < 0 else end
            value, position = body[start + 1 : end], end + 1
        else:
            value = re.match(r"[^,\s}]*", body[start:])[0]
            position = start + len(value)
        fields.setdefault(match[1].lower(), value)
    return fields


def _surname(name: str) -> str:
    """'Krotov, Dmitry' -> 'Krotov'; 'Dmitry Krotov' -> 'Krotov'; '{Some Team}' -> 'Some Team'."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}"):
        return _latex_to_text(name)
    parts = _split_top_level(name, re.compile(r","))
    if len(parts) > 1:
        return _latex_to_text(parts[0])
    return _latex_to_text(name).split(" ")[-1]


def read_bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """``key -> (authors, year)`` from a BibTeX file, as the book's author-year citations
    print them: "Hopfield", "Krotov and Hopfield", "Vaswani et al."."""
    references: dict[str, tuple[str, str]] = {}
    text = path.read_text(encoding="utf-8")
    # An entry runs from "@type{key," to the next entry (comments in between are harmless).
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)(?=^\s*@|\Z)", text, re.S | re.M):
        if match[1].lower() in {"comment", "string", "preamble"}:
            continue
        fields = _bib_fields(match[3])
        names = [
            n
            for n in _split_top_level(
                fields.get("author") or fields.get("editor", ""), re.compile(r"\s+and\s+")
            )
            if n.strip()
        ]
        surnames = [_surname(n) for n in names if n.strip() != "others"]
        if not surnames:
            authors = _latex_to_text(fields.get("title", match[2]))
        elif len(surnames) == 1 and len(names) == 1:
            authors = surnames[0]
        elif len(surnames) == 2 and len(names) == 2:
            authors = f"{surnames[0]} and {surnames[1]}"
        else:
            authors = f"{surnames[0]} et al."
        references[match[2]] = (authors, _latex_to_text(fields.get("year", "n.d.")))
    return references


def _term_id(term: str) -> str:
    """The HTML id Sphinx gives a glossary term ("term-" + sphinx.util.nodes._make_id: case
    and "._" kept, other runs of characters become "-")."""
    text = unicodedata.normalize("NFKD", term).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9._]+", "-", " ".join(text.split()))
    return "term-" + re.sub(r"^[-0-9._]+|-+$", "", text)


def _label_id(label: str) -> str:
    """The HTML id of a MyST ``(label)=`` target (docutils.nodes.make_id: lower case, runs of
    anything but letters and digits become "-")."""
    text = unicodedata.normalize("NFKD", label.lower()).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", " ".join(text.split()))
    return re.sub(r"^[-0-9]+|-+$", "", text)


def _first_heading(text: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    return match[1] if match else ""


@dataclass(frozen=True)
class Book:
    """What the MyST roles of a notebook point to, in the published book.

    ``url`` is the book's address (ending in "/"); ``references`` maps a BibTeX key to
    (authors, year); ``titles`` maps a page (its path from the book's root, no suffix, e.g.
    "book/robustness") to its title; ``labels`` maps a ``(label)=`` target to (page, title).
    """

    url: str
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)

    def page(self, doc: str, anchor: str = "") -> str:
        return f"{self.url}{doc}.html" + (f"#{anchor}" if anchor else "")


def load_book(url: str, root: Path | None = None) -> Book:
    """Read the book's address, bibliography, page titles and labels from the course tree."""
    root = root or ROOT
    titles: dict[str, str] = {}
    labels: dict[str, tuple[str, str]] = {}
    pages = [*(root / "book").glob("*.md"), *(root / "solutions").glob("*.ipynb")]
    for path in sorted(pages):
        doc = path.relative_to(root).with_suffix("").as_posix()
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
        titles[doc] = _first_heading(text) or doc
        for match in re.finditer(r"^\(([^()\s]+)\)=\s*\n+\s*#+\s+(.+?)\s*$", text, re.M):
            labels[match[1]] = (doc, match[2])
    bib = root / "book" / "references.bib"
    references = read_bibliography(bib) if bib.exists() else {}
    return Book(book_url(url, root / "_config.yml"), references, titles, labels)


def _citation(role: str, keys: str, book: Book, where: str) -> str:
    cited = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in book.references:
            raise SourceError(f"{where}: {{{role}}}`{keys}` cites {key!r}, not in references.bib")
        cited.append(book.references[key])
    if role == "cite:t":
        return ", ".join(f"{authors} ({year})" for authors, year in cited)
    return "(" + "; ".join(f"{authors}, {year}" for authors, year in cited) + ")"


def _doc_path(target: str, name: str) -> str:
    """A {doc} target as a page path from the book's root ("../book/x" from solutions/)."""
    parts = [] if target.startswith("/") else ["solutions"]
    for part in target.strip("/").removesuffix(".md").removesuffix(".ipynb").split("/"):
        if part == "..":
            if not parts:
                raise SourceError(f"{name}: {{doc}}`{target}` leaves the book")
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def resolve_roles(text: str, book: Book, where: str) -> str:
    """Markdown with every MyST role the book renders turned into text or a link.

    ``{cite:p}`a,b``` -> "(A, 2017; B et al., 2018)", ``{cite:t}`a``` -> "A (2017)";
    ``{doc}``, ``{ref}`` and ``{term}`` -> links to the published book (a role's own text
    ``text <target>`` is kept as the link's text). Any other role is an error, so nothing
    reaches a student as literal ``{role}`...```.
    """

    def resolve(match: re.Match) -> str:
        role, content = match["role"], match["content"].strip()
        explicit = EXPLICIT_RE.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else ("", content)
        if role in ("cite", "cite:p", "cite:t"):
            return _citation("cite:t" if role == "cite:t" else "cite:p", content, book, where)
        if role == "doc":
            doc = _doc_path(target, where)
            if doc not in book.titles:
                raise SourceError(f"{where}: {{doc}}`{content}` names no page of the book")
            return f"[{text or book.titles[doc]}]({book.page(doc)})"
        if role == "ref":
            if target not in book.labels:
                raise SourceError(f"{where}: {{ref}}`{content}`: no '({target})=' label")
            doc, title = book.labels[target]
            return f"[{text or title}]({book.page(doc, _label_id(target))})"
        if role == "term":
            return f"[{text or target}]({book.page('book/glossary', _term_id(target))})"
        raise SourceError(
            f"{where}: the MyST role {{{role}}} would show as literal text in the exercise "
            "notebook; teach utils/make_exercises.py to turn it into Markdown"
        )

    return ROLE_RE.sub(resolve, text)


def link_chapter_page(hints: str, chapter_url: str) -> str:
    """The last hint's "the book's page for this chapter" as a link to that page (added
    at the end of the last hint when it does not say so in those words)."""
    last = hints.rfind("<details>")
    head, tail = hints[:last], hints[last:]
    tail, n = CHAPTER_PAGE_RE.subn(lambda m: f"[{m[1]}]({chapter_url})", tail, count=1)
    if n == 0 and chapter_url not in tail:
        end = tail.rfind("</details>")
        link = f"[The book's page for this chapter]({chapter_url}) has the full solution.\n\n"
        tail = tail[:end] + link + tail[end:]
    return head + tail


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
    """Bring badge, install block and solution toggles of a solution notebook up to date."""
    first = nb.cells[0]
    if first.cell_type != "markdown" or not BADGE_RE.search(first.source):
        raise SourceError(f"{name}: the first cell must be markdown holding the Colab badge")
    first.source = BADGE_RE.sub(colab_badge(url, branch, name), first.source)
    installs = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if INSTALL_RE.search(cell.source):
            cell.source = INSTALL_RE.sub(lambda _: install_block(url), cell.source)
            installs += 1
        tags = cell.metadata.get("tags", [])
        if BEGIN in cell.source:
            if "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
            cell.metadata["mystnb"] = {**cell.metadata.get("mystnb", {}), **SOLUTION_TOGGLE}
    if installs != 1:
        raise SourceError(
            f"{name}: expected one setup cell with the install block ('try: import brainformers "
            f"/ except ImportError: … / import brainformers'), found {installs}"
        )


def exercise_notebook(
    solution: nbformat.NotebookNode, name: str, book: Book
) -> nbformat.NotebookNode:
    """The exercise form of a (synced) solution notebook, its roles resolved against ``book``."""
    nb = copy.deepcopy(solution)
    n_exercises = 0
    chapter_url = book.page(f"solutions/{Path(name).stem}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = resolve_roles(cell.source, book, f"{name}: markdown cell {index}")
            after_exercise = index > 0 and BEGIN in solution.cells[index - 1].source
            if after_exercise and HINT_RE.search(cell.source):
                cell.source = link_chapter_page(cell.source, chapter_url)
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
    book = load_book(url)
    files: dict[Path, str] = {}
    citation = ROOT / "CITATION.cff"
    if citation.exists():
        files[citation] = CITATION_RE.sub(f'repository-code: "{url}"', citation.read_text())
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        sync_solution(solution, path.name, url, branch)
        check_format(solution, path.name)
        files[path] = nbformat.writes(solution) + "\n"
        exercise = exercise_notebook(solution, path.name, book)
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
