"""The page checker's static part: broken local links and network MathJax are caught."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_pages", ROOT / "utils" / "check_pages.py")
cp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cp)


def site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "style.css").write_text("")
    (tmp_path / "_static" / "template.html").write_text('<a href="{{ pathto(x) }}">t</a>')
    (tmp_path / "book" / "page.html").write_text(body)
    return tmp_path


def test_good_links_pass(tmp_path):
    html = site(
        tmp_path,
        '<link href="../_static/style.css"><a href="#top">up</a><a href="page.html#x">me</a>'
        '<a href="https://example.org">out</a><img src="data:image/png;base64,AA">',
    )
    assert cp.broken_links(html) == []


def test_broken_link_and_image_are_reported(tmp_path):
    html = site(tmp_path, '<a href="missing.html">x</a><img src="../_images/gone.png">')
    problems = cp.broken_links(html)
    assert len(problems) == 2
    assert "book/page.html: broken link missing.html" in problems[0]


def test_mathjax_from_the_network_is_reported(tmp_path):
    html = site(tmp_path, '<script src="https://cdn.example/mathjax@3/es5/tex-chtml.js"></script>')
    assert "MathJax from the network" in cp.broken_links(html)[0]


def test_collapsed_blocks_are_counted_and_open_ones_reported():
    dom = (
        '<details class="hide above-input"><summary><span>Show solution</span></summary>x'
        "</details><details><summary>Hint 1 — the idea</summary>a</details>"
        "<details open><summary>Hint 2 — the approach</summary>b</details>"
        "<details><summary>Model answer</summary>c</details>"
    )
    assert cp.collapsed(dom) == {"solutions": 1, "hints": 2, "answers": 1, "open": 1}
