"""The rat in its box: real and simulated paths and place cells, from RatInABox.

Chapter 04 needs three things an animal supplies: a path through a square arena, the
velocities along it, and place cells whose firing depends on where it is. All three come
from RatInABox (George et al. 2024) rather than a simulator of our own:

* :func:`sargolini_trajectory` — the 10-minute path of a real rat in a 1 m box
  (Sargolini et al. 2006), shipped with RatInABox;
* :func:`simulate_trajectory` — RatInABox's random-motion model (smooth, speed and turning
  statistics fitted to rats, drawn towards the walls), with a seed;
* :func:`place_cell_centres`, :func:`place_cell_rates` — RatInABox's place cells (Gaussian or
  difference-of-Gaussians tuning) evaluated at any positions.

Units: the course works in **cm** (see :mod:`brainformers.grid`); RatInABox works in metres.
Every function here takes and returns cm and converts at the boundary. The arena is the
square [0, arena_size]²; ``positions[:, 0]`` is x and ``positions[:, 1]`` is y. RatInABox
draws from NumPy's global random state; the functions here seed it for the call and restore
it afterwards, so a seed gives the same path every time and the caller's state is untouched.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Literal

import numpy as np

from .. import _validate

__all__ = [
    "SARGOLINI_ARENA_CM",
    "sargolini_trajectory",
    "simulate_trajectory",
    "place_cell_centres",
    "place_cell_rates",
]

#: Side of the square box of the Sargolini et al. (2006) recording, cm.
SARGOLINI_ARENA_CM = 100.0

_CM_PER_M = 100.0


@contextlib.contextmanager
def _seeded_global_numpy(seed: int) -> Iterator[None]:
    """Seed NumPy's legacy global generator (RatInABox uses it) and restore it afterwards."""
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002 — RatInABox draws from the global state
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _environment(arena_size: float):  # noqa: ANN202 — a RatInABox Environment
    from ratinabox.Environment import Environment

    return Environment(params={"dimensionality": "2D", "scale": arena_size / _CM_PER_M})


def sargolini_trajectory(dt: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """The path of a real rat foraging in a 1 m × 1 m box (Sargolini et al. 2006).

    Loaded through RatInABox (``Agent.import_trajectory(dataset="sargolini")``, George et
    al. 2024), which ships 600 s of the recording, mostly every 20 ms with a few dropped
    samples (gaps up to 0.36 s). RatInABox fits a cubic spline through the samples; it is
    read here at a uniform ``dt``, so that every sample stands for the same time — what
    rate maps (occupancy = samples × dt) and the time-shift null assume.

    Parameters
    ----------
    dt : sampling interval of the returned path, s (the recording's own is 0.02 s).

    Returns
    -------
    times : (n_samples,) float64, s, 0, dt, 2 dt, … up to the end of the recording
        (n_samples = 29,983 at dt = 0.02 s).
    positions : (n_samples, 2) float64, (x, y) in cm, inside [0, 100]².
    """
    from ratinabox.Agent import Agent

    dt = _validate.positive_float("dt", dt)
    agent = Agent(_environment(SARGOLINI_ARENA_CM))
    with contextlib.redirect_stdout(io.StringIO()):  # RatInABox prints a citation notice
        agent.import_trajectory(dataset="sargolini")
    end = float(np.max(agent.t_interp))
    times = np.arange(round(end / dt) + 1) * dt
    times = times[times <= end + 1e-9]
    positions = np.asarray(agent.pos_interp(times), dtype=np.float64) * _CM_PER_M
    np.clip(positions, 0.0, SARGOLINI_ARENA_CM, out=positions)  # the spline may overshoot
    return times, positions


def simulate_trajectory(
    duration_s: float,
    dt: float = 0.1,
    *,
    arena_size: float = 100.0,
    speed_mean: float = 16.0,
    seed: int = 0,
) -> np.ndarray:
    """A path of RatInABox's random-motion model in a square box (George et al. 2024).

    Speed and rotational velocity follow Ornstein–Uhlenbeck processes whose statistics
    RatInABox fitted to the Sargolini et al. (2006) rats; the agent is repelled by the walls
    and lingers near them (thigmotaxis). One RatInABox step per sample, so the cost grows
    with ``duration_s / dt`` (about 1 ms a step).

    Parameters
    ----------
    duration_s : length of the path, s.
    dt : time step, s (RatInABox's motion model is smooth for dt up to ~0.1–0.2 s).
    arena_size : side of the box, cm.
    speed_mean : mean running speed, cm/s (RatInABox's default is 8 cm/s).
    seed : seeds RatInABox's random draws.

    Returns
    -------
    (n_samples, 2) float64 array of (x, y) in cm, n_samples = round(duration_s / dt): the
    position after each RatInABox step, every ``dt`` from a random start.
    """
    from ratinabox.Agent import Agent

    duration_s = _validate.positive_float("duration_s", duration_s)
    dt = _validate.positive_float("dt", dt)
    arena_size = _validate.positive_float("arena_size", arena_size)
    speed_mean = _validate.positive_float("speed_mean", speed_mean)
    seed = _validate.seed(seed)
    n_steps = round(duration_s / dt)
    if n_steps < 1:
        raise ValueError(
            f"duration_s must hold at least one step of dt = {dt:g} s, got {duration_s:g}"
        )
    with _seeded_global_numpy(seed):
        agent = Agent(
            _environment(arena_size),
            params={"dt": dt, "speed_mean": speed_mean / _CM_PER_M, "speed_std": 0.0},
        )
        for _ in range(n_steps):
            agent.update()
    positions = np.asarray(agent.history["pos"], dtype=np.float64) * _CM_PER_M
    np.clip(positions, 0.0, arena_size, out=positions)
    return positions


def place_cell_centres(n_cells: int, *, arena_size: float = 100.0, seed: int = 0) -> np.ndarray:
    """Centres of ``n_cells`` place cells spread evenly over the box, with jitter.

    RatInABox's ``"uniform_jitter"`` layout: a near-square lattice over the arena, each
    centre moved at random within its lattice cell — even coverage without a perfect
    lattice (a perfect one would itself impose a symmetry on what is built from it).

    Returns
    -------
    (n_cells, 2) float64 array of (x, y) centres, cm.
    """
    n_cells = _validate.positive_int("n_cells", n_cells)
    arena_size = _validate.positive_float("arena_size", arena_size)
    seed = _validate.seed(seed)
    with _seeded_global_numpy(seed):
        env = _environment(arena_size)
        centres = env.sample_positions(n=n_cells, method="uniform_jitter")
    return np.asarray(centres, dtype=np.float64) * _CM_PER_M


def place_cell_rates(
    positions: np.ndarray,
    centres: np.ndarray,
    width: float,
    *,
    arena_size: float = 100.0,
    description: Literal["gaussian", "diff_of_gaussians"] = "diff_of_gaussians",
) -> np.ndarray:
    """Firing of RatInABox place cells (George et al. 2024) at the given positions.

    ``"gaussian"``: r_i(x) = exp(-|x - c_i|² / 2σ²). ``"diff_of_gaussians"`` (an excitatory
    centre and an inhibitory surround, the input of Dordek et al. 2016 and Sorscher et al.
    2019): r_i(x) = [exp(-d² / 2σ²) - exp(-d² / 2(1.5σ)²) / 1.5²] · 1.5² / (1.5² - 1), with
    d = |x - c_i|, RatInABox's surround ratio 1.5. Peak 1 at the centre.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm, inside the arena.
    centres : (n_cells, 2) array of place-field centres, cm (e.g. :func:`place_cell_centres`).
    width : σ, the width of the (central) Gaussian, cm.
    arena_size : side of the box, cm.
    description : ``"gaussian"`` or ``"diff_of_gaussians"``.

    Returns
    -------
    (n_samples, n_cells) float64 array of rates (dimensionless, peak 1).
    """
    from ratinabox.Agent import Agent
    from ratinabox.Neurons import PlaceCells

    p = _validate.array("positions", positions, ndim=2, dims="(n_samples, 2)")
    c = _validate.array("centres", centres, ndim=2, dims="(n_cells, 2)")
    for name, a in (("positions", p), ("centres", c)):
        if a.shape[1] != 2 or a.shape[0] == 0:
            raise ValueError(
                f"{name} must have shape (n, 2), n ≥ 1, columns (x, y) in cm, got shape {a.shape}"
            )
    width = _validate.positive_float("width", width)
    arena_size = _validate.positive_float("arena_size", arena_size)
    if description not in ("gaussian", "diff_of_gaussians"):
        raise ValueError(
            f'description must be "gaussian" or "diff_of_gaussians", got {description!r}'
        )
    if p.min() < -1e-6 * arena_size or p.max() > arena_size * (1 + 1e-6):
        raise ValueError(
            f"positions must lie inside the arena [0, {arena_size:g}] cm, got values from "
            f"{p.min():g} to {p.max():g} — positions are in cm (RatInABox's metres × 100)"
        )
    with _seeded_global_numpy(0):  # PlaceCells draws nothing when given centres; to be safe
        agent = Agent(_environment(arena_size))
        cells = PlaceCells(
            agent,
            params={
                "n": c.shape[0],
                "description": description,
                "widths": width / _CM_PER_M,
                "place_cell_centres": c / _CM_PER_M,
                "min_fr": 0.0,
                "max_fr": 1.0,
            },
        )
    rates = cells.get_state(evaluate_at=None, pos=p / _CM_PER_M)  # (n_cells, n_samples)
    return np.ascontiguousarray(np.asarray(rates, dtype=np.float64).T)
