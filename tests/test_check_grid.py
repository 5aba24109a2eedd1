"""Chapter-04 checkers: accept the reference and correct versions, name each plausible mistake.

Every checker is run on (1) its reference, which must pass; (2) an independent plain
implementation, which must pass and be handed back unchanged; (3) a ``NotImplementedError``
stub, which falls back with "○"; (4) one wrong implementation per known mistake, which must
be rejected with that mistake's hint and the reference handed back.
"""

from __future__ import annotations

import numpy as np
import pytest
from brainformers import check, grid
from brainformers.grid import pattern_formation as pf
from checking import assert_rejected, run
from scipy import ndimage

# ----------------------------------------------------------------- plain implementations


def plain_rate_map(positions, spikes, arena_size, *, dt, bin_size=2.5, smoothing=2.5, mistake=None):
    """With np.histogram2d, independent of the library's bincount."""
    n = round(arena_size / bin_size)
    edges = np.linspace(0, arena_size, n + 1)
    first, second = (
        (positions[:, 0], positions[:, 1])
        if mistake == "transposed"
        else (positions[:, 1], positions[:, 0])
    )
    if mistake == "data-range":  # bins=n without edges: np.histogram2d spans the data
        occupancy = np.histogram2d(first, second, bins=n)[0] * dt
        counts = np.histogram2d(first, second, bins=n, weights=spikes)[0]
        sigma = smoothing / bin_size
        visited = occupancy > 0
        rate = np.full(occupancy.shape, np.nan)
        smooth_c = ndimage.gaussian_filter(counts, sigma, mode="constant")
        smooth_t = ndimage.gaussian_filter(occupancy, sigma, mode="constant")
        rate[visited] = smooth_c[visited] / smooth_t[visited]
        return rate
    occupancy = np.histogram2d(first, second, bins=[edges, edges])[0]
    if mistake != "no-dt":
        occupancy = occupancy * dt
    counts = np.histogram2d(first, second, bins=[edges, edges], weights=spikes)[0]
    sigma = smoothing / bin_size
    mode = "reflect" if mistake == "reflect" else "constant"

    def smooth(m):
        return ndimage.gaussian_filter(m, sigma, mode=mode)

    visited = occupancy > 0
    rate = np.full(occupancy.shape, np.nan)
    if mistake == "no-occupancy":
        rate[visited] = smooth(counts)[visited]
    elif mistake == "ratio-then-smooth":
        ratio = np.divide(counts, occupancy, out=np.zeros_like(counts), where=visited)
        rate[visited] = smooth(ratio)[visited]
    else:
        rate[visited] = smooth(counts)[visited] / smooth(occupancy)[visited]
    if mistake == "zeros":
        rate = np.nan_to_num(rate)
    if mistake == "list":
        return rate.tolist()
    if mistake == "shape":
        return rate[:-1]
    return rate


def plain_gridness(ac, inner, outer, *, angles=(30, 60, 90, 120, 150), mistake=None):
    """Rotating by -θ (the other direction) and correlating with np.corrcoef."""
    c = ac.shape[0] / 2 if mistake == "centre" else ac.shape[0] // 2
    if mistake == "nan-to-zero":
        ac = np.nan_to_num(ac)
    yy, xx = np.indices(ac.shape)
    d = np.hypot(yy - c, xx - c)
    ring = (d >= inner) & (d <= outer)
    if mistake == "no-ring":
        ring = np.ones_like(ring)
    if mistake == "no-inner":
        ring = d <= outer
    r = {}
    for a in angles:
        rot = ndimage.rotate(ac, -a, reshape=False, order=1, cval=np.nan)
        ok = ring & np.isfinite(ac) & np.isfinite(rot)
        if mistake == "dot":
            r[a] = np.mean(ac[ok] * rot[ok])
        elif mistake == "covariance":
            r[a] = np.cov(ac[ok], rot[ok], bias=True)[0, 1]
        else:
            r[a] = np.corrcoef(ac[ok], rot[ok])[0, 1]
    vals = list(r.values())
    on, off = [vals[1], vals[3]], [vals[0], vals[2], vals[4]]
    if mistake == "swapped":
        return np.mean(off) - np.mean(on)
    if mistake == "min-max":
        return min(on) - max(off)
    if mistake == "none":
        return None
    return float(np.mean(on) - np.mean(off))


def plain_oja(maps, cov, lr, *, mistake=None):
    out = []
    for g in maps:  # one unit at a time
        sg = cov @ g
        if mistake == "no-decay":
            g = g + lr * sg
        elif mistake == "sign":
            g = g - lr * (sg - (g @ sg) * g)
        else:
            g = g + lr * (sg - (g @ sg) * g)
        if mistake == "normalise-first":
            g = np.clip(g / np.linalg.norm(g), 0, None)
        else:
            if mistake != "no-clip":
                g = np.clip(g, 0, None)
            if mistake != "no-norm":
                g = g / np.linalg.norm(g)
        out.append(g)
    out = np.array(out)
    return out.T if mistake == "transposed" else out


def gridness_reference(ac, inner, outer):
    return grid.gridness(ac, inner_radius=inner, outer_radius=outer)


CHECKERS = {
    "rate_map": (check.rate_map, grid.rate_map, plain_rate_map),
    "gridness_score": (check.gridness_score, gridness_reference, plain_gridness),
    "oja_step": (check.oja_step, pf.oja_step, plain_oja),
}


@pytest.mark.parametrize("name", list(CHECKERS))
def test_reference_passes(name, capsys):
    checker, reference, _ = CHECKERS[name]
    result, out = run(checker, reference, capsys)
    assert out.startswith("✓"), out


@pytest.mark.parametrize("name", list(CHECKERS))
def test_correct_student_version_is_returned(name, capsys):
    checker, _, plain = CHECKERS[name]
    result, out = run(checker, plain, capsys)
    assert result is plain, out
    assert out.startswith(f"✓ {name}: all"), out


@pytest.mark.parametrize("name", list(CHECKERS))
def test_not_implemented_falls_back(name, capsys):
    checker, _, _ = CHECKERS[name]

    def stub(*args, **kwargs):
        raise NotImplementedError

    result, out = run(checker, stub, capsys)
    assert out.startswith(f"○ {name}: not implemented yet"), out
    assert result is not stub
    assert "Using the reference implementation" in out


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ("no-occupancy", "divide by the smoothed occupancy"),
        ("ratio-then-smooth", "smooth the spike map and the occupancy map separately"),
        ("transposed", "x and y are swapped"),
        ("no-dt", "multiply it by dt"),
        ("reflect", "mode='constant'"),
        ("data-range", "the bins span the range of the data"),
        ("zeros", "must be NaN"),
        ("list", "should be a NumPy array"),
        ("shape", "expected a rate map of shape (40, 40)"),
    ],
)
def test_rate_map_mistakes(mistake, hint, capsys):
    def wrong(*args, **kwargs):
        return plain_rate_map(*args, **kwargs, mistake=mistake)

    assert_rejected(check.rate_map, wrong, grid.rate_map, capsys, hint)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ("swapped", "the two groups are swapped"),
        ("min-max", "min − max convention"),
        ("no-ring", "no ring mask"),
        ("no-inner", "the central peak is included"),
        ("dot", "unnormalised correlation"),
        ("covariance", "unnormalised correlation"),
        ("none", "returned None"),
        ("centre", "centred half a bin off"),
        ("nan-to-zero", "NaN bins were set to 0"),
    ],
)
def test_gridness_mistakes(mistake, hint, capsys):
    def wrong(ac, inner, outer):
        return plain_gridness(ac, inner, outer, mistake=mistake)

    result, out = run(check.gridness_score, wrong, capsys)
    assert out.startswith("✗"), out
    assert hint in out, out
    assert result is not wrong


def test_gridness_wrong_rotation_set(capsys):
    def wrong(ac, inner, outer):
        return plain_gridness(ac, inner, outer, angles=(45, 60, 90, 120, 135))

    result, out = run(check.gridness_score, wrong, capsys)
    assert out.startswith("✗") and "wrong rotation angles" in out, out


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ("no-clip", "non-negativity constraint is missing"),
        ("no-norm", "renormalised to unit length"),
        ("normalise-first", "clip first, then normalise"),
        ("no-decay", "decay term is missing"),
        ("sign", "goes downhill"),
        ("transposed", "transposed"),
    ],
)
def test_oja_mistakes(mistake, hint, capsys):
    def wrong(maps, cov, lr):
        return plain_oja(maps, cov, lr, mistake=mistake)

    assert_rejected(check.oja_step, wrong, pf.oja_step, capsys, hint)


# ------------------------------------------------- the Gaussian kernel and the rotation


def kernel_rate_map(positions, spikes, arena_size, *, dt, bin_size=2.5, smoothing=2.5, kind):
    """A rate map whose smoothing is written by hand, right or wrong in one way."""
    n = round(arena_size / bin_size)
    edges = np.linspace(0, arena_size, n + 1)
    y, x = positions[:, 1], positions[:, 0]
    occupancy = np.histogram2d(y, x, bins=[edges, edges])[0] * dt
    counts = np.histogram2d(y, x, bins=[edges, edges], weights=spikes)[0]
    sigma = smoothing / bin_size

    def separable(m, s, cut, normalise=True):
        radius = int(np.ceil(cut * s))
        k = np.exp(-(np.arange(-radius, radius + 1) ** 2) / (2 * s * s))
        if normalise:
            k = k / k.sum()
        m = ndimage.convolve1d(m, k, axis=0, mode="constant")
        return ndimage.convolve1d(m, k, axis=1, mode="constant")

    def smooth(m):
        if smoothing == 0:
            return m
        if kind == "kernel-3-sigma":  # right: a hand-built kernel cut at 3σ
            return separable(m, sigma, 3.0)
        if kind == "unnormalised":  # right: the factor cancels in the ratio
            return separable(m, sigma, 4.0, normalise=False)
        if kind == "float32":  # right: single precision throughout
            return ndimage.gaussian_filter(m.astype(np.float32), sigma, mode="constant")
        if kind == "sigma-in-cm":
            return ndimage.gaussian_filter(m, smoothing, mode="constant")
        if kind == "variance":
            return ndimage.gaussian_filter(m, sigma**2, mode="constant")
        if kind == "fwhm":
            return ndimage.gaussian_filter(m, sigma / (2 * np.sqrt(2 * np.log(2))), mode="constant")
        if kind == "truncated-1":
            return separable(m, sigma, 1.0)
        if kind == "nearest":
            return ndimage.gaussian_filter(m, sigma, mode="nearest")
        raise ValueError(kind)

    visited = occupancy > 0
    rate = np.full(occupancy.shape, np.nan)
    rate[visited] = smooth(counts)[visited] / smooth(occupancy)[visited]
    return rate


@pytest.mark.parametrize("kind", ["kernel-3-sigma", "unnormalised", "float32"])
def test_rate_map_right_but_unusual_kernels_pass(kind, capsys):
    def student(*args, **kwargs):
        return kernel_rate_map(*args, **kwargs, kind=kind)

    result, out = run(check.rate_map, student, capsys)
    assert result is student, out
    assert out.startswith("✓ rate_map"), out


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("sigma-in-cm", "smoothing / bin_size"),
        ("variance", "not σ²"),
        ("fwhm", "not its full width at half maximum"),
        ("truncated-1", "at least 3σ"),
        ("nearest", "mode 'nearest'"),
    ],
)
def test_rate_map_kernel_mistakes(kind, hint, capsys):
    def wrong(*args, **kwargs):
        return kernel_rate_map(*args, **kwargs, kind=kind)

    assert_rejected(check.rate_map, wrong, grid.rate_map, capsys, hint)


def rotating_gridness(ac, inner, outer, *, order=1, cval=np.nan, mode="constant"):
    c = ac.shape[0] // 2
    rows, cols = np.indices(ac.shape)
    d = np.hypot(rows - c, cols - c)
    ring = (d >= inner) & (d <= outer)
    r = {}
    for a in (30, 60, 90, 120, 150):
        rot = ndimage.rotate(ac, a, reshape=False, order=order, mode=mode, cval=cval)
        ok = ring & np.isfinite(ac) & np.isfinite(rot)
        r[a] = np.corrcoef(ac[ok], rot[ok])[0, 1]
    return (r[60] + r[120]) / 2 - (r[30] + r[90] + r[150]) / 3


@pytest.mark.parametrize(
    ("order", "hint"),
    [(3, "cubic rotation"), (0, "nearest-neighbour rotation")],
)
def test_gridness_interpolation_mistakes_are_named(order, hint, capsys):
    def wrong(ac, inner, outer):
        return rotating_gridness(ac, inner, outer, order=order)

    result, out = run(check.gridness_score, wrong, capsys)
    assert out.startswith("✗"), out
    assert hint in out and "leave out bins" not in out, out
    assert result is not wrong


@pytest.mark.parametrize("variant", [{"cval": 0.0}, {"mode": "nearest"}])
def test_gridness_corner_fill_is_irrelevant_inside_the_ring(variant, capsys):
    # The ring lies inside the inscribed disc, which a rotation maps onto itself: what fills
    # the rotated-in corners never reaches it, so these are right.
    def student(ac, inner, outer):
        return rotating_gridness(ac, inner, outer, **variant)

    result, out = run(check.gridness_score, student, capsys)
    assert result is student, out


def test_oja_in_place_update_is_rejected(capsys):
    def wrong(maps, cov, lr):
        sg = maps @ cov
        maps += lr * (sg - (sg * maps).sum(axis=1, keepdims=True) * maps)
        np.maximum(maps, 0.0, out=maps)
        maps /= np.linalg.norm(maps, axis=1, keepdims=True)
        return maps

    assert_rejected(check.oja_step, wrong, pf.oja_step, capsys, "changed the maps passed in")


def test_oja_one_norm_for_all_units_is_rejected(capsys):
    def wrong(maps, cov, lr):
        sg = maps @ cov
        g = np.maximum(maps + lr * (sg - (sg * maps).sum(axis=1, keepdims=True) * maps), 0.0)
        return g / np.linalg.norm(g)

    assert_rejected(check.oja_step, wrong, pf.oja_step, capsys, "one norm for all units")


def einsum_oja(maps, cov, lr):
    """Right: the variance with einsum, the steps as one expression."""
    sg = np.einsum("up,pq->uq", maps, cov)
    g = np.clip(maps + lr * (sg - np.einsum("up,up->u", sg, maps)[:, None] * maps), 0, None)
    return g / np.sqrt((g * g).sum(axis=1, keepdims=True))


def in_place_on_a_copy_oja(maps, cov, lr):
    """Right: in-place updates, but on a copy, so the caller's maps are untouched."""
    g = maps.copy()
    sg = g @ cov
    g += lr * (sg - (sg * g).sum(axis=1, keepdims=True) * g)
    np.maximum(g, 0.0, out=g)
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return g


@pytest.mark.parametrize("student", [einsum_oja, in_place_on_a_copy_oja])
def test_oja_right_but_unusual_pass(student, capsys):
    result, out = run(check.oja_step, student, capsys)
    assert result is student, out


def test_oja_step_stub_is_not_a_transcription():
    import json
    from pathlib import Path

    nb = json.loads(Path("notebooks/04_grid_cells.ipynb").read_text())
    stub = next(
        "".join(c["source"]) for c in nb["cells"] if "".join(c["source"]).startswith("def oja_step")
    )
    # The recipe (one product, keepdims, clip, norm) belongs in Hint 2, not in the stub.
    for recipe in ("keepdims", "np.maximum", "np.linalg.norm", "@", "clip below"):
        assert recipe not in stub, recipe
