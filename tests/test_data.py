"""data.py: stimuli, simulated subjects, published scores, and the Pereira2018 loader offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from brainformers import data, encoding

FIXTURE = Path(__file__).parent / "fixtures" / "pereira2018_small.nc"


def test_passages():
    stimuli = data.load_passages()
    assert len(stimuli.sentences) >= 200
    assert len(stimuli.topics) >= 40
    assert stimuli.passage.shape == stimuli.position.shape == (len(stimuli.sentences),)
    assert len(set(stimuli.sentences)) == len(stimuli.sentences)
    sizes = np.bincount(stimuli.passage)
    assert sizes.min() >= 4 and sizes.max() <= 6


def test_simulated_ceiling_matches_request_and_estimate():
    rng = np.random.default_rng(0)
    hidden = rng.standard_normal((200, 20))
    passage = np.arange(200) // 5
    sim = data.simulate_subjects(hidden, passage, rng, n_subjects=2, n_voxels=200, ceiling=0.35)
    assert sim.repetitions.shape == (2, 4, 200, 200)
    assert np.median(sim.true_ceiling) == pytest.approx(0.35, abs=0.04)
    estimate = np.concatenate([encoding.split_half_ceiling(r) for r in sim.repetitions])
    assert np.median(estimate) == pytest.approx(np.median(sim.true_ceiling), abs=0.04)


def test_schrimpf_scores_headlines():
    rows = data.load_schrimpf2021_scores()
    best = data.best_layer_scores(rows, "Pereira2018-encoding")
    assert best["gpt2-xl"].layer == "encoder.h.43"
    assert best["gpt2-xl"].score == pytest.approx(1.044, abs=1e-3)
    perplexity = data.best_layer_scores(rows, "wikitext-2")
    trained = [m for m in best if not m.endswith("-untrained") and m in perplexity]
    assert len(trained) == 42
    r = np.corrcoef([perplexity[m].score for m in trained], [best[m].score for m in trained])[0, 1]
    assert r == pytest.approx(-0.74, abs=0.01)
    with pytest.raises(ValueError, match="no scores"):
        data.best_layer_scores(rows, "nonexistent")


def _fake_fetch(source: Path):
    calls = []

    def fetch(url, target):
        calls.append(url)
        shutil.copyfile(source, target)

    return fetch, calls


def test_pereira_loader_downloads_checks_and_caches(monkeypatch, tmp_path):
    fetch, calls = _fake_fetch(FIXTURE)
    monkeypatch.setattr(data, "_fetch_url", fetch)
    monkeypatch.setattr(data, "PEREIRA2018_SHA1", data.sha1_of(FIXTURE))
    d = data.load_pereira2018(directory=tmp_path)
    assert d.responses.shape == (6, 9)
    assert d.sentences[0] == "An accordion is a portable instrument."
    np.testing.assert_array_equal(d.passage, [1, 1, 2, 2, 2, 3])
    d243 = data.load_pereira2018("243sentences", directory=tmp_path)
    assert d243.responses.shape == (4, 6)  # subject c (NaN there) dropped
    assert not np.isnan(d243.responses).any()
    assert len(calls) == 1  # the second call used the cache


def test_pereira_loader_rejects_bad_checksum(monkeypatch, tmp_path):
    fetch, _ = _fake_fetch(FIXTURE)
    monkeypatch.setattr(data, "_fetch_url", fetch)
    with pytest.raises(ConnectionError, match="checksum"):
        data.load_pereira2018(directory=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing half-written is left behind


def test_pereira_loader_offline_error(monkeypatch, tmp_path):
    def offline(url, target):
        raise OSError("network is unreachable")

    monkeypatch.setattr(data, "_fetch_url", offline)
    with pytest.raises(ConnectionError, match="Download it by hand"):
        data.load_pereira2018(directory=tmp_path)


def test_unknown_experiment_and_non_netcdf(tmp_path):
    with pytest.raises(ValueError, match="no experiment"):
        data.pereira2018_from_file(FIXTURE, "999sentences")
    bad = tmp_path / "x.nc"
    bad.write_bytes(b"hello")
    with pytest.raises(ValueError, match="not a NetCDF"):
        data.read_assembly(bad)


def test_hdf5_file_needs_xarray(tmp_path, monkeypatch):
    import builtins

    hdf = tmp_path / "x.nc"
    hdf.write_bytes(b"\x89HDF\r\n\x1a\n")
    real_import = builtins.__import__

    def no_xarray(name, *args, **kwargs):
        if name == "xarray":
            raise ImportError("no xarray")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_xarray)
    with pytest.raises(ImportError, match="pip install xarray netCDF4"):
        data.read_assembly(hdf)
