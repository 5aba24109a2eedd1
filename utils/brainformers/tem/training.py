"""Training a TEM-t (or a control) on fresh worlds, and evaluating it on held-out ones.

Training and evaluation draw from disjoint random streams: :func:`train_tem` from a
generator seeded with ``(0, seed)``, :func:`held_out_batch` (and so :func:`evaluate_tem`)
from ``(1, seed)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _validate
from ._inputs import _integer_array, _widths
from .controls import ActionTokenTransformer
from .model import TEMTransformer
from .scoring import score_predictions
from .worlds import TEMBatch, sample_batch

__all__ = [
    "train_tem",
    "prediction_correct",
    "evaluate_tem",
    "held_out_batch",
    "PRETRAINED_PATH",
    "load_pretrained",
]

# Evaluation runs the model on at most this many walks at once (memory: chunk · seq² floats).
_EVAL_CHUNK = 128


def _model_device(model: nn.Module) -> torch.device:
    if not isinstance(model, (TEMTransformer, ActionTokenTransformer)):
        raise TypeError(
            f"model must be a TEMTransformer or an ActionTokenTransformer, got "
            f"{type(model).__name__}"
        )
    return next(model.parameters()).device


def train_tem(
    model: TEMTransformer | ActionTokenTransformer,
    worlds_per_batch: int = 32,
    n_steps: int = 1000,
    walk_length: int = 100,
    lr: float = 3e-3,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
    on_step: Callable[[int, float], bool | None] | None = None,
) -> list[float]:
    """Train a TEM-t (or its control) on walks in fresh worlds, with Adam and cross-entropy.

    Every optimisation step draws ``worlds_per_batch`` new worlds (:func:`sample_batch`)
    with one ``walk_length``-step walk each, and minimises the cross-entropy of the
    prediction of every observation on the walk — the training objective of Whittington,
    Warren & Behrens (2022) with a softmax readout. The model never meets the same
    world twice, so what it learns is the structure, not the objects. Trains on the
    device the model is on; the generator is seeded from ``(0, seed)``, a stream that
    :func:`evaluate_tem` (seeded from ``(1, seed)``) never draws from.

    The run is a fixed number of steps, never a wall-clock budget, so a slower machine
    trains the same model. The learning rate falls linearly from ``lr`` to ``lr / 10``
    over those steps. With a constant rate the final accuracy on 200-step walks wandered
    by a few per cent from run to run; the decay lets it settle (measured over four seeds).

    Parameters
    ----------
    model : the :class:`TEMTransformer`, or its :class:`ActionTokenTransformer` control, to
        train (in place).
    worlds_per_batch : walks (worlds) per optimisation step.
    n_steps : number of optimisation steps.
    walk_length : moves per training walk.
    lr : Adam's initial learning rate.
    seed : seeds the worlds and walks (seed the model's initialisation yourself, e.g.
        with :func:`brainformers.set_seed`, before building it).
    widths : the square worlds' possible widths.
    on_step : called after every step with (steps done, that step's loss), e.g. to score
        the model along the way (``utils/action_token_sweep.py`` draws learning curves so);
        returning True stops training there, so the losses are fewer than ``n_steps``.

    Returns
    -------
    The training loss (nats) at every step.
    """
    device = _model_device(model)
    _validate.positive_int("worlds_per_batch", worlds_per_batch)
    _validate.positive_int("n_steps", n_steps)
    _validate.positive_int("walk_length", walk_length)
    lr = _validate.positive_float("lr", lr)
    generator = np.random.default_rng((0, _validate.seed(seed)))
    sizes = _widths(widths)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses: list[float] = []
    for step in range(n_steps):
        for group in optimiser.param_groups:
            group["lr"] = lr * (1.0 - 0.9 * step / n_steps)
        batch = sample_batch(
            worlds_per_batch, walk_length, generator, widths=sizes, n_classes=model.n_classes
        )
        actions = torch.from_numpy(batch.actions).to(device)
        observations = torch.from_numpy(batch.observations).to(device)
        logits = model(actions, observations)
        loss = F.cross_entropy(logits.reshape(-1, model.n_classes), observations.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if on_step is not None and on_step(step + 1, losses[-1]):
            break  # the caller asked to stop: a sweep's guard, never the chapter's runs
    model.eval()
    return losses


def prediction_correct(
    model: TEMTransformer | ActionTokenTransformer, actions: np.ndarray, observations: np.ndarray
) -> np.ndarray:
    """Whether the model's most likely observation is the one seen, at every step.

    Parameters
    ----------
    model : a :class:`TEMTransformer` or an :class:`ActionTokenTransformer`.
    actions : (n_walks, n_steps) int array.
    observations : (n_walks, n_steps + 1) int array of class ids.

    Returns
    -------
    (n_walks, n_steps + 1) bool array.
    """
    device = _model_device(model)
    acts = _integer_array("actions", actions, ndim=2, dims="(n_walks, n_steps)")
    obs = _integer_array("observations", observations, ndim=2, dims="(n_walks, n_steps + 1)")
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for lo in range(0, acts.shape[0], _EVAL_CHUNK):
            a = torch.from_numpy(acts[lo : lo + _EVAL_CHUNK]).to(device)
            o = torch.from_numpy(obs[lo : lo + _EVAL_CHUNK]).to(device)
            out.append((model(a, o).argmax(dim=-1) == o).cpu().numpy())
    model.train(was_training)
    return np.concatenate(out, axis=0)


def evaluate_tem(
    model: TEMTransformer | ActionTokenTransformer,
    n_worlds: int = 512,
    walk_length: int = 200,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
) -> dict[str, float]:
    """Accuracy on held-out worlds, overall and where structure matters.

    Walks of ``walk_length`` steps (longer than training's, so the model must
    generalise in time too) in ``n_worlds`` fresh worlds drawn from a generator seeded
    from ``(1, seed)`` — a stream :func:`train_tem` never uses — scored as in Whittington,
    Warren & Behrens (2022): accuracy at visited nodes, on arrival by a
    never-taken directed edge, and on true loop closures, beside the node-agent oracle
    and chance.

    Returns
    -------
    dict of floats: ``visited``, ``new_edge``, ``loop_closure``, ``unvisited`` (accuracy
    on those steps), ``overall`` (all steps, step 0 included), ``oracle_overall``
    (the oracle's overall accuracy = fraction of steps at visited nodes) and ``chance``.
    """
    _model_device(model)
    batch = held_out_batch(n_worlds, walk_length, seed, widths=widths, n_classes=model.n_classes)
    correct = prediction_correct(model, batch.actions, batch.observations)
    return score_predictions(correct, batch.nodes, model.n_classes)


def held_out_batch(
    n_worlds: int = 512,
    walk_length: int = 200,
    seed: int = 0,
    *,
    widths: Sequence[int] = (4, 5, 6),
    n_classes: int = 20,
) -> TEMBatch:
    """The held-out worlds :func:`evaluate_tem` scores on: :func:`sample_batch` drawn from
    a generator seeded from ``(1, seed)``, a stream :func:`train_tem` never uses."""
    _validate.positive_int("n_worlds", n_worlds)
    _validate.positive_int("walk_length", walk_length)
    generator = np.random.default_rng((1, _validate.seed(seed)))
    return sample_batch(n_worlds, walk_length, generator, widths=widths, n_classes=n_classes)


#: The TEM-t shipped with the library: chapter 03's recipe (made by
#: ``utils/train_tem_checkpoint.py``), 16,953 parameters, about 70 KB.
PRETRAINED_PATH = Path(str(files("brainformers") / "resources" / "temt_d64.pt"))


def load_pretrained(device: torch.device | str = "cpu") -> TEMTransformer:
    """The TEM-t trained with chapter 03's recipe, ready to evaluate (in eval mode).

    ``TEMTransformer()`` (d_pos = 64, 20 classes, action-driven positions), seeded with 0
    and trained for 1,000 steps of 32 fresh 4-6 wide worlds with 100-step walks
    (:func:`train_tem`); ``utils/train_tem_checkpoint.py`` reproduces it. It lets a later
    chapter analyse a fully trained model without spending a minute training one.
    """
    model = TEMTransformer()
    state = torch.load(PRETRAINED_PATH, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.to(device).eval()
