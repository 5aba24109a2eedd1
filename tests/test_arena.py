"""brainformers.grid.arena: RatInABox paths and place cells, in cm, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from brainformers.grid import arena


def test_sargolini_trajectory_is_the_recording_in_cm():
    times, positions = arena.sargolini_trajectory()
    assert times.shape == (29_983,) and positions.shape == (29_983, 2)
    np.testing.assert_allclose(np.diff(times), 0.02, atol=1e-9)
    assert positions.min() >= 0 and positions.max() <= 100  # 1 m box, in cm
    assert positions.max() > 95  # it covers the box: metres were converted
    speed = np.linalg.norm(np.diff(positions, axis=0), axis=1).mean() / 0.02
    assert 5 < speed < 40  # cm/s, a foraging rat (measured ≈ 14)


def test_simulated_trajectory_is_seeded_and_leaves_global_state_alone():
    np.random.seed(123)  # noqa: NPY002
    before = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    a = arena.simulate_trajectory(20.0, 0.1, seed=4)
    after = np.random.random()  # noqa: NPY002
    assert before == after
    np.testing.assert_array_equal(a, arena.simulate_trajectory(20.0, 0.1, seed=4))
    assert not np.array_equal(a, arena.simulate_trajectory(20.0, 0.1, seed=5))
    assert a.shape == (200, 2)
    assert a.min() >= 0 and a.max() <= 100
    speed = np.linalg.norm(np.diff(a, axis=0), axis=1).mean() / 0.1
    assert 5 < speed < 40  # cm/s (speed_mean 16 cm/s)


def test_place_cells_peak_at_their_centres():
    centres = arena.place_cell_centres(16, seed=0)
    assert centres.shape == (16, 2) and centres.min() >= 0 and centres.max() <= 100
    np.testing.assert_array_equal(centres, arena.place_cell_centres(16, seed=0))
    rates = arena.place_cell_rates(centres, centres, 10.0)
    np.testing.assert_allclose(np.diag(rates), 1.0, atol=1e-9)
    gauss = arena.place_cell_rates(
        centres[:1] + [[6.0, 8.0]], centres[:1], 10.0, description="gaussian"
    )
    assert gauss[0, 0] == pytest.approx(np.exp(-0.5))  # 10 cm from the centre, σ = 10 cm
    dog = arena.place_cell_rates(centres[:1] + [[30.0, 0.0]], centres[:1], 10.0)
    assert dog[0, 0] < 0  # the inhibitory surround


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="cm"):
        arena.place_cell_rates(np.array([[0.5, 0.5], [2.0, 150.0]]), np.ones((2, 2)), 5.0)
    with pytest.raises(ValueError, match="shape"):
        arena.place_cell_rates(np.ones((3, 3)), np.ones((2, 2)), 5.0)
    with pytest.raises(ValueError, match="description"):
        arena.place_cell_rates(np.ones((3, 2)), np.ones((2, 2)), 5.0, description="box")
    with pytest.raises(ValueError, match="seed"):
        arena.simulate_trajectory(1.0, seed=-1)
