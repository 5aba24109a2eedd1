"""Where chapter 05's data come from: stimuli, simulated subjects, published scores, real fMRI.

* :func:`load_passages` — the course's own sentences, grouped into short encyclopaedic
  passages in the style of Pereira et al. (2018) (their stimuli are not shipped).
* :func:`simulate_subjects` — voxel responses generated from one hidden feature space plus
  noise at a chosen ceiling, so every step of the pipeline can be checked against truth.
* :func:`load_schrimpf2021_scores` — the published model-to-brain scores of Schrimpf et al.
  (2021) (see ``resources/README.md`` for provenance), and :func:`best_layer_scores`.
* :func:`load_hadidi2025_pearson_r` — per-subject Pereira2018 results of Hadidi, Feghhi et
  al. (2025) with shuffled and with contiguous (whole-passage) folds.
* :func:`load_pereira2018` — the Pereira et al. (2018) language-network fMRI data from
  Brain-Score's public storage, downloaded once with a checksum into a cache directory.
  Tests never touch the network: they hand the loader a small fixture instead.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .. import _validate
from .regression import consecutive_groups

# ------------------------------------------------------------------ stimuli


@dataclass(frozen=True)
class Stimuli:
    """Sentences in presentation order with the passage each belongs to.

    sentences : n_sentences strings; passage : (n_sentences,) passage index (0, 1, …);
    position : (n_sentences,) position of the sentence in its passage (0 = first);
    topics : one string per passage.
    """

    sentences: list[str]
    passage: np.ndarray
    position: np.ndarray
    topics: list[str]


def load_passages() -> Stimuli:
    """The course's passages (``resources/passages.json``): 52 topics, 261 sentences.

    Written for this course in the style of Pereira et al. (2018, experiment 2/3): four to
    six sentences of plain encyclopaedic prose about one concrete topic (an animal, a tool,
    a food, a place …). Licensed CC BY 4.0 with the course text.
    """
    text = resources.files("brainformers").joinpath("resources/passages.json").read_text("utf-8")
    passages = json.loads(text)["passages"]
    sentences, passage, position = [], [], []
    for k, item in enumerate(passages):
        for i, sentence in enumerate(item["sentences"]):
            sentences.append(sentence)
            passage.append(k)
            position.append(i)
    return Stimuli(
        sentences=sentences,
        passage=np.array(passage),
        position=np.array(position),
        topics=[item["topic"] for item in passages],
    )


# ------------------------------------------------------------------ simulated subjects


@dataclass(frozen=True)
class SimulatedSubjects:
    """Responses of simulated subjects to the same stimuli.

    repetitions : (n_subjects, n_reps, n_stimuli, n_voxels) measured responses;
    true_ceiling : (n_subjects, n_voxels) correlation of the noise-free, stimulus-driven
    signal with the repetition-averaged response — the best r any model can reach on this
    draw.
    """

    repetitions: np.ndarray
    true_ceiling: np.ndarray

    @property
    def responses(self) -> np.ndarray:
        """(n_subjects, n_stimuli, n_voxels): the average over repetitions, what models fit."""
        return self.repetitions.mean(axis=1)


def _smooth_drift(
    passage: np.ndarray, shape: tuple[int, ...], correlation: float, rng: np.random.Generator
) -> np.ndarray:
    """AR(1) noise along the stimulus axis (axis -2) that restarts at each new passage.

    ``passage`` must keep each passage's sentences consecutive (checked): the AR(1) chain
    runs from one index to the next.
    """
    passage = consecutive_groups(passage, "passage")
    if passage.size != shape[-2]:
        raise ValueError(f"passage has {passage.size} labels for {shape[-2]} stimuli")
    eps = rng.standard_normal(shape)
    drift = np.empty(shape)
    keep = np.sqrt(1.0 - correlation**2)
    for i in range(shape[-2]):
        new_passage = i == 0 or passage[i] != passage[i - 1]
        drift[..., i, :] = (
            eps[..., i, :]
            if new_passage
            else correlation * drift[..., i - 1, :] + keep * eps[..., i, :]
        )
    return drift  # unit variance at every stimulus


def simulate_subjects(
    hidden: np.ndarray,
    passage: np.ndarray,
    rng: np.random.Generator,
    n_subjects: int = 4,
    n_voxels: int = 100,
    n_reps: int = 4,
    ceiling: float = 0.35,
    drift_fraction: float = 0.3,
    drift_correlation: float = 0.9,
    signal_dimension: int | None = None,
) -> SimulatedSubjects:
    """Voxel responses that are a linear readout of ``hidden`` features plus noise.

    For subject s, voxel v, stimulus i and repetition k:

        y_skiv = a_v · signal_siv + drift_skiv + noise_skiv,   signal_sv = z(H w_sv)

    with w_sv ~ N(0, I) a subject's own readout of the centred hidden features H, the
    signal scaled to unit variance, ``drift`` a slow AR(1) fluctuation that restarts with
    each passage (correlation ``drift_correlation`` between neighbouring sentences) and
    differs between repetitions, and white ``noise``. Drift and noise share a nuisance
    variance (``drift_fraction`` of it is drift) chosen so that the expected ceiling —
    corr(signal, repetition average) — has median ``ceiling``; the gain a_v spreads the
    voxels' ceilings around it (uniform between 0.5 and 1.5 times the median's gain).

    ``signal_dimension`` = k keeps only the top k principal components of H (their scores,
    H V_k) before the readout: every voxel of every subject then reads the same
    k-dimensional signal, so subjects predict one another better. The true and split-half
    ceilings do not depend on k (they are set by the noise); the inter-subject ceiling
    does, strongly (see chapter 05).

    Parameters
    ----------
    hidden : (n_stimuli, n_features) the generating feature space (e.g. one MiniLM layer).
    passage : (n_stimuli,) passage labels in presentation order (drift restarts at each).
    rng : the generator every draw comes from.
    signal_dimension : k, or None for all of H's columns.
    """
    h = _validate.array("hidden", hidden, ndim=2, dims="(n_stimuli, n_features)")
    g = consecutive_groups(passage, "passage")
    if g.shape != (h.shape[0],):
        raise ValueError(f"passage must have shape ({h.shape[0]},), got {g.shape}")
    rng = _validate.numpy_generator("rng", rng)
    for name, value in (("n_subjects", n_subjects), ("n_voxels", n_voxels), ("n_reps", n_reps)):
        _validate.positive_int(name, value)
    ceiling = _validate.fraction("ceiling", ceiling)
    if not 0 < ceiling < 1:
        raise ValueError(f"ceiling must lie strictly between 0 and 1, got {ceiling}")
    drift_fraction = _validate.fraction("drift_fraction", drift_fraction)
    drift_correlation = _validate.fraction("drift_correlation", drift_correlation)
    n_stimuli = h.shape[0]
    z = h - h.mean(axis=0)  # centred, not whitened: strong directions of H dominate
    if signal_dimension is not None:
        k = _validate.positive_int("signal_dimension", signal_dimension)
        if k > min(z.shape):
            raise ValueError(
                f"signal_dimension must be at most {min(z.shape)} (the rank H can have), got {k}"
            )
        _, _, vt = np.linalg.svd(z, full_matrices=False)
        z = z @ vt[:k].T  # (n_stimuli, k) principal-component scores
    weights = rng.standard_normal((n_subjects, z.shape[1], n_voxels))
    signal = np.einsum("if,sfv->siv", z, weights)
    signal = (signal - signal.mean(axis=1, keepdims=True)) / signal.std(axis=1, keepdims=True)
    # ceiling² = a² / (a² + nuisance / n_reps) with nuisance variance 1 per repetition
    gain_median = np.sqrt(ceiling**2 / (1 - ceiling**2) / n_reps)
    gain = gain_median * rng.uniform(0.5, 1.5, size=(n_subjects, 1, n_voxels))
    shape = (n_subjects, n_reps, n_stimuli, n_voxels)
    drift = _smooth_drift(g, shape, drift_correlation, rng)
    noise = rng.standard_normal(shape)
    nuisance = np.sqrt(drift_fraction) * drift + np.sqrt(1 - drift_fraction) * noise
    repetitions = (gain * signal)[:, None] + nuisance
    average = repetitions.mean(axis=1)
    sc = signal - signal.mean(axis=1, keepdims=True)
    ac = average - average.mean(axis=1, keepdims=True)
    true_ceiling = (sc * ac).sum(1) / np.sqrt((sc**2).sum(1) * (ac**2).sum(1))
    return SimulatedSubjects(repetitions=repetitions, true_ceiling=true_ceiling)


# ------------------------------------------------------------------ published scores


@dataclass(frozen=True)
class ScoreRow:
    """One row of Schrimpf et al.'s table: a model's layer on a benchmark."""

    model: str
    layer: str
    benchmark: str
    score: float
    error: float


def load_schrimpf2021_scores() -> list[ScoreRow]:
    """The published scores of Schrimpf et al. (2021), one row per (model, layer, benchmark).

    Brain benchmarks (``Pereira2018-encoding`` …) are ceiling-normalised predictivities,
    with ``error`` the spread of the score across subjects as scipy's *scaled* median
    absolute deviation (``median_abs_deviation(scale="normal")``: the MAD × 1.4826, which
    estimates a standard deviation for normal data);
    ``wikitext-2`` is the next-word test loss, a cross-entropy in nats, i.e.
    ln(perplexity) (neural-nlp keeps ``measure == 'test_loss'``; lower is better);
    ``glue-*`` are task scores. Provenance: ``resources/README.md``.
    """
    path = resources.files("brainformers").joinpath("resources/schrimpf2021_precomputed_scores.csv")
    with path.open("r", encoding="utf-8-sig") as handle:  # the file starts with a BOM
        rows = list(csv.DictReader(handle))
    return [
        ScoreRow(
            model=row["model"],
            layer=row["layer"],
            benchmark=row["benchmark"],
            score=float(row["score"]) if row["score"] not in ("", "nan") else float("nan"),
            error=float(row["error"]) if row["error"] not in ("", "nan") else float("nan"),
        )
        for row in rows
    ]


def best_layer_scores(rows: list[ScoreRow], benchmark: str) -> dict[str, ScoreRow]:
    """Each model's best-scoring layer on ``benchmark`` (the paper's model score).

    For ``wikitext-2`` (a test loss, ln perplexity: lower is better) the lowest is taken.
    """
    lower_is_better = benchmark == "wikitext-2"
    best: dict[str, ScoreRow] = {}
    for row in rows:
        if row.benchmark != benchmark or np.isnan(row.score):
            continue
        current = best.get(row.model)
        if current is None or (
            row.score < current.score if lower_is_better else row.score > current.score
        ):
            best[row.model] = row
    if not best:
        benchmarks = sorted({row.benchmark for row in rows})
        raise ValueError(f"no scores for benchmark {benchmark!r}; available: {benchmarks}")
    return best


#: The two split schemes of Hadidi, Feghhi et al. (2025): sentences dealt to folds at
#: random, or whole passages held out.
HADIDI2025_SPLITS = ("shuffled", "contiguous")


@dataclass(frozen=True)
class SubjectScores:
    """Per-subject scores: ``r[model]`` is an (n_subjects,) array in ``subjects`` order."""

    subjects: list[str]
    r: dict[str, np.ndarray]


def load_hadidi2025_pearson_r(split: str) -> SubjectScores:
    """Per-subject Pearson r on Pereira2018 from Hadidi, Feghhi et al. (2025), one split.

    Ten subjects, language-network voxels, ridge regression. Models: ``GPT2-XL`` (last
    token), ``GPT2-XL-mp`` (mean-pooled), ``GPT2-XL-sp`` (sum-pooled) and ``OASM``, a feature
    that encodes only a sentence's position in its passage. ``split`` is ``"shuffled"``
    (sentences to folds at random, as in the published Brain-Score numbers) or
    ``"contiguous"`` (whole passages held out). Provenance: ``resources/README.md``.
    """
    if split not in HADIDI2025_SPLITS:
        raise ValueError(f"split must be one of {HADIDI2025_SPLITS}, got {split!r}")
    name = f"resources/hadidi2025_pereira_pearson_r_{split}.csv"
    with resources.files("brainformers").joinpath(name).open("r", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    subjects = sorted({row["subjects"] for row in rows})
    r: dict[str, np.ndarray] = {}
    for model in sorted({row["Model"] for row in rows}):
        by_subject = {row["subjects"]: float(row["perf"]) for row in rows if row["Model"] == model}
        if sorted(by_subject) != subjects:
            raise ValueError(f"{name}: model {model} lacks some subjects")
        r[model] = np.array([by_subject[s] for s in subjects])
    return SubjectScores(subjects=subjects, r=r)


# ------------------------------------------------------------------ downloads


def cache_dir() -> Path:
    """Where downloads are kept: $BRAINFORMERS_DATA, else ~/.cache/brainformers."""
    return Path(os.environ.get("BRAINFORMERS_DATA", Path.home() / ".cache" / "brainformers"))


def sha1_of(path: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324 — a checksum Brain-Score publishes, not security
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch_url(url: str, target: Path) -> None:
    """Copy ``url`` to ``target`` (the one function that touches the network)."""
    with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out)


def download(
    urls: tuple[str, ...], sha1: str, filename: str, directory: Path | None = None
) -> Path:
    """Download ``filename`` once into ``directory`` and check its SHA-1; return its path.

    A cached file with the right checksum is reused without touching the network. Each
    URL is tried in turn (mirrors of one file); a file whose checksum differs is deleted
    and reported, never used.
    """
    directory = Path(directory) if directory is not None else cache_dir()
    target = directory / filename
    if target.is_file():
        if sha1_of(target) == sha1:
            return target
        target.unlink()  # a partial or corrupted earlier download
    directory.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        os.close(handle)
        temporary = Path(temporary)
        try:
            _fetch_url(url, temporary)
        except (urllib.error.URLError, OSError) as error:
            temporary.unlink(missing_ok=True)
            failures.append(f"{url}: {error}")
            continue
        got = sha1_of(temporary)
        if got != sha1:
            temporary.unlink()
            failures.append(f"{url}: checksum {got} differs from the expected {sha1}")
            continue
        temporary.replace(target)
        return target
    raise ConnectionError(
        f"could not download {filename} (offline, or the storage moved?). Tried:\n  "
        + "\n  ".join(failures)
        + f"\nDownload it by hand and put it at {target} (SHA-1 {sha1})."
    )


# ------------------------------------------------------------------ Pereira et al. (2018)

#: The language-network assembly of Pereira et al. (2018) as packaged by Brain-Score.
#: Identifier and SHA-1 from brain-score/language, brainscore_language/data/pereira2018/
#: __init__.py (``load_from_s3(identifier="Pereira2018.language",
#: sha1="f8434b4022f5b2c862f0ff2854d5b3f5f2a7fb96")``); the file name rule
#: ``assy_<identifier with . → _>.nc`` and the two bucket addresses from
#: brainscore_language/utils/s3.py (older versions: bucket ``brainscore-language``; newer:
#: bucket ``brainscore-storage``, prefix ``brainscore-language/``). The checksum decides
#: which copy is right.
PEREIRA2018_FILE = "assy_Pereira2018_language.nc"
PEREIRA2018_SHA1 = "f8434b4022f5b2c862f0ff2854d5b3f5f2a7fb96"
PEREIRA2018_URLS = (
    "https://brainscore-storage.s3.amazonaws.com/brainscore-language/assy_Pereira2018_language.nc",
    "https://brainscore-language.s3.amazonaws.com/assy_Pereira2018_language.nc",
)


@dataclass(frozen=True)
class Pereira2018:
    """One experiment of Pereira et al. (2018), language-network voxels of every subject.

    responses : (n_sentences, n_voxels); sentences : n_sentences strings;
    passage : (n_sentences,) passage labels (group splits by these);
    subject : (n_voxels,) the subject each voxel belongs to;
    topic : (n_sentences,) the topic of each sentence's passage (Brain-Score's
    ``passage_category``; experiment 384 has 96 passages on 24 topics, several passages per
    topic), or None when the file has no such coordinate. Passages on one topic share
    words and meaning, so passage-grouped folds still let a topic sit on both sides of a
    split; ``groups=topic`` holds out whole topics (neural-nlp's split at the topic level).
    """

    responses: np.ndarray
    sentences: list[str]
    passage: np.ndarray
    subject: np.ndarray
    experiment: str
    topic: np.ndarray | None = None


def _decode(values: np.ndarray) -> np.ndarray:
    """Character arrays (netCDF3 strings: (…, string_len) of S1) → array of str."""
    if values.dtype.kind == "S" and values.dtype.itemsize == 1 and values.ndim >= 2:
        joined = values.view(f"S{values.shape[-1]}")[..., 0]
        return np.array([v.decode("utf-8").rstrip("\x00") for v in joined.tolist()])
    if values.dtype.kind in "SO":
        return np.array([v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values])
    return values


def read_assembly(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Read a Brain-Score/brainio NetCDF assembly: (data, presentation coords, neuroid coords).

    brainio writes an ``xarray.DataArray`` with dimensions (presentation, neuroid) and one
    1-D variable per coordinate. A classic NetCDF-3 file is read with SciPy; a NetCDF-4
    (HDF5) file — what Brain-Score stores — needs ``xarray`` with ``netCDF4`` or
    ``h5netcdf``, imported only here.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(4)
    variables: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    if magic[:3] == b"CDF":
        from scipy.io import netcdf_file

        with netcdf_file(path, "r", mmap=False) as nc:
            for name, var in nc.variables.items():
                dims = tuple(d for d in var.dimensions if not d.startswith("string"))
                variables[name] = (dims, _decode(np.array(var.data)))
    elif magic == b"\x89HDF":
        try:
            import xarray
        except ImportError as error:
            raise ImportError(
                f"{path.name} is a NetCDF-4 (HDF5) file; reading it needs xarray and netCDF4: "
                "pip install xarray netCDF4"
            ) from error
        with xarray.open_dataset(path) as ds:
            for name, var in {**ds.coords, **ds.data_vars}.items():
                variables[str(name)] = (tuple(var.dims), _decode(np.asarray(var.values)))
    else:
        raise ValueError(f"{path} is not a NetCDF file (starts with {magic!r})")
    data = [v for dims, v in variables.values() if dims == ("presentation", "neuroid")]
    if len(data) != 1:
        raise ValueError(f"{path.name}: expected one (presentation, neuroid) variable")
    presentation = {n: v for n, (dims, v) in variables.items() if dims == ("presentation",)}
    neuroid = {n: v for n, (dims, v) in variables.items() if dims == ("neuroid",)}
    return data[0].astype(np.float64), presentation, neuroid


def pereira2018_from_file(path: Path, experiment: str = "384sentences") -> Pereira2018:
    """One experiment of a Pereira2018 assembly file, keeping voxels measured for all sentences.

    Not every subject took part in both experiments (their voxels are NaN for the other
    one), so the voxels with any missing value in ``experiment`` are dropped. The passage
    topics come from the ``passage_category`` coordinate when the file has one.
    """
    data, presentation, neuroid = read_assembly(path)
    for name in ("experiment", "sentence", "passage_index"):
        if name not in presentation:
            raise ValueError(f"{Path(path).name}: no presentation coordinate {name!r}")
    if "subject" not in neuroid:
        raise ValueError(f"{Path(path).name}: no neuroid coordinate 'subject'")
    rows = np.flatnonzero(presentation["experiment"] == experiment)
    if rows.size == 0:
        found = sorted(set(presentation["experiment"].tolist()))
        raise ValueError(f"no experiment {experiment!r} in {Path(path).name}; found {found}")
    if "stimulus_num" in presentation:  # presentation order within the experiment
        rows = rows[np.argsort(presentation["stimulus_num"][rows], kind="stable")]
    responses = data[rows]
    complete = ~np.isnan(responses).any(axis=0)
    category = presentation.get("passage_category")
    return Pereira2018(
        responses=responses[:, complete],
        sentences=[str(s) for s in presentation["sentence"][rows]],
        passage=np.asarray(presentation["passage_index"][rows]),
        subject=np.asarray(neuroid["subject"][complete]),
        experiment=experiment,
        topic=None if category is None else np.asarray(category[rows]),
    )


def load_pereira2018(
    experiment: str = "384sentences", directory: Path | None = None
) -> Pereira2018:
    """Pereira et al. (2018) language-network fMRI responses, from Brain-Score's storage.

    Downloads ``assy_Pereira2018_language.nc`` (checked against its published SHA-1) into
    ``directory`` (default :func:`cache_dir`) on first use, then reads one experiment
    (``"384sentences"`` or ``"243sentences"``). Needs the network once, and xarray with
    netCDF4 to read the file.
    """
    path = download(PEREIRA2018_URLS, PEREIRA2018_SHA1, PEREIRA2018_FILE, directory)
    return pereira2018_from_file(path, experiment)
