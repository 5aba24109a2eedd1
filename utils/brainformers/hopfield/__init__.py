"""Hopfield networks, classical to modern: the reference implementations of chapter 02.

Four memories, one idea — store patterns so that a corrupted cue falls back to the
pattern it came from:

* :mod:`.classical` — the classical Hopfield network (Hopfield 1982): ±1 neurons,
  Hebbian weights, an energy that asynchronous updates never increase
  (:func:`hebbian_weights`, :func:`energy`, :func:`update_asynchronous`,
  :func:`retrieve_classical`), and the projection rule for correlated patterns
  (:func:`projection_weights`, Personnaz et al. 1985; Kanter & Sompolinsky 1987);
* :mod:`.dense` — the dense associative memory (Krotov & Hopfield 2016): a polynomial
  energy whose capacity grows like n^(order - 1) (:func:`dense_update`,
  :func:`retrieve_dense`);
* :mod:`.modern` — the modern Hopfield network (Ramsauer et al. 2021): continuous
  states, an exponential energy and a one-step update that *is* attention with
  keys = values = the stored patterns (:func:`modern_update`, :func:`modern_retrieve`,
  :func:`attention_entropy`); :mod:`.lookup` — its control, a lookup table with fair
  ties (:func:`nearest_neighbour_retrieve`, NumPy);
* :mod:`.two_layer` — the two-layer network of Krotov & Hopfield (2021): feature neurons
  and memory neurons joined by ordinary pairwise synapses, whose dynamics settle where
  the modern update does (:func:`two_layer_step`, :func:`two_layer_run`,
  :func:`two_layer_energy`);
* :mod:`.patterns` — random ±1 patterns, corrupted cues and retrieval scores
  (:func:`random_patterns`, :func:`flip`, :func:`flip_torch`, :func:`overlap`,
  :func:`exact_retrieval_rate`); :mod:`.images` — masked image cues (:func:`half_mask`);
* :mod:`.capacity` — how many patterns fit: the classical overlap against the load
  (:func:`capacity_curve`; the limit is about 0.138 n, Amit, Gutfreund & Sompolinsky
  1985) and exact capacity against d (:func:`exact_capacity`, and for the lookup
  :func:`lookup_capacity`).

Conventions
-----------
Classical and dense parts use NumPy (float64 arrays of +1/-1); dimension names
``n_patterns, n`` (n neurons), ``batch`` for many states at once, and random numbers from
an explicit :class:`numpy.random.Generator`. Modern and two-layer parts use torch, with
``n_patterns, d`` (d feature neurons). Row vectors throughout, as in the chapter: a state
is a row, and X is the (n_patterns, d) matrix ``patterns`` whose rows are the stored
patterns. Ramsauer et al. write the patterns as columns, ξ_new = X softmax(β Xᵀ ξ); with
rows that is ξ_new = Xᵀ softmax(β X ξ) for one state, ``softmax(β states Xᵀ) X`` for a
batch. The sign function is sign(0) = +1 everywhere; the
classical updates count a field within 1e-10 · max_i Σ_j |W_ij| of zero as zero (the
rounding noise of an exact tie, frequent with Hebbian weights), so that seeded runs give
the same result on every machine.

Term map (the chapter's notation table): stored pattern = key = value; state (cue) = query;
β = inverse temperature = attention ``scale``.
"""

from __future__ import annotations

from .capacity import capacity_curve, exact_capacity, lookup_capacity
from .classical import (
    energy,
    hebbian_weights,
    projection_weights,
    retrieve_classical,
    update_asynchronous,
)
from .dense import dense_update, retrieve_dense
from .images import half_mask
from .lookup import nearest_neighbour_retrieve
from .modern import attention_entropy, modern_retrieve, modern_update
from .patterns import exact_retrieval_rate, flip, flip_torch, overlap, random_patterns
from .two_layer import TwoLayerRun, two_layer_energy, two_layer_run, two_layer_step

__all__ = [
    "random_patterns",
    "flip",
    "flip_torch",
    "overlap",
    "exact_retrieval_rate",
    "hebbian_weights",
    "projection_weights",
    "energy",
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
    "lookup_capacity",
    "half_mask",
]
