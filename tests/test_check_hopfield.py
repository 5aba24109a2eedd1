"""Chapter-02 checkers: accept the reference and correct versions, name each plausible mistake.

Every checker is run on (1) its reference from :mod:`brainformers.hopfield`, which must
pass; (2) an independent plain implementation, which must pass and be handed back
unchanged; (3) a ``NotImplementedError`` stub, which falls back with "○"; (4) one wrong
implementation per known mistake, which must be rejected with that mistake's hint and
the reference handed back.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from brainformers import check
from brainformers import hopfield as ref
from brainformers.attention import scaled_dot_product_attention
from checking import assert_rejected, run

# ----------------------------------------------------------------- plain implementations


def hebbian(patterns, *, keep_diagonal=False, divide="n", transpose=False, as_torch=False):
    n_patterns, n = patterns.shape
    w = patterns @ patterns.T if transpose else patterns.T @ patterns
    w = w / {"n": n, "none": 1, "patterns": n_patterns}[divide]
    if not keep_diagonal:
        w = w - np.diag(np.diag(w))
    return torch.from_numpy(w) if as_torch else w


def energy_of(weights, state, *, factor=-0.5):
    return factor * float(state @ weights @ state)


def overlap_of(states, patterns, *, divide=True, absolute=False, matrix=False):
    n = states.shape[-1]
    m = states @ patterns.T if matrix else (states * patterns).sum(axis=-1)
    m = m / n if divide else m
    m = np.abs(m) if absolute else m
    return float(m) if np.ndim(m) == 0 else m


def dense(patterns, states, order, *, use_order=None, rule="difference", flip=False, tie=1.0):
    """Krotov & Hopfield (2016), written with loops over neurons."""
    order = use_order or order
    rows = np.atleast_2d(states).astype(float)
    out = np.empty_like(rows)
    for b, s in enumerate(rows):
        for i in range(s.size):
            if rule == "difference":
                plus, minus = s.copy(), s.copy()
                plus[i], minus[i] = 1.0, -1.0
                field = np.sum((patterns @ plus) ** order - (patterns @ minus) ** order)
            elif rule == "value":
                field = np.sum((patterns @ s) ** order * patterns[:, i])
            else:  # derivative
                field = np.sum(order * (patterns @ s) ** (order - 1) * patterns[:, i])
            field = -field if flip else field
            out[b, i] = 1.0 if field > 0 else (-1.0 if field < 0 else tie)
    return out.reshape(np.shape(states))


def modern(patterns, states, beta, *, scale=None, dim=-1, weights=False, as_numpy=False):
    scores = (beta if scale is None else scale(patterns.shape[-1])) * states @ patterns.T
    p = torch.softmax(scores, dim=dim)
    out = p if weights else p @ patterns
    return out.numpy() if as_numpy else out


def entropy(patterns, states, beta, *, log=torch.log, reduce="mean", normalise=True, sign=-1):
    scores = beta * states @ patterns.T
    if normalise:
        logp = torch.log_softmax(scores, dim=-1)
        p = logp.exp()
        logp = logp if log is torch.log else log(p)
    else:
        p = scores.exp()
        logp = log(p)
    per_state = sign * (p * logp).sum(-1)
    return getattr(per_state, reduce)().item()


def via_attention(patterns, states, beta, *, mode="right"):
    if mode == "default-scale":
        return scaled_dot_product_attention(states, patterns, patterns)[0]
    if mode == "tuple":
        return scaled_dot_product_attention(states, patterns, patterns, scale=beta)
    if mode == "patterns-as-query":
        return scaled_dot_product_attention(patterns, states, states, scale=beta)[0]
    if mode == "weights":
        return scaled_dot_product_attention(states, patterns, patterns, scale=beta)[1]
    if mode == "positional-beta":
        return scaled_dot_product_attention(states, patterns, patterns, beta)[0]
    return scaled_dot_product_attention(states, patterns, patterns, scale=beta)[0]


def two_layer(x, v, h, beta, dt, tau_f, tau_h, *, mistake=None):
    def f(hh):
        return torch.softmax((1.0 if mistake == "no-beta" else beta) * hh, dim=-1)

    a, b = (dt / tau_h, dt / tau_f) if mistake == "swapped-taus" else (dt / tau_f, dt / tau_h)
    leak = 0.0 if mistake == "no-leak" else 1.0
    if mistake == "h-not-softmax":
        v_new = v + a * (h @ x - leak * v)
    elif mistake == "h-first":
        h_new = h + b * (v @ x.T - h)
        return v + a * (f(h_new) @ x - v), h_new
    else:
        v_new = v + a * (f(h) @ x - leak * v)
    h_new = h + b * ((v_new if mistake == "v-first" else v) @ x.T - leak * h)
    if mistake == "returned-swapped":
        return h_new, v_new
    if mistake == "list":
        return torch.cat([v_new.reshape(-1), h_new.reshape(-1)])
    return v_new, h_new


def half(images, height, *, part="lower", value=0.0, in_place=False, use_height=False):
    out = images if in_place else images.copy()
    n_images, size = images.shape
    width = size // height
    grid = out.reshape(n_images, height, width)  # a view of out
    if part == "lower":
        if use_height:
            out[:, (height // 2) * height :] = value
        else:
            grid[:, height // 2 :] = value
    elif part == "upper":
        grid[:, : height // 2] = value
    else:
        grid[:, :, width // 2 :] = value
    return out


# ----------------------------------------------------------------- one table for all checkers

CHECKERS = {
    "hebbian_weights": (check.hebbian_weights, ref.hebbian_weights, hebbian),
    "energy": (check.energy, ref.energy, energy_of),
    "overlap": (check.overlap, ref.overlap, overlap_of),
    "dense_update": (check.dense_update, ref.dense_update, dense),
    "modern_update": (check.modern_update, ref.modern_update, modern),
    "attention_entropy": (check.attention_entropy, ref.attention_entropy, entropy),
    "hopfield_via_attention": (check.hopfield_via_attention, ref.modern_update, via_attention),
    "two_layer_step": (check.two_layer_step, ref.two_layer_step, two_layer),
    "half_mask": (check.half_mask, ref.half_mask, half),
}
N_CASES = {
    "hebbian_weights": 3,
    "energy": 3,
    "overlap": 3,
    "dense_update": 4,
    "modern_update": 3,
    "attention_entropy": 3,
    "hopfield_via_attention": 3,
    "two_layer_step": 3,
    "half_mask": 2,
}


@pytest.mark.parametrize("name", CHECKERS)
def test_reference_passes(name, capsys):
    checker, reference, _ = CHECKERS[name]
    result, out = run(checker, reference, capsys)
    assert result is reference
    assert out == f"✓ {name}: all {N_CASES[name]} checks passed.\n"


@pytest.mark.parametrize("name", CHECKERS)
def test_correct_student_version_is_returned(name, capsys):
    checker, _, plain = CHECKERS[name]

    def mine(*args):
        return plain(*args)

    result, out = run(checker, mine, capsys)
    assert result is mine, out
    assert out.startswith(f"✓ {name}: all"), out


@pytest.mark.parametrize("name", CHECKERS)
def test_not_implemented_falls_back(name, capsys):
    checker, reference, _ = CHECKERS[name]

    def todo(*args):
        raise NotImplementedError("write it")

    result, out = run(checker, todo, capsys)
    assert result is reference
    assert out.startswith(f"○ {name}: not implemented yet"), out


@pytest.mark.parametrize("name", CHECKERS)
def test_a_crash_is_reported(name, capsys):
    checker, reference, _ = CHECKERS[name]

    def crash(*args):
        return args[0][999]

    assert_rejected(checker, crash, reference, capsys, "your function raised")


def _wrong(name, **knobs):
    plain = CHECKERS[name][2]
    return lambda *args: plain(*args, **knobs)


MISTAKES = [
    # hebbian_weights
    ("hebbian_weights", dict(keep_diagonal=True), "diagonal is not zero"),
    ("hebbian_weights", dict(divide="none"), "not divided by n"),
    ("hebbian_weights", dict(divide="patterns"), "divided by the number of patterns"),
    (
        "hebbian_weights",
        dict(transpose=True),
        "you summed over neurons, not patterns: use patterns.T @ patterns",
    ),
    ("hebbian_weights", dict(keep_diagonal=True, divide="none"), "diagonal of W must be zero"),
    ("hebbian_weights", dict(as_torch=True), "W should be a NumPy array, got Tensor"),
    # energy
    ("energy", dict(factor=-1.0), "½ is missing"),
    ("energy", dict(factor=0.5), "sign is flipped"),
    ("energy", dict(factor=1.0), "both the minus sign and the ½ are missing"),
    # overlap
    ("overlap", dict(divide=False), "not divided by n"),
    ("overlap", dict(absolute=True), "absolute value"),
    (
        "overlap",
        dict(matrix=True),
        "the overlap pairs row i of states with row i of patterns",
    ),
    # dense_update
    ("dense_update", dict(use_order=2), "order 2 whatever the order argument"),
    ("dense_update", dict(rule="value"), "ignores the difference of F"),
    ("dense_update", dict(rule="derivative"), "derivative"),
    ("dense_update", dict(flip=True), "sign is flipped"),
    ("dense_update", dict(flip=True, tie=-1.0), "sign is flipped"),
    ("dense_update", dict(tie=0.0), "sign(0) is +1"),
    ("dense_update", dict(tie=-1.0), "ties are wrong"),
    # modern_update
    ("modern_update", dict(scale=lambda d: 1.0), "beta is ignored"),
    ("modern_update", dict(dim=0), "softmax over the wrong axis"),
    ("modern_update", dict(weights=True), "weights @ patterns"),
    ("modern_update", dict(scale=lambda d: d**-0.5), "1/√d"),
    ("modern_update", dict(as_numpy=True), "should be a torch.Tensor, got ndarray"),
    # attention_entropy
    ("attention_entropy", dict(log=torch.log2), "bits"),
    ("attention_entropy", dict(reduce="sum"), "summed over states"),
    ("attention_entropy", dict(normalise=False), "un-normalised"),
    ("attention_entropy", dict(sign=1), "minus sign is missing"),
    # hopfield_via_attention
    ("hopfield_via_attention", dict(mode="default-scale"), "default scale 1/√d"),
    ("hopfield_via_attention", dict(mode="tuple"), "return only the output, [0]"),
    ("hopfield_via_attention", dict(mode="patterns-as-query"), "patterns went in as the query"),
    ("hopfield_via_attention", dict(mode="weights"), "return the output, [0]"),
    ("hopfield_via_attention", dict(mode="positional-beta"), "pass it by name"),
    # two_layer_step
    ("two_layer_step", dict(mistake="no-leak"), "leak terms are missing"),
    ("two_layer_step", dict(mistake="h-not-softmax"), "not by h itself"),
    ("two_layer_step", dict(mistake="no-beta"), "β is missing"),
    ("two_layer_step", dict(mistake="swapped-taus"), "time constants are swapped"),
    ("two_layer_step", dict(mistake="v-first"), "from the old (v, h)"),
    ("two_layer_step", dict(mistake="h-first"), "from the old (v, h)"),
    ("two_layer_step", dict(mistake="returned-swapped"), "Return (v_new, h_new)"),
    ("two_layer_step", dict(mistake="list"), "expected a tuple (v_new, h_new)"),
    # half_mask
    ("half_mask", dict(part="upper"), "masked the top half"),
    ("half_mask", dict(part="right"), "masked the right half"),
    ("half_mask", dict(value=-1.0), "set to -1"),
    ("half_mask", dict(in_place=True), "work on a copy"),
    ("half_mask", dict(use_height=True), "used the height where the width belongs"),
]


@pytest.mark.parametrize(
    ("name", "knobs", "hint"),
    MISTAKES,
    ids=[f"{name}-{'-'.join(f'{k}={v}' for k, v in knobs.items())}" for name, knobs, _ in MISTAKES],
)
def test_mistake_is_named(name, knobs, hint, capsys):
    checker, reference, _ = CHECKERS[name]
    assert_rejected(checker, _wrong(name, **knobs), reference, capsys, hint)


# ----------------------------------------------------------------- messages beyond the table


def test_entropy_nan_from_zero_weights(capsys):
    def naive(patterns, states, beta):  # p · ln p is NaN where p underflows to 0
        p = torch.softmax(beta * states @ patterns.T, dim=-1)
        return -(p * p.log()).sum(-1).mean().item()

    assert_rejected(
        check.attention_entropy, naive, ref.attention_entropy, capsys, "case 3", "0 · ln 0"
    )


def test_entropy_nan_from_raw_scores(capsys):
    def raw(patterns, states, beta):
        z = beta * states @ patterns.T
        return -(z * z.log()).sum(-1).mean().item()

    assert_rejected(
        check.attention_entropy, raw, ref.attention_entropy, capsys, "case 1", "raw scores"
    )


def test_entropy_must_be_a_number(capsys):
    def per_state(patterns, states, beta):
        p = torch.softmax(beta * states @ patterns.T, dim=-1)
        return torch.special.entr(p).sum(-1)

    assert_rejected(
        check.attention_entropy, per_state, ref.attention_entropy, capsys, "single number"
    )


def test_half_mask_in_place_without_return(capsys):
    def in_place(images, height):
        images[:, images.shape[1] // 2 :] = 0.0

    assert_rejected(check.half_mask, in_place, ref.half_mask, capsys, "work on a copy")


def test_overlap_one_number_per_row(capsys):
    def averaged_over_batch(states, patterns):
        return (
            (states * patterns).mean(axis=0) if states.ndim == 2 else overlap_of(states, patterns)
        )

    assert_rejected(check.overlap, averaged_over_batch, ref.overlap, capsys, "axis=-1")


def test_energy_of_a_batch_is_not_one_number(capsys):
    def per_neuron(weights, state):
        return -0.5 * state * (weights @ state)

    assert_rejected(check.energy, per_neuron, ref.energy, capsys, "single number")


def test_textbook_energy_without_the_diagonal_passes(capsys):
    def off_diagonal(weights, state):
        total = 0.0
        for i in range(len(state)):
            for j in range(len(state)):
                if i != j:
                    total += weights[i, j] * state[i] * state[j]
        return -0.5 * total

    result, out = run(check.energy, off_diagonal, capsys)
    assert result is off_diagonal, out
    assert out.startswith("✓ energy"), out


def test_float32_student_passes(capsys):
    def float32_modern(patterns, states, beta):
        return modern(patterns.float(), states.float(), beta)

    result, out = run(check.modern_update, float32_modern, capsys)
    assert result is float32_modern, out


def _dense_rows(patterns, states, order):
    batch, n = states.shape  # fails on a single state of shape (n,)
    return np.stack([dense(patterns, states[b], order) for b in range(batch)])


@pytest.mark.parametrize(
    ("name", "batch_only"),
    [
        ("overlap", lambda states, patterns: (states * patterns).sum(axis=1) / states.shape[1]),
        ("dense_update", lambda patterns, states, order: _dense_rows(patterns, states, order)),
        (
            "two_layer_step",
            lambda x, v, h, beta, dt, tau_f, tau_h: (
                v + dt / tau_f * (torch.softmax(beta * h, dim=1) @ x - v),
                h + dt / tau_h * (v @ x.T - h),
            ),
        ),
    ],
)
def test_batch_only_version_is_told_about_single_states(name, batch_only, capsys):
    checker, reference, _ = CHECKERS[name]
    assert_rejected(checker, batch_only, reference, capsys, "one unbatched state")


def test_via_attention_must_call_chapter_01_attention(capsys):
    """Right values from a softmax of its own are rejected: the exercise is the reuse."""

    def own_softmax(patterns, states, beta):
        return torch.softmax(beta * states @ patterns.T, dim=-1) @ patterns

    assert_rejected(
        check.hopfield_via_attention,
        own_softmax,
        ref.modern_update,
        capsys,
        "hopfield_via_attention must call chapter 01's scaled_dot_product_attention; "
        "it computed its own softmax",
    )


def test_via_attention_found_under_any_name_or_through_the_module(capsys):
    """A notebook's function looks the attention up in its globals (``__main__``), under
    whatever name it was imported as, or as an attribute of the module."""
    namespace: dict = {}
    exec(  # noqa: S102 — stands in for a notebook's __main__
        "import brainformers.attention as A\n"
        "from brainformers.attention import scaled_dot_product_attention as sdpa\n"
        "def by_alias(patterns, states, beta):\n"
        "    return sdpa(states, patterns, patterns, scale=beta)[0]\n"
        "def by_module(patterns, states, beta):\n"
        "    return A.scaled_dot_product_attention(states, patterns, patterns, scale=beta)[0]\n",
        namespace,
    )
    for name in ("by_alias", "by_module"):
        fn = namespace[name]
        result, out = run(check.hopfield_via_attention, fn, capsys)
        assert result is fn, out
    assert namespace["sdpa"] is scaled_dot_product_attention  # restored after the check


# ----------------------------------------------------------------- more mistakes, one table
# Further wrong implementations (the ch01-02 revision): each must be rejected, by name where
# the mistake is a plausible one.


def hebbian_first_pattern_only(patterns):  # return inside the loop
    n = patterns.shape[1]
    w = np.zeros((n, n))
    for p in patterns:
        w += np.outer(p, p)
        np.fill_diagonal(w, 0.0)
        return w / n


def hebbian_covariance(patterns):  # mean-subtracted (the covariance rule), not the exercise's
    c = patterns - patterns.mean(axis=0)
    w = c.T @ c / patterns.shape[1]
    np.fill_diagonal(w, 0.0)
    return w


def hebbian_clipped(patterns):  # clipped synapses: only the sign of the sum kept
    w = np.sign(patterns.T @ patterns) / patterns.shape[1]
    np.fill_diagonal(w, 0.0)
    return w


def energy_one_s(weights, state):  # the second s forgotten
    return -0.5 * float((weights @ state).sum())


def energy_mean(weights, state):  # mean over neurons instead of the sum
    return -0.5 * float(np.mean(state * (weights @ state)))


def energy_norm(weights, state):  # -½ |W s|²
    field = weights @ state
    return -0.5 * float(field @ field)


def overlap_over_batch_size(states, patterns):  # divided by len(states)
    return (states * patterns).sum(axis=-1) / len(states)


def overlap_agreement(states, patterns):  # the fraction of agreeing bits, (1 + m) / 2
    return (states == patterns).mean(axis=-1)


def overlap_first_pattern(states, patterns):  # every state against pattern 0
    p = patterns if patterns.ndim == 1 else patterns[0]
    return (states * p).mean(axis=-1)


def dense_sequential(patterns, states, order):  # neurons updated in place, one after another
    s = np.atleast_2d(states).astype(float).copy()
    for b in range(s.shape[0]):
        for i in range(s.shape[1]):
            plus, minus = s[b].copy(), s[b].copy()
            plus[i], minus[i] = 1.0, -1.0
            field = np.sum((patterns @ plus) ** order - (patterns @ minus) ** order)
            s[b, i] = 1.0 if field >= 0 else -1.0
    return s.reshape(np.shape(states))


def dense_own_term_kept(patterns, states, order):  # ξ_μi s_i not removed before adding ±ξ_μi
    s = np.atleast_2d(states)
    base = (s @ patterns.T)[:, :, None]
    field = ((base + patterns[None]) ** order - (base - patterns[None]) ** order).sum(axis=1)
    return np.where(field >= 0, 1.0, -1.0).reshape(states.shape)


def dense_field_returned(patterns, states, order):  # the field, not its sign
    s = np.atleast_2d(states)
    others = (s @ patterns.T)[:, :, None] - patterns[None] * s[:, None, :]
    field = ((others + patterns[None]) ** order - (others - patterns[None]) ** order).sum(axis=1)
    return field.reshape(states.shape)


def dense_abs_power(patterns, states, order):  # F(x) = |x|^n: even, wrong for odd n
    s = np.atleast_2d(states)
    others = (s @ patterns.T)[:, :, None] - patterns[None] * s[:, None, :]
    field = (
        np.abs(others + patterns[None]) ** order - np.abs(others - patterns[None]) ** order
    ).sum(axis=1)
    return np.where(field >= 0, 1.0, -1.0).reshape(states.shape)


def modern_beta_after_softmax(patterns, states, beta):
    return beta * torch.softmax(states @ patterns.T, dim=-1) @ patterns


def modern_temperature(patterns, states, beta):  # β used as a temperature: scores / β
    return torch.softmax(states @ patterns.T / beta, dim=-1) @ patterns


def modern_binarised(patterns, states, beta):  # sign of the output returned
    return torch.sign(torch.softmax(beta * states @ patterns.T, dim=-1) @ patterns)


def modern_unnormalised(patterns, states, beta):  # exp without the normalisation
    return torch.exp(beta * states @ patterns.T) @ patterns


def entropy_of_mean_weights(patterns, states, beta):  # weights averaged before the entropy
    p = torch.softmax(beta * states @ patterns.T, dim=-1).mean(dim=0)
    return torch.special.entr(p).sum().item()


def entropy_wrong_axis(patterns, states, beta):  # normalised over states
    logp = torch.log_softmax(beta * states @ patterns.T, dim=0)
    return -(logp.exp() * logp).sum(-1).mean().item()


def entropy_no_beta(patterns, states, beta):
    logp = torch.log_softmax(states @ patterns.T, dim=-1)
    return -(logp.exp() * logp).sum(-1).mean().item()


def via_attention_temperature(patterns, states, beta):
    return scaled_dot_product_attention(states, patterns, patterns, scale=1 / beta)[0]


def via_attention_double_scale(patterns, states, beta):  # β on top of 1/√d
    d = patterns.shape[-1]
    return scaled_dot_product_attention(states, patterns, patterns, scale=beta / math.sqrt(d))[0]


def via_attention_states_as_values(patterns, states, beta):
    return scaled_dot_product_attention(states, patterns, states, scale=beta)[0]


def two_layer_no_dt(x, v, h, beta, dt, tau_f, tau_h):  # dt left out
    return (
        v + (torch.softmax(beta * h, dim=-1) @ x - v) / tau_f,
        h + (v @ x.T - h) / tau_h,
    )


def two_layer_times_tau(x, v, h, beta, dt, tau_f, tau_h):  # multiplied by τ, not divided
    return (
        v + dt * tau_f * (torch.softmax(beta * h, dim=-1) @ x - v),
        h + dt * tau_h * (v @ x.T - h),
    )


def two_layer_softmax_over_batch(x, v, h, beta, dt, tau_f, tau_h):
    return (
        v + dt / tau_f * (torch.softmax(beta * h, dim=0) @ x - v),
        h + dt / tau_h * (v @ x.T - h),
    )


def half_mask_off_by_one(images, height):  # one row too few hidden
    width = images.shape[1] // height
    out = images.copy()
    out[:, (height // 2 + 1) * width :] = 0.0
    return out


def half_mask_truncated(images, height):  # the top half only, as a shorter array
    width = images.shape[1] // height
    return images[:, : (height // 2) * width].copy()


def half_mask_fortran_order(images, height):  # images read column by column
    n, size = images.shape
    width = size // height
    grid = images.reshape(n, width, height).copy()
    grid[:, :, height // 2 :] = 0.0
    return grid.reshape(n, size)


OWN_MISTAKES = [
    ("hebbian_weights", hebbian_first_pattern_only, "return inside the loop"),
    ("hebbian_weights", hebbian_covariance, "covariance rule"),
    ("hebbian_weights", hebbian_clipped, "W differs from the reference"),
    ("energy", energy_one_s, "the state appears only once"),
    ("energy", energy_mean, "averaged over neurons"),
    ("energy", energy_norm, "the reference gives"),
    ("overlap", overlap_over_batch_size, "divided by the number of states"),
    ("overlap", overlap_agreement, "fraction of agreeing neurons"),
    ("overlap", overlap_first_pattern, "overlap differs from the reference"),
    ("dense_update", dense_sequential, "one after another"),
    ("dense_update", dense_own_term_kept, "self-coupling"),
    ("dense_update", dense_field_returned, "energy differences themselves"),
    ("dense_update", dense_abs_power, "|x|**order"),
    ("modern_update", modern_beta_after_softmax, "inside the softmax, not the result"),
    ("modern_update", modern_temperature, "divided the scores by β"),
    ("modern_update", modern_binarised, "returned the sign of the new state"),
    ("modern_update", modern_unnormalised, "not normalised"),
    ("attention_entropy", entropy_of_mean_weights, "averaged the weights over states"),
    ("attention_entropy", entropy_wrong_axis, "wrong axis"),
    ("attention_entropy", entropy_no_beta, "beta is ignored"),
    ("hopfield_via_attention", via_attention_temperature, "treats β as a temperature"),
    ("hopfield_via_attention", via_attention_double_scale, "does not multiply it"),
    ("hopfield_via_attention", via_attention_states_as_values, "your function raised"),
    ("two_layer_step", two_layer_no_dt, "time step dt is missing"),
    ("two_layer_step", two_layer_times_tau, "not dt·τ"),
    ("two_layer_step", two_layer_softmax_over_batch, "normalise over the memory neurons"),
    ("half_mask", half_mask_off_by_one, "one picture row too few"),
    ("half_mask", half_mask_truncated, "expected masked copy of shape (3, 64)"),
    ("half_mask", half_mask_fortran_order, "masked the right half"),
]


def test_every_checker_meets_three_own_mistakes():
    for name in CHECKERS:
        assert sum(entry[0] == name for entry in OWN_MISTAKES) >= 3, name


@pytest.mark.parametrize(
    ("name", "wrong", "hint"), OWN_MISTAKES, ids=[entry[1].__name__ for entry in OWN_MISTAKES]
)
def test_own_mistake_is_rejected(name, wrong, hint, capsys):
    checker, reference, _ = CHECKERS[name]
    assert_rejected(checker, wrong, reference, capsys, hint)


def test_equivalent_textbook_forms_pass(capsys):
    """Right answers written differently must pass: the energy as a sum over i < j
    without the ½, and the overlap as a cosine similarity (equal for ±1 vectors)."""

    def upper_triangle(weights, state):
        return -float(np.triu(np.outer(state, state) * weights, k=1).sum())

    def cosine(states, patterns):
        norms = np.linalg.norm(states, axis=-1) * np.linalg.norm(patterns, axis=-1)
        return (states * patterns).sum(axis=-1) / norms

    for checker, fn in ((check.energy, upper_triangle), (check.overlap, cosine)):
        result, out = run(checker, fn, capsys)
        assert result is fn, out


# ------------------------------------------------- hopfield_via_attention (issue 23)


def via_attention_discarded(patterns, states, beta):
    scaled_dot_product_attention(states, patterns, patterns, scale=beta)  # called, ignored
    return torch.softmax(beta * states @ patterns.T, dim=-1) @ patterns


def via_attention_discarded_detached(patterns, states, beta):
    out, _ = scaled_dot_product_attention(states, patterns, patterns, scale=beta)
    return out.detach() * 0 + torch.softmax(beta * states @ patterns.T, dim=-1) @ patterns


def via_torch_default_scale(patterns, states, beta):
    return torch.nn.functional.scaled_dot_product_attention(states, patterns, patterns)


def via_attention_sign(patterns, states, beta):
    return torch.sign(scaled_dot_product_attention(states, patterns, patterns, scale=beta)[0])


def via_attention_transposed_keys(patterns, states, beta):
    return scaled_dot_product_attention(states.T, patterns.T, patterns.T, scale=beta)[0].T


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (via_attention_discarded, "does not come from what the call returns"),
        (via_attention_discarded_detached, "does not come from what the call returns"),
        (via_torch_default_scale, "default scale 1/√d"),
        (via_attention_sign, "output differs from the reference"),
        (via_attention_transposed_keys, "your function raised"),
    ],
)
def test_via_attention_rejects_fresh_mistakes(wrong, hint, capsys):
    assert_rejected(check.hopfield_via_attention, wrong, ref.modern_update, capsys, hint)


def via_torch_sdpa(patterns, states, beta):
    return torch.nn.functional.scaled_dot_product_attention(states, patterns, patterns, scale=beta)


def via_attention_weights_times_patterns(patterns, states, beta):
    _, weights = scaled_dot_product_attention(states, patterns, patterns, scale=beta)
    return weights @ patterns  # chapter 01's softmax, the average taken by hand


def via_attention_float64(patterns, states, beta):
    p, s = patterns.double(), states.double()
    return scaled_dot_product_attention(s, p, p, scale=beta)[0]


@pytest.mark.parametrize(
    "right", [via_torch_sdpa, via_attention_weights_times_patterns, via_attention_float64]
)
def test_via_attention_accepts_right_but_unusual(right, capsys):
    result, out = run(check.hopfield_via_attention, right, capsys)
    assert result is right and out.startswith("✓"), out
