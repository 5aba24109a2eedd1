"""grid.path_integration: windows, inputs, targets, decoding, and a tiny training run."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from brainformers.grid import path_integration as pi


def test_windows_cut_the_path():
    p = np.stack([np.arange(10.0), np.zeros(10)], axis=1)
    w = pi.windows(p, 3)
    assert w.shape == (7, 4, 2)
    np.testing.assert_array_equal(w[2, :, 0], [2, 3, 4, 5])
    tiled = pi.windows(p, 3, stride=3)
    assert tiled.shape == (3, 4, 2)
    np.testing.assert_array_equal(tiled[:, 1:, 0].ravel(), np.arange(1.0, 10.0))
    with pytest.raises(ValueError, match="at least length"):
        pi.windows(p, 10)


def test_velocities_integrate_back_to_the_path():
    p = np.cumsum(np.random.default_rng(0).normal(size=(5, 9, 2)), axis=1)
    v = pi.velocities(p, 0.1)
    assert v.shape == (5, 8, 2) and v.dtype == np.float32
    rebuilt = p[:, :1] + np.cumsum(v.astype(np.float64) * 100 * 0.1, axis=1)
    np.testing.assert_allclose(rebuilt, p[:, 1:], atol=1e-4)


def test_place_code_targets_are_distributions():
    r = np.random.default_rng(1).normal(size=(4, 6, 10))
    t = pi.place_code_targets(r)
    assert (t >= 0).all()
    np.testing.assert_allclose(t.sum(-1), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="vary across cells"):
        pi.place_code_targets(np.ones((2, 5)))


def test_decode_positions_and_error():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [50.0, 50.0]])
    logits = np.array([[5.0, 4.0, 3.0, -1.0]])
    np.testing.assert_allclose(pi.decode_positions(logits, centres, k=3), [[10 / 3, 10 / 3]])
    np.testing.assert_allclose(pi.decode_positions(torch.tensor(logits), centres, k=1), [[0, 0]])
    assert pi.decoding_error(np.array([[3.0, 4.0]]), np.zeros((1, 2))) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="same shape"):
        pi.decoding_error(np.zeros((2, 2)), np.zeros((3, 2)))


def test_model_checks_shapes_and_is_non_negative():
    torch.manual_seed(0)
    m = pi.PathIntegrationRNN(n_cells=12, n_hidden=8)
    h = m.hidden(torch.randn(3, 5, 2), torch.rand(3, 12))
    assert h.shape == (3, 5, 8) and (h >= 0).all()
    assert m(torch.randn(3, 5, 2), torch.rand(3, 12)).shape == (3, 5, 12)
    with pytest.raises(ValueError, match=r"\(3, 12\)"):
        m(torch.randn(3, 5, 2), torch.rand(3, 11))


def test_training_beats_holding_the_start_position():
    """A toy: straight 5-step paths, 25 place cells on a lattice, 300 steps of training.

    Measured with these seeds: error 4.4 cm, start held 7.1 cm, decoding the true code
    (the floor of a 5 × 5 lattice decoder) 4.4 cm."""
    g = np.random.default_rng(2)
    centres = np.stack(np.meshgrid(np.linspace(10, 90, 5), np.linspace(10, 90, 5)), -1).reshape(
        -1, 2
    )
    start = g.uniform(30, 70, (400, 1, 2))
    step = g.uniform(-3, 3, (400, 1, 2))
    paths = start + step * np.arange(6)[None, :, None]  # (400, 6, 2), cm
    d2 = ((paths[..., None, :] - centres) ** 2).sum(-1)
    targets = pi.place_code_targets(np.exp(-d2 / (2 * 10.0**2)))
    v = pi.velocities(paths, 0.1)
    torch.manual_seed(0)
    model = pi.PathIntegrationRNN(n_cells=25, n_hidden=32)
    losses = pi.train_path_integrator(
        model, v, targets[:, 0], targets[:, 1:], n_steps=300, lr=1e-2, batch_size=64
    )
    assert losses[-1] < losses[0]
    with torch.no_grad():
        logits = model(torch.from_numpy(v), torch.from_numpy(targets[:, 0]))
    err = pi.decoding_error(pi.decode_positions(logits, centres), paths[:, 1:])
    held = pi.decoding_error(np.broadcast_to(paths[:, :1], paths[:, 1:].shape), paths[:, 1:])
    assert err < 0.75 * held
    with pytest.raises(TypeError, match="PathIntegrationRNN"):
        pi.train_path_integrator(torch.nn.Linear(2, 2), v, targets[:, 0], targets[:, 1:])
