"""Execute every chapter notebook, time it, and write the table the teachers' page shows.

Runs each notebook in notebooks/ (exercise form, no student code) and solutions/ top to
bottom in a fresh kernel, as CI and a student would, and records wall-clock seconds and
the kernel's peak memory. Cells tagged ``skip-execution`` (the "scale it up" cells) are
skipped, as in CI.

Usage::

    python utils/timings.py            # measure, write book/timings_table.md
    python utils/timings.py --store    # ...and store the executed outputs in solutions/
    python utils/timings.py --store --chapters 03_tem   # one chapter; the table is kept

``--store`` is how the solution notebooks get the outputs the book shows.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "book" / "timings_table.md"


def _peak_rss_mb(pid: int | None) -> float | None:
    """Peak resident memory of a process in MB (Linux only), else None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, TypeError):
        return None
    return None


def execute(path: Path, timeout: int = 600) -> tuple[nbformat.NotebookNode, float, float | None]:
    """Run a notebook in a fresh kernel from its own folder (as nbval does); return it,
    its wall-clock seconds and the kernel's peak memory in MB."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # per-cell timestamps would make every re-run a diff
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    peak = None
    with client.setup_kernel():
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss_mb(pid)
    seconds = time.perf_counter() - start
    return nb, seconds, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", action="store_true", help="write outputs into solutions/")
    parser.add_argument("--chapters", nargs="+", help="only these (e.g. 03_tem); table kept")
    args = parser.parse_args(argv)
    # The kernel must use Jupyter's inline backend so the stored outputs hold the figures.
    os.environ.pop("MPLBACKEND", None)
    rows = []
    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        solutions = [s for s in solutions if s.stem in args.chapters]
    for solution in solutions:
        timings = {}
        for form, path in (
            ("exercise", ROOT / "notebooks" / solution.name),
            ("solution", solution),
        ):
            nb, seconds, peak = execute(path)
            timings[form] = (seconds, peak)
            memory = f", peak {peak:.0f} MB" if peak else ""
            print(f"{path.relative_to(ROOT)}: {seconds:.0f} s{memory}")
            if form == "solution" and args.store:
                nbformat.write(nb, path)
        rows.append((solution.stem, timings))
    if args.chapters:
        return 0  # the table is only written from a run of every chapter, on one machine
    cores = os.cpu_count()
    lines = [
        "| chapter | exercise form (s) | solution form (s) | peak memory (MB) |",
        "|---|---|---|---|",
    ]
    for stem, t in rows:
        peaks = [p for _, p in t.values() if p]
        peak = f"{max(peaks):.0f}" if peaks else "n/a"
        lines.append(f"| {stem} | {t['exercise'][0]:.0f} | {t['solution'][0]:.0f} | {peak} |")
    lines.append("")
    lines.append(
        f"Measured with `make timings` on {cores} CPU cores ({platform.machine()}, "
        f"Python {platform.python_version()}), {time.strftime('%Y-%m-%d')}: one notebook at a "
        "time, in a fresh kernel with torch's default threads, as CI runs them. Run it on an "
        "otherwise idle machine: a busy one can take two or three times as long."
    )
    TABLE.write_text("\n".join(lines) + "\n")
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
