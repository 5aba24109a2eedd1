"""encoding.data: stimuli, simulated subjects, published scores, the Pereira2018 loader offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from brainformers import encoding
from brainformers.encoding import data

FIXTURE = Path(__file__).parent / "fixtures" / "pereira2018_small.nc"
FIXTURE_NETCDF4 = Path(__file__).parent / "fixtures" / "pereira2018_small_netcdf4.nc"


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
    # wikitext-2 holds a test loss in nats (ln perplexity), 4.46–8.74 = perplexity 86–6234
    loss = data.best_layer_scores(rows, "wikitext-2")
    trained = [m for m in best if not m.endswith("-untrained") and m in loss]
    assert len(trained) == 42
    values = np.array([loss[m].score for m in trained])
    assert values.min() == pytest.approx(4.46, abs=0.01)
    assert values.max() == pytest.approx(8.74, abs=0.01)
    scores = [best[m].score for m in trained]
    assert np.corrcoef(values, scores)[0, 1] == pytest.approx(-0.742, abs=1e-3)
    # the paper's statistic: r against perplexity itself, exp(loss)
    assert np.corrcoef(np.exp(values), scores)[0, 1] == pytest.approx(-0.554, abs=1e-3)
    with pytest.raises(ValueError, match="no scores"):
        data.best_layer_scores(rows, "nonexistent")


def test_simulated_subjects_fields():
    rng = np.random.default_rng(1)
    sim = data.simulate_subjects(rng.standard_normal((30, 4)), np.arange(30) // 5, rng)
    assert not hasattr(sim, "signal")
    assert sim.responses.shape == (4, 30, 100)


def test_hadidi_scores_match_the_published_means():
    shuffled = data.load_hadidi2025_pearson_r("shuffled")
    contiguous = data.load_hadidi2025_pearson_r("contiguous")
    assert len(shuffled.subjects) == 10 and shuffled.subjects == contiguous.subjects
    assert set(shuffled.r) == {"GPT2-XL", "GPT2-XL-mp", "GPT2-XL-sp", "OASM"}
    assert shuffled.r["GPT2-XL"].mean() == pytest.approx(0.398, abs=1e-3)
    assert shuffled.r["OASM"].mean() == pytest.approx(0.451, abs=1e-3)
    assert contiguous.r["GPT2-XL"].mean() == pytest.approx(0.140, abs=1e-3)
    assert contiguous.r["OASM"].mean() == pytest.approx(0.0, abs=1e-9)
    assert shuffled.r["GPT2-XL"][shuffled.subjects.index("018")] == pytest.approx(0.34430, abs=1e-4)
    with pytest.raises(ValueError, match="split must be one of"):
        data.load_hadidi2025_pearson_r("random")


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


def test_pereira_loader_reads_the_real_netcdf4_format(monkeypatch, tmp_path):
    # The real file is NetCDF-4 (HDF5) with Brain-Score's coordinates; xarray + netCDF4 read it.
    pytest.importorskip("xarray")
    pytest.importorskip("netCDF4")
    with open(FIXTURE_NETCDF4, "rb") as handle:
        assert handle.read(4) == b"\x89HDF"
    fetch, _ = _fake_fetch(FIXTURE_NETCDF4)
    monkeypatch.setattr(data, "_fetch_url", fetch)
    monkeypatch.setattr(data, "PEREIRA2018_SHA1", data.sha1_of(FIXTURE_NETCDF4))
    d = data.load_pereira2018(directory=tmp_path)
    classic = data.pereira2018_from_file(FIXTURE)
    np.testing.assert_array_equal(d.responses, classic.responses)
    assert d.sentences == classic.sentences
    np.testing.assert_array_equal(d.passage, classic.passage)
    assert d.subject.tolist() == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    assert classic.topic is None  # the classic fixture has no passage_category
    categories = {1: "music", 2: "animal", 3: "food"}
    assert d.topic.tolist() == [categories[p] for p in d.passage.tolist()]
    d243 = data.pereira2018_from_file(FIXTURE_NETCDF4, "243sentences")
    assert d243.responses.shape == (4, 6) and set(d243.subject) == {"a", "b"}
    _, presentation, neuroid = data.read_assembly(FIXTURE_NETCDF4)
    assert {"stimulus_id", "story", "passage_label", "passage_category"} <= set(presentation)
    assert {"neuroid_id", "atlas", "roi", "filter_strategy", "voxel_num"} <= set(neuroid)


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


def test_simulation_refuses_passages_that_are_not_consecutive():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="consecutive"):
        data.simulate_subjects(rng.standard_normal((4, 3)), np.array([0, 1, 0, 1]), rng)
    with pytest.raises(ValueError, match="consecutive"):
        data._smooth_drift(np.array([0, 1, 0, 1]), (1, 4, 2), 0.9, rng)


def test_signal_dimension_keeps_the_ceiling_and_sets_the_signal_rank():
    rng = np.random.default_rng(0)
    hidden = rng.standard_normal((120, 40)) * np.linspace(3, 0.1, 40)
    passage = np.arange(120) // 5

    def simulate(ceiling, k):
        return data.simulate_subjects(
            hidden, passage, np.random.default_rng(1), ceiling=ceiling, signal_dimension=k
        )

    # the true ceiling is set by the noise, not by the signal's dimension
    assert abs(np.median(simulate(0.35, None).true_ceiling) - 0.35) < 0.05
    assert abs(np.median(simulate(0.35, 2).true_ceiling) - 0.35) < 0.05

    # nearly noise-free: k = 2 leaves two dimensions of signal, all 40 leave more
    def top2_share(sim):
        y = sim.responses[0] - sim.responses[0].mean(0)
        s = np.linalg.svd(y, compute_uv=False) ** 2
        return s[:2].sum() / s.sum()

    assert top2_share(simulate(0.995, 2)) > 0.97
    assert top2_share(simulate(0.995, None)) < 0.9
    with pytest.raises(ValueError, match="signal_dimension"):
        data.simulate_subjects(hidden, passage, rng, signal_dimension=41)
