"""Look at the built book as a reader's browser does, with headless Chromium, offline.

Checks, on the HTML in _build/html:

* no broken local links: every relative ``href``/``src`` in every page points at a file;
* no page needs the network for math: MathJax is loaded from the book's own _static;
* on each page that holds math, MathJax has rendered it (``mjx-container`` elements in
  the DOM after Chromium ran the page's scripts);
* each chapter page shows its figures (``<img>`` elements whose files exist) and the
  "Open in Colab" badge that opens the exercise notebook;
* on each chapter page, what a reader should open on purpose starts closed: every
  exercise's solution code behind a "Show solution" toggle, two or more hints per
  exercise and a model answer per Think! question, each a ``<details>`` without ``open``.

``--screenshots DIR`` also writes a PNG of each page, to look at.

Usage::

    python utils/check_pages.py [--screenshots _build/screenshots]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
MATH_PAGES = ["solutions/" + c for c in CHAPTERS]
LOOK_AT = ["book/intro", "book/teaching", "book/how_to_use", "book/robustness", *MATH_PAGES]
_DETAILS = re.compile(r"<details\b([^>]*)>(.*?)</summary>", re.DOTALL)


def collapsed(dom: str) -> dict[str, int]:
    """Counts of the page's collapsed blocks: solutions, hints, model answers, and any
    ``<details>`` that is open (which should be none)."""
    counts = {"solutions": 0, "hints": 0, "answers": 0, "open": 0}
    for attrs, summary in _DETAILS.findall(dom):
        text = re.sub(r"<[^>]+>", " ", summary)
        if re.search(r"\bopen\b", attrs):
            counts["open"] += 1
        if "Show solution" in text:
            counts["solutions"] += 1
        elif re.search(r"Hint \d", text):
            counts["hints"] += 1
        elif "Model answer" in text:
            counts["answers"] += 1
    return counts


def _exercises(chapter: str) -> int:
    """Exercise cells (one may hold several solution blocks): one toggle and hints each."""
    nb = json.loads((ROOT / "solutions" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    return sum("# BEGIN SOLUTION" in "".join(c["source"]) for c in nb["cells"])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((tag, value))
                if tag == "img" and name == "src":
                    self.images.append(value)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(html: Path) -> list[str]:
    """Relative links and sources of every page that do not resolve to a file."""
    problems = []
    pages = [p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts]
    for page in sorted(pages):  # _static holds theme templates, not pages
        for tag, link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "data:")):
                if tag == "script" and "mathjax" in link.lower():
                    problems.append(f"{page.relative_to(html)}: MathJax from the network: {link}")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if parts.path and not target.exists():
                problems.append(f"{page.relative_to(html)}: broken link {link}")
    return problems


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built book without logging every request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — base signature
        pass


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise SystemExit("check_pages: Chromium not found (Debian: apt-get install chromium)")


def _browser(url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
                f"--user-data-dir={profile}", "--virtual-time-budget=20000", *extra, url,
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip


def rendered_dom(url: str) -> str:
    """The page's DOM after its scripts (MathJax included) have run."""
    return _browser(url, "--dump-dom").stdout


def screenshot(url: str, png: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    _browser(url, f"--screenshot={png}", "--window-size=1280,2400", "--hide-scrollbars")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, help="write a PNG of each page here")
    args = parser.parse_args(argv)
    if not (HTML / "index.html").exists():
        print("check_pages: no _build/html; build the book first (make book)", file=sys.stderr)
        return 1
    problems = broken_links(HTML)

    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for page in LOOK_AT:
            path = HTML / f"{page}.html"
            if not path.exists():
                problems.append(f"{page}.html was not built")
                continue
            dom = rendered_dom(f"{base}/{page}.html")
            source = path.read_text(encoding="utf-8")
            has_math = "\\(" in source or "\\[" in source or 'class="math' in source
            n_math = dom.count("<mjx-container")
            if has_math and n_math == 0:
                problems.append(f"{page}: page has math but MathJax rendered none")
            if page in MATH_PAGES:
                images = _parse(path).images
                figures = [i for i in images if not i.startswith(("http", "data:"))]
                if len(figures) < 2:
                    problems.append(f"{page}: expected its figures, found {len(figures)} images")
                badge = re.search(r"colab\.research\.google\.com/github/[^\"']+/notebooks/", source)
                if not badge:
                    problems.append(f"{page}: no Colab badge opening the exercise notebook")
                blocks = collapsed(dom)
                n_exercises = _exercises(page.removeprefix("solutions/"))
                if blocks["solutions"] < n_exercises:
                    problems.append(
                        f"{page}: {n_exercises} exercise cells but {blocks['solutions']} "
                        "'Show solution' toggles"
                    )
                if blocks["hints"] < 2 * n_exercises or blocks["answers"] < 3:
                    problems.append(
                        f"{page}: expected ≥ {2 * n_exercises} collapsed hints and ≥ 3 model "
                        f"answers, found {blocks['hints']} and {blocks['answers']}"
                    )
                if blocks["open"]:
                    problems.append(f"{page}: {blocks['open']} <details> blocks open by default")
                print(
                    f"{page}: {n_math} math elements rendered, {len(figures)} figures, "
                    f"{blocks['solutions']} solutions, {blocks['hints']} hints and "
                    f"{blocks['answers']} model answers collapsed"
                )
            else:
                print(f"{page}: {n_math} math elements rendered")
            if args.screenshots:
                screenshot(
                    f"{base}/{page}.html", args.screenshots / f"{page.replace('/', '_')}.png"
                )
    finally:
        server.shutdown()
    for problem in problems:
        print(f"check_pages: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_pages: {len(LOOK_AT)} pages look right; no broken local links.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
