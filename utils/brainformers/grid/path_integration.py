"""Path integration: a recurrent network that tracks its position from its own velocity.

The task of Cueva & Wei (2018), Banino et al. (2018) and Sorscher et al. (2019, 2023): an
animal that knows where it started and feels its own velocity can keep track of where it
is by integrating that velocity. A recurrent network is given

* its start position, as the place-cell code of the start (it sets the first hidden state),
* the velocity at every step,

and must report the place-cell code of its current position at every step. Sorscher et
al. found that with difference-of-Gaussians place cells, non-negative (ReLU) hidden units
and a little weight decay some hidden units become grid-like; Schaeffer, Khona & Fiete
(2022) found that this depends on exactly those choices. The pieces here:

* :func:`windows` — cut one long path into many short ones, each with its own start;
* :func:`velocities` — the inputs, the per-step velocity of each window (m/s);
* :func:`place_code_targets` — place-cell codes as probability distributions over cells;
* :class:`PathIntegrationRNN` — the network (ReLU RNN, encoder of the start, linear readout);
* :func:`train_path_integrator` — Adam on the cross-entropy, for a fixed number of steps;
* :func:`decode_positions`, :func:`decoding_error` — from predicted codes back to cm.

Units: positions in cm (as in :mod:`brainformers.grid`), velocities in m/s (cm per step
/ (100 · dt)) so that inputs are of order 0.1–0.5, time in s. Dimension names: ``batch``
(windows), ``seq`` (steps of a window), ``n_hidden``, ``n_cells`` (place cells).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _validate

__all__ = [
    "windows",
    "velocities",
    "place_code_targets",
    "PathIntegrationRNN",
    "train_path_integrator",
    "decode_positions",
    "decoding_error",
]


def _path(name: str, x: object, ndim: int | tuple[int, ...], dims: str) -> np.ndarray:
    a = _validate.array(name, x, ndim=ndim, dims=dims)
    if a.shape[-1] != 2:
        raise ValueError(f"{name} must have shape {dims} with (x, y) in cm last, got {a.shape}")
    return a


def windows(positions: np.ndarray, length: int, stride: int = 1) -> np.ndarray:
    """Short paths cut from one long path: every ``stride``-th start, ``length`` steps each.

    Window k holds samples ``k·stride … k·stride + length`` of ``positions`` (its start and
    ``length`` steps). With ``stride = 1`` consecutive windows overlap in all but one step,
    which costs nothing to simulate and gives as many training paths as samples; with
    ``stride = length`` the windows tile the path end to end, so what a network reports along
    them is again one continuous recording along the path (used for rate maps).

    Parameters
    ----------
    positions : (n_samples, 2) path, cm.
    length : steps per window (each window has length + 1 samples).
    stride : samples between the starts of consecutive windows.

    Returns
    -------
    (n_windows, length + 1, 2) float64 array, n_windows = ⌊(n_samples - length - 1) / stride⌋ + 1.
    """
    p = _path("positions", positions, 2, "(n_samples, 2)")
    length = _validate.positive_int("length", length)
    stride = _validate.positive_int("stride", stride)
    if p.shape[0] < length + 1:
        raise ValueError(
            f"positions must hold at least length + 1 = {length + 1} samples for one window, "
            f"got {p.shape[0]}"
        )
    starts = np.arange(0, p.shape[0] - length, stride)  # (n_windows,)
    return p[starts[:, None] + np.arange(length + 1)]  # (n_windows, length + 1, 2)


def velocities(paths: np.ndarray, dt: float) -> np.ndarray:
    """Velocity at every step of each path, m/s: (x_{t+1} - x_t) / dt, cm → m.

    Parameters
    ----------
    paths : (batch, seq + 1, 2) positions, cm (from :func:`windows`).
    dt : time step, s.

    Returns
    -------
    (batch, seq, 2) float32 array, m/s — the network's input at each step.
    """
    p = _path("paths", paths, 3, "(batch, seq + 1, 2)")
    dt = _validate.positive_float("dt", dt)
    if p.shape[1] < 2:
        raise ValueError(f"paths need at least 2 samples each, got shape {p.shape}")
    return (np.diff(p, axis=1) / (100.0 * dt)).astype(np.float32)


def place_code_targets(rates: np.ndarray) -> np.ndarray:
    """Place-cell rates turned into a probability distribution over cells, per position.

    Sorscher et al. (2019, 2023) train the readout with a softmax cross-entropy against the
    place-cell code normalised to sum to one. Difference-of-Gaussians rates dip below zero
    in the surround, so the smallest rate at each position is subtracted first:

        p_i(x) = (r_i(x) - min_j r_j(x)) / Σ_k (r_k(x) - min_j r_j(x)).

    Parameters
    ----------
    rates : (..., n_cells) place-cell rates (e.g. :func:`brainformers.grid.arena.place_cell_rates`).

    Returns
    -------
    float32 array shaped like ``rates``, each row non-negative and summing to 1.
    """
    r = _validate.array("rates", rates, ndim=(1, 2, 3), dims="(..., n_cells)")
    shifted = r - r.min(axis=-1, keepdims=True)
    total = shifted.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        raise ValueError(
            "rates must vary across cells at every position (a constant row has no code)"
        )
    return (shifted / total).astype(np.float32)


class PathIntegrationRNN(nn.Module):
    """A vanilla ReLU RNN that integrates velocity (Sorscher et al. 2019; Cueva & Wei 2018).

        h_0 = W_enc c(x_0),   h_t = ReLU(W_rec h_{t-1} + W_in v_t),   logits_t = W_out h_t,

    c(x_0) the start's place-cell code, v_t the velocity (m/s), and the softmax of logits_t
    the predicted place-cell code at step t. No biases, as in Sorscher et al. (2019); the
    ReLU keeps hidden rates non-negative, one of the conditions for grid-like units.

    Parameters
    ----------
    n_cells : number of place cells (inputs at the start and outputs at every step).
    n_hidden : number of recurrent units.
    """

    def __init__(self, n_cells: int = 256, n_hidden: int = 128) -> None:
        super().__init__()
        self.n_cells = _validate.positive_int("n_cells", n_cells)
        self.n_hidden = _validate.positive_int("n_hidden", n_hidden)
        self.encoder = nn.Linear(n_cells, n_hidden, bias=False)
        self.rnn = nn.RNN(2, n_hidden, nonlinearity="relu", bias=False, batch_first=True)
        self.decoder = nn.Linear(n_hidden, n_cells, bias=False)

    def _check(self, velocity: object, start_code: object) -> tuple[torch.Tensor, torch.Tensor]:
        v = _validate.tensor("velocity", velocity, ndim=3, floating=True, dims="(batch, seq, 2)")
        c = _validate.tensor(
            "start_code", start_code, ndim=2, floating=True, dims="(batch, n_cells)"
        )
        if v.shape[-1] != 2:
            raise ValueError(f"velocity must have shape (batch, seq, 2), got {tuple(v.shape)}")
        if c.shape != (v.shape[0], self.n_cells):
            raise ValueError(
                f"start_code must have shape (batch, n_cells) = ({v.shape[0]}, {self.n_cells}), "
                f"got {tuple(c.shape)}"
            )
        return v, c

    def hidden(self, velocity: torch.Tensor, start_code: torch.Tensor) -> torch.Tensor:
        """Hidden rates h_1 … h_seq, (batch, seq, n_hidden), non-negative."""
        v, c = self._check(velocity, start_code)
        h0 = self.encoder(c).unsqueeze(0)  # (1, batch, n_hidden)
        h, _ = self.rnn(v, h0)
        return h

    def forward(self, velocity: torch.Tensor, start_code: torch.Tensor) -> torch.Tensor:
        """Logits of the place-cell code at steps 1 … seq, (batch, seq, n_cells)."""
        return self.decoder(self.hidden(velocity, start_code))


def train_path_integrator(
    model: PathIntegrationRNN,
    velocity: np.ndarray,
    start_code: np.ndarray,
    targets: np.ndarray,
    *,
    n_steps: int = 10_000,
    batch_size: int = 200,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
) -> list[float]:
    """Train the network to report its place-cell code, with Adam and minibatches.

    Loss (Sorscher et al. 2019): the cross-entropy between the target code p_t (from
    :func:`place_code_targets`) and softmax(logits_t), averaged over steps and windows, plus
    ``weight_decay`` · |W_rec|² on the recurrent weights. Each step draws ``batch_size``
    windows at random (seeded) from those given.

    Parameters
    ----------
    model : the network, trained in place (on the device it is on).
    velocity : (n_windows, seq, 2) inputs, m/s (:func:`velocities`).
    start_code : (n_windows, n_cells) place-cell code at each window's start.
    targets : (n_windows, seq, n_cells) target codes at steps 1 … seq.
    n_steps : number of optimisation steps (a fixed count, never a wall-clock budget, so a
        slower machine trains the same network).
    batch_size : windows per step.
    lr : Adam's learning rate.
    weight_decay : L2 penalty on the recurrent weights.
    seed : seeds the minibatch draws (seed the model's initialisation yourself).

    Returns
    -------
    The loss (cross-entropy, nats, without the penalty) at every step.
    """
    if not isinstance(model, PathIntegrationRNN):
        raise TypeError(f"model must be a PathIntegrationRNN, got {type(model).__name__}")
    v = _validate.array("velocity", velocity, ndim=3, dims="(n_windows, seq, 2)")
    c = _validate.array("start_code", start_code, ndim=2, dims="(n_windows, n_cells)")
    y = _validate.array("targets", targets, ndim=3, dims="(n_windows, seq, n_cells)")
    n = v.shape[0]
    if (
        c.shape != (n, model.n_cells)
        or y.shape != (n, v.shape[1], model.n_cells)
        or v.shape[2] != 2
    ):
        raise ValueError(
            f"expected velocity (n_windows, seq, 2), start_code (n_windows, {model.n_cells}) and "
            f"targets (n_windows, seq, {model.n_cells}) with the same n_windows and seq; got "
            f"{v.shape}, {c.shape}, {y.shape}"
        )
    n_steps = _validate.positive_int("n_steps", n_steps)
    batch_size = _validate.positive_int("batch_size", batch_size)
    lr = _validate.positive_float("lr", lr)
    if (
        not isinstance(weight_decay, (int, float))
        or isinstance(weight_decay, bool)
        or not weight_decay >= 0
    ):
        raise ValueError(f"weight_decay must be a number ≥ 0, got {weight_decay!r}")
    device = next(model.parameters()).device
    v_t, c_t, y_t = (torch.as_tensor(a, dtype=torch.float32, device=device) for a in (v, c, y))
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses: list[float] = []
    for _ in range(n_steps):
        index = torch.randint(n, (min(batch_size, n),), generator=generator).to(device)
        logits = model(v_t[index], c_t[index])  # (batch, seq, n_cells)
        loss = -(y_t[index] * F.log_softmax(logits, dim=-1)).sum(-1).mean()
        penalty = weight_decay * model.rnn.weight_hh_l0.pow(2).sum()
        optimiser.zero_grad()
        (loss + penalty).backward()
        optimiser.step()
        losses.append(loss.item())
    model.eval()
    return losses


def decode_positions(
    logits: torch.Tensor | np.ndarray, centres: np.ndarray, k: int = 3
) -> np.ndarray:
    """Position read from a place-cell code: the mean centre of the k most active cells.

    The decoder of Sorscher et al. (2019): robust to the code's small values far from the
    animal, which a weighted mean over all cells would let pull the estimate to the middle.

    Parameters
    ----------
    logits : (..., n_cells) predicted code (logits or probabilities; only the order matters).
    centres : (n_cells, 2) place-field centres, cm.
    k : number of most active cells averaged.

    Returns
    -------
    (..., 2) float64 array of positions, cm.
    """
    if isinstance(logits, torch.Tensor):
        logits = logits.detach().cpu().double().numpy()
    z = _validate.array("logits", logits, ndim=(1, 2, 3), dims="(..., n_cells)")
    c = _path("centres", centres, 2, "(n_cells, 2)")
    if z.shape[-1] != c.shape[0]:
        raise ValueError(f"logits has {z.shape[-1]} cells, centres has {c.shape[0]}")
    k = _validate.positive_int("k", k)
    if k > c.shape[0]:
        raise ValueError(f"k must be at most n_cells = {c.shape[0]}, got {k}")
    top = np.argpartition(-z, k - 1, axis=-1)[..., :k]  # (..., k)
    return c[top].mean(axis=-2)


def decoding_error(predicted: np.ndarray, true: np.ndarray) -> float:
    """Mean Euclidean distance between predicted and true positions, cm.

    Parameters
    ----------
    predicted, true : (..., 2) arrays of the same shape, cm.
    """
    a = _path("predicted", predicted, (1, 2, 3), "(..., 2)")
    b = _path("true", true, (1, 2, 3), "(..., 2)")
    if a.shape != b.shape:
        raise ValueError(
            f"predicted and true must have the same shape, got {a.shape} and {b.shape}"
        )
    return float(np.linalg.norm(a - b, axis=-1).mean())
