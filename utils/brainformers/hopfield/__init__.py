"""Hopfield networks, classical to modern: the reference implementations of chapter 02.

Four memories, one idea — store patterns so that a corrupted cue falls back to the
pattern it came from:

* the classical Hopfield network (Hopfield 1982): ±1 neurons, Hebbian weights, an energy
  that asynchronous updates never increase, and a capacity of about 0.138 n patterns
  (Amit, Gutfreund & Sompolinsky 1985) — :func:`hebbian_weights`, :func:`energy`,
  :func:`update_synchronous`, :func:`update_asynchronous`, :func:`retrieve_classical`,
  :func:`capacity_curve`;
* the dense associative memory (Krotov & Hopfield 2016): a polynomial energy whose
  capacity grows like n^(order - 1) — :func:`dense_update`, :func:`retrieve_dense`;
* the modern Hopfield network (Ramsauer et al. 2021): continuous states, an exponential
  energy and the update ξ_new = X softmax(β Xᵀ ξ), which *is* attention with
  keys = values = the stored patterns — :func:`modern_update`, :func:`modern_retrieve`;
* the two-layer network of Krotov & Hopfield (2021): feature neurons and memory neurons
  joined by ordinary pairwise synapses, whose dynamics settle where the modern update
  does — :func:`two_layer_step`, :func:`two_layer_run`, :func:`two_layer_energy`.

Conventions
-----------
Classical and dense parts use NumPy (float64 arrays of +1/-1); dimension names
``n_patterns, n`` (n neurons), ``batch`` for many states at once, and random numbers from
an explicit :class:`numpy.random.Generator`. Modern and two-layer parts use torch, with
``n_patterns, d`` (d feature neurons). Row vectors throughout: a state is a row, patterns
are the rows of X, so the papers' ``X softmax(β Xᵀ ξ)`` is written
``softmax(β states Xᵀ) X`` here. The sign function is sign(0) = +1 everywhere; the
classical updates count a field within 1e-10 · max_i Σ_j |W_ij| of zero as zero (the
rounding noise of an exact tie, frequent with Hebbian weights), so that seeded runs give
the same result on every machine.

Term map (the chapter's notation table): stored pattern = key = value; state (cue) = query;
β = inverse temperature = attention ``scale``.
"""

from __future__ import annotations

from .capacity import capacity_curve, exact_capacity
from .classical import (
    energy,
    hebbian_weights,
    retrieve_classical,
    update_asynchronous,
    update_synchronous,
)
from .dense import dense_update, retrieve_dense
from .images import mask_lower_half
from .modern import attention_entropy, modern_retrieve, modern_update, nearest_neighbour_retrieve
from .patterns import exact_retrieval_rate, flip, flip_torch, overlap, random_patterns
from .two_layer import TwoLayerRun, two_layer_energy, two_layer_run, two_layer_step

__all__ = [
    "random_patterns",
    "flip",
    "flip_torch",
    "overlap",
    "exact_retrieval_rate",
    "hebbian_weights",
    "energy",
    "update_synchronous",
    "update_asynchronous",
    "retrieve_classical",
    "dense_update",
    "retrieve_dense",
    "modern_update",
    "modern_retrieve",
    "nearest_neighbour_retrieve",
    "attention_entropy",
    "two_layer_step",
    "two_layer_energy",
    "two_layer_run",
    "TwoLayerRun",
    "capacity_curve",
    "exact_capacity",
    "mask_lower_half",
]
