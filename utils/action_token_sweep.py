"""Is chapter 03's standard-transformer control trained as well as TEM-t? A seed sweep.

Chapter 03 compares TEM-t (:class:`brainformers.tem.TEMTransformer`: positions
path-integrated from the actions, memory as attention) with a standard causal transformer
over action and observation tokens (:class:`brainformers.tem.ActionTokenTransformer`),
both trained by ``tem.train_tem(model, n_steps=1000, seed=...)``. Two earlier
measurements of the control disagreed (0.932 on loop closures on a GPU, 0.062 on a CPU,
same recipe), so this script measures it properly:

* models — the action-token transformer at the chapter's size (d_model = 64, 2 layers) and
  at d_model = 128 with 4 layers, and TEM-t at its default size (d_pos = 64);
* data — exactly TEM-t's training distribution: for seed s, ``brainformers.set_seed(s)``
  before building the model and the walks of ``train_tem(..., seed=s)`` (32 fresh 4-6 wide
  worlds a step, 100-move walks, Adam at 3e-3 decaying linearly to 3e-4), for ``--steps``
  steps (default 5,000, five times the chapter's); plus the reviewer's recipe (200-move
  walks, 64 a step, ``--reviewer-steps`` = 3,000) for both transformer sizes;
* curves — every ``--eval-every`` steps (and at step 0), accuracy on the chapter's fixed
  held-out set (``tem.held_out_batch(512, 200, seed=0)``): loop closures, new edges,
  visited nodes, overall; and the mean training loss since the last point;
* finals — ``tem.evaluate_tem`` on held-out walks of 200 and 400 moves (2x and 4x the
  training length of 100), the same split into steps within and beyond the training walk
  length (``final_within_and_beyond_training_length``), the first training step whose
  curve point reaches 0.95 on loop closures, and whether the curve flattened
  (loop-closure accuracy moved by less than 0.02 over the last 1,000 steps).

Training is :func:`brainformers.tem.train_tem` itself, scoring the model along the way
through its ``on_step`` hook (the shipped JSON's ``loop_matches_train_tem`` is from an
earlier version that wrote the loop out and checked it against ``train_tem``). Each
(config, seed) trains in its own process (``--workers`` at once, ``--threads`` torch
threads each); a wall-clock guard (``--time-limit``) stops training early, marks the run
``truncated`` and still scores it, so a run always writes its JSON. The JSON is rewritten
as each run finishes.

Usage::

    # the GPU sweep (about 5 minutes on one H200 with 16 CPU cores) ...
    PYTHONPATH=utils python utils/action_token_sweep.py --device cuda --seeds 0 1 2 \\
        --workers 7 --out gpu.json
    # ... and the reviewer's recipe on CPU, same seeds, to compare the numerics
    PYTHONPATH=utils python utils/action_token_sweep.py --device cpu --seeds 0 1 2 \\
        --configs att64_w200b64 --workers 3 --threads 3 --out cpu.json
    # one file from both
    python utils/action_token_sweep.py --merge gpu.json cpu.json --out sweep.json
    # a smoke test (seconds, CPU)
    PYTHONPATH=utils python utils/action_token_sweep.py --device cpu --seeds 0 --steps 20 \\
        --reviewer-steps 20 --eval-every 10 --eval-worlds 16 --final-worlds 16 --out /tmp/s.json

The stored result is ``utils/brainformers/resources/action_token_sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import brainformers
import numpy as np
import torch
from brainformers import tem
from torch import nn

WIDTHS = (4, 5, 6)  # train_tem's and evaluate_tem's default world widths
LR = 3e-3  # train_tem's default learning rate
HELD_OUT_SEED = 0  # the chapter's held-out set: tem.held_out_batch(512, 200, seed=0)
TARGET = 0.95  # loop-closure accuracy whose first crossing is reported
FLAT_WINDOW = 1000  # steps over which a flattened curve moves by less than FLAT_TOLERANCE
FLAT_TOLERANCE = 0.02
FINAL_RESERVE_S = 25.0  # seconds kept back from --time-limit to score a truncated run


@dataclass(frozen=True)
class Config:
    """One model and training distribution; ``steps`` is its step budget."""

    name: str
    model: str  # "action_token" or "temt"
    d_model: int  # token width (action_token) or d_pos (temt)
    n_layers: int  # transformer blocks; 0 for temt
    walk_length: int
    batch: int
    steps: int


def make_configs(steps: int, reviewer_steps: int) -> list[Config]:
    """The sweep: three models on TEM-t's data, two transformers on the reviewer's.

    Listed in the order they start: the reference and the chapter's control first, so a
    slow machine truncates the bigger variants, not them.
    """
    return [
        Config("temt_w100b32", "temt", 64, 0, 100, 32, steps),
        Config("att64_w100b32", "action_token", 64, 2, 100, 32, steps),
        Config("att128L4_w100b32", "action_token", 128, 4, 100, 32, steps),
        Config("att128L4_w200b64", "action_token", 128, 4, 200, 64, reviewer_steps),
        Config("att64_w200b64", "action_token", 64, 2, 200, 64, reviewer_steps),
    ]


def build_model(config: Config) -> nn.Module:
    """A fresh model of ``config``'s kind and size (seed the generators first)."""
    if config.model == "temt":
        return tem.TEMTransformer(d_pos=config.d_model)
    return tem.ActionTokenTransformer(d_model=config.d_model, n_layers=config.n_layers)


def scores_on(model: nn.Module, batch: tem.TEMBatch) -> dict[str, float]:
    """``tem.score_predictions`` of the model's predictions on a held-out batch."""
    correct = tem.prediction_correct(model, batch.actions, batch.observations)
    return tem.score_predictions(correct, batch.nodes, model.n_classes)


def split_at_training_length(
    model: nn.Module, batch: tem.TEMBatch, train_length: int
) -> dict[str, float]:
    """Loop-closure and visited accuracy at steps t ≤ ``train_length`` (positions seen in
    training) and t > ``train_length`` (beyond them), on the walks of ``batch``.

    Same walks as ``tem.evaluate_tem`` with that batch's size, length and seed; the masks
    are computed on the whole walks, then split by step.
    """
    correct = tem.prediction_correct(model, batch.actions, batch.observations)
    within = np.arange(correct.shape[1])[None, :] <= train_length
    out: dict[str, float] = {}
    for name, mask in (
        ("loop_closure", tem.loop_closure_mask(batch.nodes)),
        ("visited", tem.visited_mask(batch.nodes)),
    ):
        for part, where in (("within", within), ("beyond", ~within)):
            selected = mask & where
            out[f"{name}_{part}"] = float(correct[selected].mean()) if selected.any() else math.nan
    return out


def train_steps(
    model: nn.Module,
    config: Config,
    seed: int,
    losses: list[float],
    on_step: Callable[[int], None] | None = None,
    deadline: float = math.inf,
) -> int:
    """``tem.train_tem(model, config.batch, config.steps, config.walk_length, seed=seed)``,
    appending each step's loss to ``losses`` and then calling ``on_step(steps_done)``
    (which may evaluate the model). Stops early once ``time.time()`` passes ``deadline``.

    Returns the number of steps trained; the model is left in eval mode, as by train_tem.
    """

    def after_step(step: int, loss: float) -> bool:
        losses.append(loss)
        if on_step is not None:
            on_step(step)
        return time.time() > deadline

    tem.train_tem(
        model,
        config.batch,
        config.steps,
        config.walk_length,
        lr=LR,
        seed=seed,
        widths=WIDTHS,
        on_step=after_step,
    )
    return len(losses)


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)


def run_one(
    config: Config,
    seed: int,
    device_name: str,
    eval_every: int,
    eval_worlds: int,
    final_worlds: int,
    deadline: float,
) -> dict[str, Any]:
    """Train one (config, seed) on one device and score it; a JSON-ready dict."""
    started = time.time()
    record: dict[str, Any] = {
        "config": asdict(config),
        "seed": seed,
        "device": device_name,
        "torch_threads": torch.get_num_threads(),
    }
    if started > deadline - FINAL_RESERVE_S:
        return record | {"skipped": "past --time-limit before it started"}
    device = torch.device(device_name)
    if device.type == "cuda":
        record["gpu"] = torch.cuda.get_device_name(device)
        record["allow_tf32_matmul"] = torch.backends.cuda.matmul.allow_tf32
    brainformers.set_seed(seed)  # the same initial weights on every device
    model = build_model(config).to(device)
    record["n_parameters"] = sum(p.numel() for p in model.parameters())
    held_out = tem.held_out_batch(
        eval_worlds, 200, HELD_OUT_SEED, widths=WIDTHS, n_classes=model.n_classes
    )
    curve: list[dict[str, float]] = []
    losses: list[float] = []

    def point(step: int) -> None:
        scores = scores_on(model, held_out)
        recent = losses[-eval_every:] if step else []
        curve.append(
            {
                "step": step,
                "loop_closure": scores["loop_closure"],
                "new_edge": scores["new_edge"],
                "visited": scores["visited"],
                "overall": scores["overall"],
                "train_loss": float(np.mean(recent)) if recent else float("nan"),
                "seconds": time.time() - started,
            }
        )

    def on_step(step: int) -> None:
        if step % eval_every == 0 or step == config.steps:
            point(step)

    point(0)
    steps_trained = train_steps(model, config, seed, losses, on_step, deadline - FINAL_RESERVE_S)
    if curve[-1]["step"] != steps_trained:  # truncated between two points
        point(steps_trained)
    finals = {
        str(walk_length): tem.evaluate_tem(
            model, n_worlds=final_worlds, walk_length=walk_length, seed=HELD_OUT_SEED
        )
        for walk_length in (200, 400)
    }
    within_and_beyond = {
        str(walk_length): split_at_training_length(
            model,
            tem.held_out_batch(final_worlds, walk_length, HELD_OUT_SEED, widths=WIDTHS),
            config.walk_length,
        )
        for walk_length in (200, 400)
    }
    reached = [p["step"] for p in curve if p["loop_closure"] >= TARGET]
    tail = [p["loop_closure"] for p in curve if p["step"] >= steps_trained - FLAT_WINDOW]
    tail_range = max(tail) - min(tail)
    return record | {
        "steps_trained": steps_trained,
        "truncated": steps_trained < config.steps,
        "curve": curve,
        "final": finals,
        "final_within_and_beyond_training_length": within_and_beyond,
        "reached_095": bool(reached),
        "steps_to_095": int(reached[0]) if reached else steps_trained,
        "loop_closure_range_last_1000": tail_range,
        "flattened": bool(steps_trained >= FLAT_WINDOW and tail_range < FLAT_TOLERANCE),
        "losses": [round(x, 5) for x in losses],
        "wall_s": time.time() - started,
    }


def _clean(x: Any) -> Any:
    """NaN (a mask that selects no step, no loss yet) → None, so the file is strict JSON."""
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically (a killed run leaves the last complete file), as strict JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_clean(payload), indent=1, allow_nan=False))
    os.replace(tmp, path)


def _fmt(x: float | None) -> str:
    return "  nan" if x is None or x != x else f"{x:.3f}"


def summary_lines(runs: list[dict[str, Any]]) -> list[str]:
    """One line per run: config, device, seed, steps to 0.95, finals at 200 and 400 moves."""
    lines = [
        "config             device seed steps  to_0.95  | 200: loop  visit overall"
        " | 400: loop  visit overall | flat"
    ]
    for r in sorted(runs, key=lambda r: (r["config"]["name"], r["device"], r["seed"])):
        c = r["config"]
        if "final" not in r:
            why = r.get("skipped") or r.get("error")
            lines.append(f"{c['name']:18s} {r['device']:6s} {r['seed']:4d} {why}")
            continue
        f2, f4 = r["final"]["200"], r["final"]["400"]
        to = f"{r['steps_to_095']}" if r["reached_095"] else f">{r['steps_trained']}"
        steps = f"{r['steps_trained']}" + ("*" if r["truncated"] else "")
        lines.append(
            f"{c['name']:18s} {r['device']:6s} {r['seed']:4d} {steps:6s} {to:7s}  | "
            f"{_fmt(f2['loop_closure'])}  {_fmt(f2['visited'])} {_fmt(f2['overall'])}   | "
            f"{_fmt(f4['loop_closure'])}  {_fmt(f4['visited'])} {_fmt(f4['overall'])}   | "
            f"{'yes' if r['flattened'] else 'no'} ({_fmt(r['loop_closure_range_last_1000'])})"
        )
    return lines


def environment(device: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "device": device,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name(0)
    return env


def merge(paths: list[Path], out: Path) -> None:
    """One JSON from several sweeps' JSONs (e.g. the GPU and the CPU part)."""
    parts = [json.loads(p.read_text()) for p in paths]
    runs = [r for part in parts for r in part["runs"]]
    payload = {
        "description": __doc__.split("\n\n")[0] if __doc__ else "",
        "parts": [{k: v for k, v in part.items() if k != "runs"} for part in parts],
        "summary": summary_lines(runs),
        "runs": runs,
    }
    _write_json(out, payload)
    print("\n".join(payload["summary"]))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=5000, help="budget on TEM-t's data")
    parser.add_argument(
        "--reviewer-steps", type=int, default=3000, help="budget on 200-move walks, 64 a step"
    )
    parser.add_argument("--configs", nargs="+", default=None, help="names (default: all)")
    parser.add_argument("--out", type=Path, default=Path("action_token_sweep.json"))
    parser.add_argument("--workers", type=int, default=6, help="runs in parallel")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--time-limit", type=float, default=400.0, help="seconds, all runs")
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--eval-worlds", type=int, default=512)
    parser.add_argument("--final-worlds", type=int, default=512)
    parser.add_argument("--merge", type=Path, nargs="+", default=None, help="JSONs to merge")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.merge:
        merge(args.merge, args.out)
        return
    started = time.time()
    deadline = started + args.time_limit
    configs = make_configs(args.steps, args.reviewer_steps)
    if args.configs:
        unknown = set(args.configs) - {c.name for c in configs}
        if unknown:
            raise SystemExit(
                f"unknown configs {sorted(unknown)}; known: {[c.name for c in configs]}"
            )
        configs = [c for c in configs if c.name in args.configs]
    torch.set_num_threads(args.threads)
    payload: dict[str, Any] = {
        "description": __doc__.split("\n\n")[0] if __doc__ else "",
        "command": " ".join(sys.argv),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "environment": environment(args.device),
        "held_out": f"tem.held_out_batch({args.eval_worlds}, 200, seed={HELD_OUT_SEED})",
        "finals": f"tem.evaluate_tem(model, {args.final_worlds}, walk_length, seed=0)",
        "runs": [],
    }
    jobs = [(c, s) for c in configs for s in args.seeds]  # in make_configs' order
    context = mp.get_context("spawn")
    with ProcessPoolExecutor(
        args.workers, mp_context=context, initializer=_init_worker, initargs=(args.threads,)
    ) as pool:
        futures: dict[Future[dict[str, Any]], tuple[Config, int]] = {
            pool.submit(
                run_one,
                c,
                s,
                args.device,
                args.eval_every,
                args.eval_worlds,
                args.final_worlds,
                deadline,
            ): (c, s)
            for c, s in jobs
        }
        for future in as_completed(futures):
            c, s = futures[future]
            try:
                result = future.result()
            except Exception as error:  # record it and keep the other runs
                result = {
                    "config": asdict(c),
                    "seed": s,
                    "device": args.device,
                    "error": repr(error),
                }
            payload["runs"].append(result)
            payload["wall_s"] = time.time() - started
            _write_json(args.out, payload)
            done = result.get("steps_trained", "-")
            lc = result["final"]["200"]["loop_closure"] if "final" in result else float("nan")
            print(
                f"[{time.time() - started:5.0f} s] {c.name} seed {s} on {args.device}: "
                f"{done} steps, loop closure (200) {lc:.3f}",
                flush=True,
            )
    payload["summary"] = summary_lines(payload["runs"])
    payload["wall_s"] = time.time() - started
    _write_json(args.out, payload)
    print("\n".join(payload["summary"]))
    print(f"wall {payload['wall_s']:.0f} s; wrote {args.out}")


if __name__ == "__main__":
    main()
