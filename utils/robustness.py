"""Seed sweep: rerun every chapter for several seeds and publish the range of each headline.

Each solution notebook sets ``SEED = 0`` in its setup cell and derives every random draw
from it (data, initialisation, held-out sets). This script runs the notebook top to
bottom in a fresh kernel once per seed, with only that line changed, reads the
chapter's ``headline`` dictionary (the numbers its Results cell prints) and writes
``book/robustness.md``: per headline its bar (from :mod:`brainformers.results`), the
minimum, median and maximum over the seeds, and ``holds`` — ``yes`` only when every
seed meets the bar. Cells tagged ``skip-execution`` ("scale it up") are skipped, as in CI.

Usage::

    python utils/robustness.py                       # seeds 0-4, every chapter (~25 min)
    python utils/robustness.py --chapters 03_tem     # rerun one chapter after a change
    python utils/robustness.py --seeds 0 1 --chapters 03_tem   # a quick look, not stored

Every seed's values are kept in book/robustness.json; a run of one chapter with at least
five seeds replaces that chapter's entry, and the page is rebuilt from the whole file
once every chapter is in it. Not part of CI: it trains every chapter five times.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import re
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from brainformers.results import BARS
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "book" / "robustness.md"
RAW = ROOT / "book" / "robustness.json"  # every seed's values, so one chapter can be rerun
LOCK = ROOT / ".robustness.lock"
SEED_LINE = re.compile(r"^SEED = 0\b", re.MULTILINE)
READ_HEADLINE = (
    "import json as _json\nprint(_json.dumps({_k: float(_v) for _k, _v in headline.items()}))"
)
MIN_SEEDS = 5
_SYMBOL = {">=": "≥", "<=": "≤"}


def with_seed(nb: nbformat.NotebookNode, seed: int) -> nbformat.NotebookNode:
    """A copy of a solution notebook whose setup cell sets ``SEED = seed``."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    setups = [c for c in nb.cells if c.cell_type == "code" and SEED_LINE.search(c.source)]
    if len(setups) != 1:
        raise ValueError(
            f"expected exactly one code cell with a line 'SEED = 0', found {len(setups)}"
        )
    setups[0].source = SEED_LINE.sub(f"SEED = {seed}", setups[0].source, count=1)
    nb.cells.append(nbformat.v4.new_code_cell(READ_HEADLINE))
    return nb


def run_chapter(path: Path, seed: int, timeout: int = 900) -> tuple[dict[str, float], float]:
    """Run one chapter with one seed; return its headline values and the wall-clock seconds."""
    nb = with_seed(nbformat.read(path, as_version=4), seed)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1]), seconds


def _fmt(value: float) -> str:
    if value != 0 and abs(value) < 0.005:
        return f"{value:.1e}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    text = f"{round(value, 3) + 0.0:.3f}".rstrip("0").rstrip(".")  # + 0.0: no "-0"
    return "0" if text == "-0" else text


def _headline_names(chapter: str, by_seed: Mapping[int, Mapping[str, float]]) -> list[str]:
    """Every headline of the runs, in the order the chapter's Results cell lists them (any
    it does not list after)."""
    names = list(dict.fromkeys(name for seed in sorted(by_seed) for name in by_seed[seed]))
    path = ROOT / "solutions" / f"{chapter}.ipynb"
    listed: list[str] = []
    if path.exists():
        for cell in nbformat.read(path, as_version=4).cells:
            if "results" in cell.metadata.get("tags", []):
                listed = re.findall(r'^\s+"(\w+)":', cell.source, re.MULTILINE)
    return [n for n in listed if n in names] + [n for n in names if n not in listed]


def table(runs: Mapping[str, Mapping[int, Mapping[str, float]]]) -> list[dict[str, str]]:
    """Rows of the robustness table from ``runs[chapter][seed][headline] = value``.

    A headline with a bar in :data:`brainformers.results.BARS` holds only when every seed
    meets it; one without a bar (a figure printed for context) shows its range only.
    """
    rows = []
    for chapter, by_seed in runs.items():
        if not by_seed:
            raise ValueError(f"{chapter}: no seeds were run")
        seeds = sorted(by_seed)
        bars = {bar.name: bar for bar in BARS.get(chapter, ())}
        names = _headline_names(chapter, by_seed)
        missing = [name for name in bars if name not in names]
        if missing:
            raise ValueError(f"{chapter}: the runs lack the headlines {missing}")
        for name in names:
            values = [by_seed[seed][name] for seed in seeds if name in by_seed[seed]]
            if len(values) != len(seeds):
                raise ValueError(f"{chapter}: {name} is missing for some seeds")
            bar = bars.get(name)
            rows.append(
                {
                    "chapter": chapter[:2],  # the number: the table must fit a page
                    "headline": f"`{name}`",
                    "bar": f"{_SYMBOL[bar.op]} {bar.threshold:g}" if bar else "—",
                    "seeds": str(len(seeds)),  # which ones: the tables of every seed
                    "min": _fmt(min(values)),
                    "median": _fmt(statistics.median(values)),
                    "max": _fmt(max(values)),
                    "holds": ("yes" if all(bar.holds(v) for v in values) else "**no**")
                    if bar
                    else "—",
                }
            )
    return rows


def markdown(
    runs: Mapping[str, Mapping[int, Mapping[str, float]]],
    seconds: Mapping[str, Sequence[float]],
) -> str:
    """The page book/robustness.md: the table, how it was made, and every seed's values."""
    rows = table(runs)
    columns = ["chapter", "headline", "bar", "seeds", "min", "median", "max", "holds"]
    lines = [
        "# Robustness: every headline, every seed",
        "",
        "Each chapter's solution notebook was run top to bottom once per seed (its setup cell's",
        "`SEED` changed, nothing else), and the numbers its Results cell prints were collected.",
        "A headline **holds** when every seed meets its bar; the bars are those the Results",
        "cells check (`brainformers.results.BARS`). Rows without a bar are printed for context.",
        "Chapters: " + ", ".join(f"{c[:2]} `{c[3:]}`" for c in runs) + ".",
        "Made by `make robustness`"
        f" ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPU cores, {platform.machine()},"
        f" Python {platform.python_version()}, torch {_torch_version()}).",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    failing = [f"`{r['chapter']}` {r['headline']}" for r in rows if r["holds"] == "**no**"]
    lines += [
        "",
        "Every headline with a bar holds for every seed."
        if not failing
        else "Not holding for every seed: " + ", ".join(failing) + ".",
        "",
    ]
    explained = [bar for chapter in runs for bar in BARS.get(chapter, ()) if bar.why]
    if explained:
        lines += ["Bars that are not the obvious ones:", ""]
        lines += [f"* `{bar.name}` {bar.op} {bar.threshold:g}: {bar.why}." for bar in explained]
        lines.append("")
    lines += [
        "## Run time",
        "",
        "| chapter | seconds per run (min–max) |",
        "|---|---|",
    ]
    lines += [f"| {chapter} | {min(s):.0f}–{max(s):.0f} |" for chapter, s in seconds.items() if s]
    lines += ["", "## Every seed", ""]
    for chapter, by_seed in runs.items():
        names = _headline_names(chapter, by_seed)
        lines += [
            f"`{chapter}`",
            "",
            "| headline | " + " | ".join(f"seed {s}" for s in sorted(by_seed)) + " |",
            "|---|" + "---|" * len(by_seed),
        ]
        lines += [
            f"| {n} | " + " | ".join(_fmt(by_seed[s][n]) for s in sorted(by_seed)) + " |"
            for n in names
        ]
        lines.append("")
    return "\n".join(lines)


def _torch_version() -> str:
    import torch

    return torch.__version__


def _load_raw() -> dict:
    if RAW.exists():
        return json.loads(RAW.read_text())
    return {"chapters": {}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(MIN_SEEDS)))
    parser.add_argument("--chapters", nargs="+", default=sorted(BARS))
    parser.add_argument(
        "--render", action="store_true", help="rebuild the page from robustness.json, run nothing"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    done: dict[str, dict] = {}
    for chapter in [] if args.render else args.chapters:
        path = ROOT / "solutions" / f"{chapter}.ipynb"
        entry = {"seeds": {}, "seconds": [], "date": time.strftime("%Y-%m-%d")}
        for seed in args.seeds:
            values, took = run_chapter(path, seed)
            entry["seeds"][str(seed)] = values
            entry["seconds"].append(round(took, 1))
            print(f"{chapter} seed {seed}: {took:.0f} s", flush=True)
        if len(set(args.seeds)) >= MIN_SEEDS:
            done[chapter] = entry
        for row in table({chapter: {int(k): v for k, v in entry["seeds"].items()}}):
            print(" | ".join(row.values()))
    # Sweeps of different chapters may run at the same time: read the file again under a
    # lock just before writing, so that one sweep never drops another's chapters.
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        raw = _load_raw()
        raw["chapters"].update(done)
        if done:
            RAW.write_text(json.dumps(raw, indent=1) + "\n")
            print(f"updated {RAW.relative_to(ROOT)}: {', '.join(done)}")
        chapters = raw["chapters"]
        if set(chapters) != set(BARS) or (len(set(args.seeds)) < MIN_SEEDS and not args.render):
            print(f"not written: {TABLE.name} needs every chapter run with ≥ {MIN_SEEDS} seeds")
            return 0
        runs = {
            ch: {int(k): v for k, v in chapters[ch]["seeds"].items()} for ch in sorted(chapters)
        }
        seconds = {ch: chapters[ch]["seconds"] for ch in sorted(chapters)}
        TABLE.write_text(markdown(runs, seconds) + "\n")
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
