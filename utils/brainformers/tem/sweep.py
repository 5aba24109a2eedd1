"""The shipped sweep: is the standard transformer trained as well as TEM-t? — chapter 03.

``utils/action_token_sweep.py`` trained TEM-t and the action-token transformer
(:class:`~brainformers.tem.ActionTokenTransformer`) on TEM-t's own walks (100 moves,
32 fresh worlds per step) for 5,000 steps, three seeds each, at two sizes of the
transformer (d = 64 with 2 layers, the chapter's; d = 128 with 4 layers), and both
transformers also on a reviewer's recipe (200-move walks, 64 worlds per step, 3,000
steps). Every 250 steps it scored loop closures on the chapter's held-out set
(``held_out_batch(512, 200, seed=0)``); at the end it scored 200- and 400-move walks,
split at the training length where recorded. The run was too heavy for a notebook on two
CPU cores, so its results ship with the library as ``resources/action_token_sweep.json``
and :func:`load_sweep` reads them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

__all__ = ["SWEEP_PATH", "SweepRun", "load_sweep", "sweep_runs"]

SWEEP_PATH = Path(str(files("brainformers") / "resources" / "action_token_sweep.json"))


@dataclass(frozen=True)
class SweepRun:
    """One training run of the shipped sweep.

    Attributes
    ----------
    config : the run's name, e.g. ``"att64_w100b32"`` (model, size, walk length, batch).
    model : ``"temt"`` or ``"action_token"``.
    d_model, n_layers : the model's width and depth (n_layers 0 for TEM-t).
    walk_length, batch : training walks: moves per walk, worlds per step.
    budget : training steps planned; ``steps_trained`` may be fewer (a time limit).
    seed, device : the run's seed and the device it trained on.
    steps : (n_points,) int, training steps at which the curve was scored.
    loop_closure : (n_points,) float, loop-closure accuracy on the held-out set there.
    final : ``{walk length: scores}`` at the end, scores as
        :func:`~brainformers.tem.score_predictions` gives them, on 200- and 400-move walks.
    within_beyond : ``{walk length: {"loop_closure_within", "loop_closure_beyond", …}}``,
        accuracy at steps t ≤ training length and t > it, or ``None`` if not recorded
        (a value is NaN where a walk has no such steps).
    steps_to_095 : first scored step with loop closures ≥ 0.95, else ``steps_trained``.
    reached_095 : whether 0.95 was reached.
    """

    config: str
    model: str
    d_model: int
    n_layers: int
    walk_length: int
    batch: int
    budget: int
    seed: int
    device: str
    steps_trained: int
    steps: np.ndarray
    loop_closure: np.ndarray
    final: dict[int, dict[str, float]]
    within_beyond: dict[int, dict[str, float]] | None
    steps_to_095: int
    reached_095: bool


def _number(x: object) -> float:
    return math.nan if x is None else float(x)  # type: ignore[arg-type]


def _run(raw: dict) -> SweepRun:
    config = raw["config"]
    curve = raw["curve"]
    within = raw.get("final_within_and_beyond_training_length")
    return SweepRun(
        config=config["name"],
        model=config["model"],
        d_model=int(config["d_model"]),
        n_layers=int(config["n_layers"]),
        walk_length=int(config["walk_length"]),
        batch=int(config["batch"]),
        budget=int(config["steps"]),
        seed=int(raw["seed"]),
        device=str(raw["device"]),
        steps_trained=int(raw["steps_trained"]),
        steps=np.array([int(p["step"]) for p in curve], dtype=np.int64),
        loop_closure=np.array([_number(p["loop_closure"]) for p in curve]),
        final={int(k): {n: _number(v) for n, v in s.items()} for k, s in raw["final"].items()},
        within_beyond=None
        if within is None
        else {int(k): {n: _number(v) for n, v in s.items()} for k, s in within.items()},
        steps_to_095=int(raw["steps_to_095"]),
        reached_095=bool(raw["reached_095"]),
    )


def load_sweep(path: str | Path = SWEEP_PATH) -> list[SweepRun]:
    """Every run of the shipped sweep, in the file's order.

    Parameters
    ----------
    path : the sweep's JSON file; by default the one shipped with the library.

    Returns
    -------
    list of :class:`SweepRun`. A (config, seed) pair can appear twice (a rerun that
    recorded the within/beyond split); :func:`sweep_runs` picks one per seed.
    """
    payload = json.loads(Path(path).read_text())
    if not isinstance(payload, dict) or "runs" not in payload:
        raise ValueError(f"{path} is not a sweep file: expected a JSON object with 'runs'")
    return [_run(raw) for raw in payload["runs"]]


def sweep_runs(runs: list[SweepRun], config: str, *, device: str | None = None) -> list[SweepRun]:
    """The runs of one configuration, one per seed (the longest-trained), sorted by seed.

    Parameters
    ----------
    runs : from :func:`load_sweep`.
    config : a configuration name, e.g. ``"temt_w100b32"``.
    device : keep only runs on this device (``"cuda"``, ``"cpu"``); all if ``None``.
    """
    chosen: dict[int, SweepRun] = {}
    for run in runs:
        if run.config != config or (device is not None and run.device != device):
            continue
        best = chosen.get(run.seed)
        if best is None or run.steps_trained > best.steps_trained:
            chosen[run.seed] = run
    if not chosen:
        names = sorted({r.config for r in runs})
        raise ValueError(f"no run of config {config!r} (device {device}); configs: {names}")
    return [chosen[s] for s in sorted(chosen)]
