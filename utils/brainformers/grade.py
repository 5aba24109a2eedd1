"""Grade a class: run each student's notebook on a fresh kernel, write a grade sheet.

::

    python -m brainformers.grade submissions/*.ipynb --csv grades.csv [--timeout 600]
                                 [--summary-dir DIR] [--kernel python3]

Each notebook runs top to bottom in its own kernel process (through nbclient), in a
temporary copy of its folder, offline (``HF_HUB_OFFLINE=1``) and with a time limit for the
whole notebook. Student code runs only in that kernel, never in the grader's process.
The exercise checkers of :mod:`brainformers.check` report each verdict as one JSON line
to the file named by ``BRAINFORMERS_VERDICTS`` (set for the kernel); the grader reads
those lines, not the printed prose.

The exercises a notebook is graded on are its check calls — the code cells holding
``name = check.NAME(...)`` — and each gets one row ``notebook, exercise, status, message``:

* ``passed`` — the checker accepted the student's function;
* ``failed`` — the checker rejected it (its message says why), or the check never gave a
  verdict because the notebook stopped before it (time limit, dead kernel) or the check
  cell itself raised (the message names the error and the first earlier error);
* ``not attempted`` — the stub still raises ``NotImplementedError``.

A markdown summary per notebook goes to ``--summary-dir`` (default: the CSV's folder). The
exit code is 0 however the students did; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("passed", "failed", "not attempted")
DEFAULT_TIMEOUT_S = 600.0
_CHECK_CALL = re.compile(r"=\s*check\.([A-Za-z_]\w*)\s*\(")
_SKIP_TAG = "skip-execution"
_NOT_COPIED = shutil.ignore_patterns("*.ipynb", ".*", "__pycache__")


@dataclass(frozen=True)
class Row:
    """One line of the grade sheet."""

    notebook: str
    exercise: str
    status: str
    message: str


@dataclass
class Run:
    """What happened when one notebook ran."""

    verdicts: list[dict] = field(default_factory=list)  # as the checkers wrote them, in order
    errors: dict[int, str] = field(default_factory=dict)  # cell index -> "Name: message"
    executed: set[int] = field(default_factory=set)  # indices of the cells that ran
    skipped: set[int] = field(default_factory=set)  # tagged skip-execution
    stopped_at: int | None = None  # the cell that was running when the notebook stopped
    stopped: str = ""  # why it stopped before its end ("" = it ran to the end)
    seconds: float = 0.0


# ------------------------------------------------------------------ reading a notebook


def expected_exercises(nb) -> list[tuple[str, int]]:
    """``(exercise, index of its first check cell)`` for each check call, in notebook order."""
    found: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for name in _CHECK_CALL.findall(cell.source):
                found.setdefault(name, index)
    return list(found.items())


def _describe_cell(nb, index: int) -> str:
    lines = [line.strip() for line in nb.cells[index].source.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if len(first) > 60:
        first = first[:57] + "..."
    return f"cell {index + 1}" + (f" (`{first}`)" if first else "")


def _error_of(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return "an error"


# ------------------------------------------------------------------ running a notebook


def kernel_environment(verdicts_file: Path) -> dict[str, str]:
    """The grader's environment (PYTHONPATH and all) plus what every graded kernel needs."""
    env = dict(os.environ)
    env.update(
        BRAINFORMERS_VERDICTS=str(verdicts_file),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        MPLBACKEND="Agg",
    )
    return env


def _read_verdicts(path: Path) -> list[dict]:
    if not path.exists():
        return []
    verdicts = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            verdict = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(verdict, dict) and verdict.get("status") in STATUSES:
            verdicts.append(verdict)
    return verdicts


def run_notebook(nb, folder: Path, timeout: float, kernel: str = "python3") -> Run:
    """Execute ``nb`` (in place) on a fresh kernel in a temporary copy of ``folder``.

    ``timeout`` (s) bounds the whole notebook, not each cell. A cell that raises does not
    stop the run (``allow_errors``); the time limit and a dead kernel do.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run = Run()
    for cell in nb.cells:  # outputs saved by the student must not pass for this run's
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    deadline: list[float] = []

    def remaining(cell) -> float:
        if not deadline:
            deadline.append(time.monotonic() + timeout)
        return max(deadline[0] - time.monotonic(), 0.01)

    def on_start(cell, cell_index: int) -> None:
        run.stopped_at = cell_index
        if _SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            run.skipped.add(cell_index)

    def on_executed(cell, cell_index: int, execute_reply) -> None:
        run.executed.add(cell_index)
        if execute_reply.get("content", {}).get("status") == "error":
            run.errors[cell_index] = _error_of(cell)

    quiet = logging.getLogger("brainformers.grade.nbclient")
    quiet.setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="brainformers-grade-") as tmp:
        workdir = Path(tmp) / "work"
        shutil.copytree(folder, workdir, ignore=_NOT_COPIED, symlinks=True)
        verdicts_file = Path(tmp) / "verdicts.jsonl"
        client = NotebookClient(
            nb,
            kernel_name=kernel,
            timeout_func=remaining,
            allow_errors=True,
            interrupt_on_timeout=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(workdir)}},
            on_cell_start=on_start,
            on_cell_executed=on_executed,
            log=quiet,
        )
        start = time.monotonic()
        try:
            client.execute(env=kernel_environment(verdicts_file))
            run.stopped_at = None
        except CellTimeoutError:
            run.stopped = f"timed out (the limit is {timeout:g} s for the whole notebook)"
        except DeadKernelError:
            run.stopped = "the kernel died (out of memory, or the code ended the process)"
        except Exception as error:  # noqa: BLE001 — e.g. a kernel that cannot start
            run.stopped = f"the notebook could not run: {type(error).__name__}: {error}"
        run.seconds = time.monotonic() - start
        run.verdicts = _read_verdicts(verdicts_file)
    return run


# ------------------------------------------------------------------ verdicts -> rows


def _no_verdict(nb, run: Run, check_cell: int) -> str:
    """Why an expected check gave no verdict, in words a teacher can act on."""
    earlier = [i for i in sorted(run.errors) if i < check_cell]
    first_error = (
        f"; the first error was in {_describe_cell(nb, earlier[0])}: {run.errors[earlier[0]]}"
        if earlier
        else ""
    )
    if check_cell in run.errors:
        return f"the check cell raised {run.errors[check_cell]}{first_error}"
    if check_cell in run.skipped:
        return f"the check cell is tagged {_SKIP_TAG}, so it was not run"
    if run.stopped and (run.stopped_at is None or run.stopped_at <= check_cell):
        where = f" in {_describe_cell(nb, run.stopped_at)}" if run.stopped_at is not None else ""
        return f"notebook stopped before this check: {run.stopped}{where}"
    if check_cell in run.executed:
        return "the check cell ran but gave no verdict (was `check` redefined?)"
    return f"the check cell did not run{first_error}"


def grade_notebook(path: Path, timeout: float, kernel: str = "python3") -> tuple[list[Row], Run]:
    """Run one notebook and return its rows (one per exercise) and what happened."""
    import nbformat

    label = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 — a broken upload is the student's, reported
        run = Run(stopped=f"could not read the notebook: {type(error).__name__}: {error}")
        return [Row(label, "(notebook)", "failed", run.stopped)], run
    expected = expected_exercises(nb)
    run = run_notebook(nb, path.parent, timeout, kernel)
    latest = {v["exercise"]: v for v in run.verdicts}  # a check run twice: its last verdict
    rows = []
    for exercise, check_cell in expected:
        verdict = latest.pop(exercise, None)
        if verdict is None:
            rows.append(Row(label, exercise, "failed", _no_verdict(nb, run, check_cell)))
        else:
            rows.append(Row(label, exercise, verdict["status"], str(verdict.get("message", ""))))
    for exercise, verdict in latest.items():  # checks called some other way
        rows.append(Row(label, exercise, verdict["status"], str(verdict.get("message", ""))))
    if not rows:
        message = run.stopped or "the notebook holds no check cells (`name = check.NAME(...)`)"
        rows.append(Row(label, "(notebook)", "failed", message))
    return rows, run


# ------------------------------------------------------------------ writing the results


def write_csv(rows: Sequence[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["notebook", "exercise", "status", "message"])
        for row in rows:
            writer.writerow([row.notebook, row.exercise, row.status, row.message])


def counts(rows: Sequence[Row]) -> dict[str, int]:
    return {status: sum(row.status == status for row in rows) for status in STATUSES}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def summary_markdown(notebook: str, rows: Sequence[Row], run: Run) -> str:
    """A short page for one student: counts, how the run went, one table row per exercise."""
    n = counts(rows)
    how = (
        f"stopped: {run.stopped} in cell {run.stopped_at + 1}"
        if run.stopped and run.stopped_at is not None
        else (f"stopped: {run.stopped}" if run.stopped else "ran to the end")
    )
    lines = [
        f"# {Path(notebook).name}",
        "",
        f"**{n['passed']} passed · {n['failed']} failed · {n['not attempted']} not attempted** "
        f"(of {len(rows)} exercises)",
        "",
        f"Run on a fresh kernel: {how} ({run.seconds:.0f} s).",
        "",
        "| exercise | status | message |",
        "|---|---|---|",
    ]
    lines += [f"| `{r.exercise}` | {r.status} | {_cell(r.message)} |" for r in rows]
    if run.errors:
        lines += ["", "Cells that raised an error:", ""]
        lines += [f"* cell {i + 1}: {_cell(run.errors[i])}" for i in sorted(run.errors)]
    return "\n".join(lines) + "\n"


def _summary_path(folder: Path, notebook: Path, taken: set[Path]) -> Path:
    path, k = folder / f"{notebook.stem}.md", 2
    while path in taken:
        path, k = folder / f"{notebook.stem}_{k}.md", k + 1
    taken.add(path)
    return path


# ------------------------------------------------------------------ command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m brainformers.grade",
        description="Run each student notebook on a fresh kernel and write a grade sheet: "
        "one CSV row per (notebook, exercise) with status passed / failed / not attempted, "
        "and a markdown summary per notebook.",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--csv", required=True, type=Path, help="the grade sheet to write")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"time limit for each whole notebook (default {DEFAULT_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--summary-dir",
        type=Path,
        help="where the markdown summaries go (default: the CSV's folder)",
    )
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel (default python3)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.timeout > 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        parser.error(f"{error.name} is missing: pip install 'brainformers[grade]'")
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    summary_dir = args.summary_dir or args.csv.parent
    summary_dir.mkdir(parents=True, exist_ok=True)
    all_rows: list[Row] = []
    taken: set[Path] = set()
    for path in args.notebooks:
        print(f"grading {path} ...", file=sys.stderr, flush=True)
        rows, run = grade_notebook(path, args.timeout, args.kernel)
        all_rows += rows
        summary = _summary_path(summary_dir, path, taken)
        summary.write_text(summary_markdown(str(path), rows, run), encoding="utf-8")
        n = counts(rows)
        note = f"; {run.stopped}" if run.stopped else ""
        print(
            f"  {n['passed']} passed, {n['failed']} failed, {n['not attempted']} not attempted "
            f"({run.seconds:.0f} s{note}) -> {summary}",
            file=sys.stderr,
            flush=True,
        )
    write_csv(all_rows, args.csv)
    print(f"wrote {args.csv} ({len(all_rows)} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
