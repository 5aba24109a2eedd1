"""Headline bars and how chapters report them: brainformers.results and the seed sweep."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from brainformers import results
from brainformers.results import BARS, Bar

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("robustness", ROOT / "utils" / "robustness.py")
robustness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(robustness)

CHAPTERS = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


# ------------------------------------------------------------------ Bar, show, claims
def test_a_bar_holds_on_its_side_only_and_never_for_nan():
    at_least = Bar("acc", ">=", 0.95, "accuracy")
    assert at_least.holds(0.95) and at_least.holds(1.0)
    assert not at_least.holds(0.9499)
    assert not at_least.holds(float("nan"))
    at_most = Bar("err", "<=", 10, "error")
    assert at_most.holds(np.float32(9.5)) and at_most.holds(torch.tensor(10.0))
    assert not at_most.holds(10.01)
    assert str(at_least) == "acc >= 0.95"


def test_bars_reject_unknown_comparisons_and_non_numbers():
    with pytest.raises(ValueError, match="op must be one of"):
        Bar("acc", ">", 0.9, "accuracy")
    with pytest.raises(TypeError, match="acc must be a real number, got str"):
        Bar("acc", ">=", 0.9, "accuracy").holds("0.95")
    with pytest.raises(TypeError, match="got bool"):
        Bar("acc", ">=", 0.9, "accuracy").holds(True)


def test_show_prints_name_value_lines(capsys):
    results.show({"acc": 0.99871, "rank": np.int64(1), "tiny": 3e-7, "neg": -0.0001})
    assert capsys.readouterr().out.splitlines() == [
        "acc: 1.00",
        "rank: 1",
        "tiny: 3.0e-07",
        "neg: -1.0e-04",
    ]
    results.show({"score": -0.004}, digits=2)
    assert capsys.readouterr().out == "score: -4.0e-03\n"
    results.show({"score": -0.0}, digits=2)
    assert capsys.readouterr().out == "score: 0.00\n"
    with pytest.raises(TypeError, match="non-empty mapping"):
        results.show({})


def test_claims_use_the_unrounded_value(capsys):
    values = {bar.name: 0.5 for bar in BARS["03_tem"]}
    values["temt_loop_closure_accuracy"] = 0.946  # rounds to 0.95 but misses the bar
    results.claims("03_tem", values)
    out = capsys.readouterr().out
    assert "temt_loop_closure_accuracy >= 0.95: False" in out
    assert "control_loop_closure_accuracy <= 0.15: False" in out


def test_claims_name_what_is_missing():
    with pytest.raises(KeyError, match="no bars for chapter '99_nope'"):
        results.claims("99_nope", {})
    with pytest.raises(KeyError, match="lack.*recall_accuracy"):
        results.claims("01_self_attention", {"equivariance_max_abs_diff": 0.0})


# ------------------------------------------------------------------ the chapters use them
def _notebook(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", as_version=4)


def test_every_chapter_has_bars():
    assert set(BARS) == set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_results_cell_defines_every_barred_headline_and_claims_check_them(chapter):
    cells = _notebook(chapter).cells
    shown = [c for c in cells if "results" in c.metadata.get("tags", [])]
    assert len(shown) == 1, "one code cell tagged 'results' defines and shows `headline`"
    keys = set(re.findall(r'^\s+"(\w+)":', shown[0].source, re.MULTILINE))
    assert {bar.name for bar in BARS[chapter]} <= keys
    checked = [c for c in cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
    assert len(checked) == 1
    assert f'results.claims("{chapter}", headline)' in checked[0].source


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_random_draw_derives_from_seed_and_no_training_uses_a_clock(chapter):
    nb = _notebook(chapter)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum(len(re.findall(r"^SEED = 0\b", s, re.MULTILINE)) for s in code) == 1
    literal = re.compile(r"(set_seed|default_rng|manual_seed)\(\d|\bseed=\d")
    for source in code:
        outside = re.sub(r"# BEGIN SOLUTION.*?# END SOLUTION", "", source, flags=re.DOTALL)
        assert not literal.search(outside), outside
        assert "time_budget" not in source


# ------------------------------------------------------------------ the seed sweep
def test_with_seed_changes_only_the_seed_line_and_reads_the_headline():
    nb = _notebook("01_self_attention")
    seeded = robustness.with_seed(nb, 3)
    assert len(seeded.cells) == len(nb.cells) + 1
    changed = [(a.source, b.source) for a, b in zip(nb.cells, seeded.cells, strict=False) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert after == before.replace("SEED = 0", "SEED = 3", 1)
    assert "headline.items()" in seeded.cells[-1].source
    assert "SEED = 0" in nb.cells[1].source  # the original is untouched


def test_with_seed_refuses_a_notebook_without_one_seed_line():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="exactly one code cell with a line 'SEED = 0'"):
        robustness.with_seed(nb, 1)


def test_table_holds_only_when_every_seed_meets_the_bar():
    good = {name.name: 1.0 for name in BARS["01_self_attention"]}
    good.update(equivariance_max_abs_diff=0.0, fixed_query_invariance_max_abs_diff=0.0)
    good.update(bag_of_tokens_gap_to_ceiling=0.01, bag_of_tokens_accuracy=0.3)
    good.update(chance_accuracy=1 / 16)
    bad = dict(good, recall_accuracy=0.9)
    table = robustness.table({"01_self_attention": {0: good, 1: bad}})
    rows = {r["headline"].strip("`"): r for r in table}
    assert rows["recall_accuracy"]["holds"] == "**no**"
    assert rows["recall_accuracy"]["min"] == "0.9" and rows["recall_accuracy"]["max"] == "1"
    assert rows["bag_of_tokens_gap_to_ceiling"]["holds"] == "yes"
    assert rows["bag_of_tokens_accuracy"]["holds"] == "—"  # reported beside it, no bar
    assert rows["chance_accuracy"]["bar"] == "—" and rows["chance_accuracy"]["holds"] == "—"
    assert rows["recall_accuracy"]["seeds"] == "2"
    page = robustness.markdown({"01_self_attention": {0: good, 1: bad}}, {"01": [40.0, 42.0]})
    assert "Not holding for every seed: `01` `recall_accuracy`." in page
    assert "Chapters: 01 `self_attention`." in page
    assert "| 01 | 40–42 |" in page


def test_table_refuses_runs_that_lack_a_barred_headline():
    with pytest.raises(ValueError, match="lack the headlines"):
        robustness.table({"01_self_attention": {0: {"recall_accuracy": 1.0}}})


def test_the_published_table_covers_every_bar_and_holds():
    page = (ROOT / "book" / "robustness.md").read_text()
    for chapter, bars in BARS.items():
        for bar in bars:
            number = chapter[:2]
            row = re.search(rf"^\| {number} \| `{bar.name}` \| (.*) \|$", page, re.MULTILINE)
            assert row, f"book/robustness.md has no row for {chapter} {bar.name}"
            cells = [c.strip() for c in row.group(1).split("|")]
            symbol = {">=": "≥", "<=": "≤"}[bar.op]
            assert cells[0] == f"{symbol} {bar.threshold:g}", "bar differs from BARS: rerun"
            assert int(cells[1]) >= 5, "fewer than five seeds"
            assert cells[-1] == "yes", f"{chapter} {bar.name} does not hold for every seed"


def test_the_page_explains_bars_that_are_not_the_obvious_ones():
    values = {bar.name: 1.0 for bar in BARS["02_hopfield"]}
    page = robustness.markdown({"02_hopfield": {0: values}}, {"02_hopfield": [15.0]})
    assert "Bars that are not the obvious ones" in page
    assert "`digits_modern_accuracy` >= 0.8: first set at 0.9" in page
