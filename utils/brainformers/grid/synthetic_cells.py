"""Idealised cells for checks and controls, and Poisson spikes from their rates.

:func:`grid_field` (three plane waves, Solstad et al. 2006), :func:`band_field` (one plane
wave, Krupic et al. 2012), :func:`place_field` (a Gaussian bump) and
:func:`poisson_spikes`. Positions in cm, rates in Hz.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import _validate
from ._inputs import _finite_float, _point, _positions

__all__ = ["grid_field", "band_field", "place_field", "poisson_spikes"]


def _periodic_inputs(
    positions: object, spacing: object, orientation: object, phase: object, peak_rate: object
) -> tuple[np.ndarray, float, float, np.ndarray, float]:
    p = _positions(positions)
    spacing = _validate.positive_float("spacing", spacing)
    orientation = _finite_float("orientation", orientation)
    phase = _point("phase", phase)
    peak_rate = _validate.positive_float("peak_rate", peak_rate)
    return p, spacing, orientation, phase, peak_rate


def grid_field(
    positions: np.ndarray,
    spacing: float,
    orientation: float = 0.0,
    phase: Sequence[float] | np.ndarray = (0.0, 0.0),
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised grid cell: three plane waves 60° apart, rectified.

    The plane-wave model of Solstad, Moser & Einevoll (2006):

        rate(x) = peak_rate · max(0, Σ_{i=1}^{3} cos(k_i · (x - phase))) / 3,
        k_i = (4π / (√3 · spacing)) · (cos θ_i, sin θ_i),
        θ_i = orientation + (-30°, 30°, 90°).

    Solstad et al. pass the sum through an exponential gain; here it is rectified, which
    keeps the same hexagonal lattice of fields. The wave vectors are 60° apart, so the
    fields form a triangular lattice with distance ``spacing`` between neighbouring peaks,
    one lattice axis at ``orientation`` from the x axis, and a peak (rate = peak_rate) at
    ``phase``.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm (any positions, not only inside an arena).
    spacing : distance between neighbouring fields, cm.
    orientation : angle of a lattice axis from the x axis, degrees (60°-periodic).
    phase : (x, y) of one field's peak, cm.
    peak_rate : rate at the field peaks, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p, spacing, orientation, phase, peak_rate = _periodic_inputs(
        positions, spacing, orientation, phase, peak_rate
    )
    angles = np.deg2rad(orientation + np.array([-30.0, 30.0, 90.0]))  # (3,)
    k = 4 * np.pi / (np.sqrt(3) * spacing) * np.stack([np.cos(angles), np.sin(angles)], 1)
    waves = np.cos((p - phase) @ k.T)  # (n_samples, 3)
    return peak_rate * np.maximum(waves.sum(axis=1), 0.0) / 3.0


def band_field(
    positions: np.ndarray,
    spacing: float,
    orientation: float = 0.0,
    phase: Sequence[float] | np.ndarray = (0.0, 0.0),
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised band cell: one plane wave (Krupic et al. 2012).

        rate(x) = peak_rate · ½ (1 + cos(2π u · (x - phase) / spacing)),
        u = (cos orientation, sin orientation).

    Parallel bands ``spacing`` apart, perpendicular to u, a crest through ``phase``. A
    control for gridness: periodic, but twofold not sixfold symmetric, so it scores low.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm.
    spacing : distance between neighbouring bands, cm.
    orientation : direction u across the bands, degrees from the x axis.
    phase : (x, y) of a point on a crest, cm.
    peak_rate : rate on the crests, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p, spacing, orientation, phase, peak_rate = _periodic_inputs(
        positions, spacing, orientation, phase, peak_rate
    )
    theta = np.deg2rad(orientation)
    u = np.array([np.cos(theta), np.sin(theta)])
    return peak_rate * 0.5 * (1.0 + np.cos(2 * np.pi * ((p - phase) @ u) / spacing))


def place_field(
    positions: np.ndarray,
    centre: Sequence[float] | np.ndarray,
    width: float,
    *,
    peak_rate: float = 10.0,
) -> np.ndarray:
    """Firing rate (Hz) of an idealised place cell: a Gaussian bump.

        rate(x) = peak_rate · exp(-|x - centre|² / (2 width²))

    (O'Keefe & Dostrovsky 1971; the Gaussian place cells of RatInABox, George et al. 2024).
    A control for gridness: one field, no ring of peaks, so it scores low.

    Parameters
    ----------
    positions : (n_samples, 2) array of (x, y), cm.
    centre : (x, y) of the field centre, cm.
    width : standard deviation of the bump, cm.
    peak_rate : rate at the centre, Hz.

    Returns
    -------
    (n_samples,) float64 array of rates in Hz, in [0, peak_rate].
    """
    p = _positions(positions)
    centre = _point("centre", centre)
    width = _validate.positive_float("width", width)
    peak_rate = _validate.positive_float("peak_rate", peak_rate)
    return peak_rate * np.exp(-((p - centre) ** 2).sum(axis=1) / (2 * width**2))


def poisson_spikes(rates: np.ndarray, dt: float, rng: np.random.Generator) -> np.ndarray:
    """Spike counts of an inhomogeneous Poisson process sampled every dt.

        spikes_t ~ Poisson(rates_t · dt), independently for each sample (and unit).

    Parameters
    ----------
    rates : (n_samples,) or (n_samples, n_units) non-negative rates, Hz.
    dt : sampling interval, s.
    rng : NumPy random generator, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    int64 array of counts, shaped like ``rates``.
    """
    r = _validate.array("rates", rates, ndim=(1, 2), dims="(n_samples,) or (n_samples, n_units)")
    dt = _validate.positive_float("dt", dt)
    _validate.numpy_generator("rng", rng)
    if r.size and r.min() < 0:
        raise ValueError(
            f"rates must be non-negative (Hz); {int((r < 0).sum())} are negative "
            f"(smallest {r.min():g})"
        )
    return rng.poisson(r * dt).astype(np.int64)
