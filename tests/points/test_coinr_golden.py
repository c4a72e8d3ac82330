"""Golden tests: our engine against COINr 1.1.14's ASEM outputs, number for number (<= 1e-9)."""

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from innoregion.cli.index import command as index_command
from innoregion.engines.points import load_spec, run_pipeline

TOL = 1e-9


def assert_table_matches(mine: pl.DataFrame, ref: pl.DataFrame, label: str) -> None:
    mine, ref = mine.sort("uCode"), ref.sort("uCode")
    assert mine["uCode"].to_list() == ref["uCode"].to_list(), f"{label}: different units"
    cols = [c for c in ref.columns if c not in ("uCode", "uName")]
    assert cols, label
    for c in cols:
        assert c in mine.columns, f"{label}: column {c} missing"
        a = mine[c].cast(pl.Float64).to_numpy()
        b = ref[c].cast(pl.Float64).to_numpy()
        assert (np.isnan(a) == np.isnan(b)).all(), f"{label}.{c}: missing values differ"
        ok = ~np.isnan(b)
        if ok.any():
            err = np.max(np.abs(a[ok] - b[ok]))
            assert err <= TOL, f"{label}.{c}: max abs difference {err:.3g}"


@pytest.fixture(scope="module")
def canonical(asem, examples_dir):
    _, data, meta = asem
    return run_pipeline(data, meta, load_spec(examples_dir / "canonical.yaml"))


@pytest.fixture(scope="module")
def simple(asem, examples_dir):
    _, data, meta = asem
    return run_pipeline(data, meta, load_spec(examples_dir / "simple.yaml"))


@pytest.mark.parametrize("stage,file", [
    ("raw", "stage_raw.csv"),
    ("denominated", "stage_denominated.csv"),
    ("imputed", "stage_imputed.csv"),
    ("screened", "stage_screened.csv"),
    ("treated", "stage_treated.csv"),
    ("normalised", "stage_normalised.csv"),
    ("aggregated", "stage_aggregated.csv"),
])
def test_canonical_stage_tables(canonical, asem, stage, file):
    ref_dir, _, _ = asem
    ref = pl.read_csv(ref_dir / file, infer_schema_length=None)
    assert_table_matches(canonical.stage(stage), ref, stage)


def test_canonical_treatment_details(canonical, asem):
    ref_dir, _, _ = asem
    ref = pl.read_csv(ref_dir / "treatment_details.csv", infer_schema_length=None)
    mine = canonical.treatment_details
    j = ref.join(mine, on="iCode", how="left")
    assert j.height == ref.height == 49
    assert j["treated"].null_count() == 0
    # COINr's check 0 "Pass" means "no treatment needed"
    assert (j["check_SkewKurt0.Pass"] == ~j["treated"]).all()
    for theirs, ours in [("check_SkewKurt0.Skew", "skew0"), ("check_SkewKurt0.Kurt", "kurt0"),
                         ("check_SkewKurt1.Skew", "skew1"), ("check_SkewKurt1.Kurt", "kurt1")]:
        a, b = j[ours].to_numpy().astype(float), j[theirs].to_numpy().astype(float)
        assert (np.isnan(a) == np.isnan(b)).all(), ours
        assert np.nanmax(np.abs(a - b)) <= TOL, ours
    assert j["winsorise.nwin"].fill_null(0).to_list() == j["nwin"].to_list()
    assert int(mine["treated"].sum()) == 15
    assert not mine["logged"].any()


def test_canonical_index_and_ranks(canonical, asem):
    ref_dir, _, _ = asem
    ref = pl.read_csv(ref_dir / "reference_index.csv").sort("uCode")
    mine = canonical.aggregated.join(canonical.scores.select("uCode", "Rank"), on="uCode").sort("uCode")
    assert_table_matches(mine.select("uCode", "Index", "Conn", "Sust"), ref.select("uCode", "Index", "Conn", "Sust"),
                         "index")
    assert mine["Rank"].to_list() == ref["Rank"].to_list()
    top = canonical.scores.sort("Rank")
    assert top["uCode"][0] == "CHE" and top["uCode"][-1] == "RUS"


def test_simple_pipeline(simple, asem):
    ref_dir, _, _ = asem
    assert_table_matches(simple.normalised, pl.read_csv(ref_dir / "coinr_asem_simple_normalised.csv",
                                                        infer_schema_length=None), "simple normalised")
    assert_table_matches(simple.aggregated, pl.read_csv(ref_dir / "coinr_asem_simple_aggregated.csv",
                                                        infer_schema_length=None), "simple aggregated")
    ref = pl.read_csv(ref_dir / "reference_simple.csv").sort("uCode")
    mine = simple.aggregated.join(simple.scores.select("uCode", "Rank"), on="uCode").sort("uCode")
    assert_table_matches(mine.select("uCode", "Index", "Conn", "Sust"), ref.select("uCode", "Index", "Conn", "Sust"),
                         "simple index")
    assert mine["Rank"].to_list() == ref["Rank"].to_list()


def test_raw_statistics_match_coinr(asem):
    from innoregion.engines.points import excel_kurtosis, excel_skew

    ref_dir, data, _ = asem
    stats = pl.read_csv(ref_dir / "stats_raw.csv", infer_schema_length=None)
    for row in stats.iter_rows(named=True):
        x = data[row["iCode"]].cast(pl.Float64).to_numpy()
        assert abs(excel_skew(x) - row["Skew"]) <= TOL, row["iCode"]
        assert abs(excel_kurtosis(x) - row["Kurt"]) <= TOL, row["iCode"]


def test_effective_weights_reproduce_index(canonical):
    """The arithmetic index is the effective-weighted sum of the normalised indicators."""
    h = canonical.hierarchy
    ew = canonical.effective_weights.sort("uCode")
    norm = canonical.normalised.sort("uCode")
    w = ew.select(h.indicators).to_numpy()
    x = norm.select(h.indicators).to_numpy()
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    index = canonical.aggregated.sort("uCode")["Index"].to_numpy()
    np.testing.assert_allclose(np.nansum(w * x, axis=1), index, atol=1e-9)


def test_normalise_value_reproduces_fit(canonical):
    treated = canonical.treated
    norm = canonical.normalised
    for code in ("LPI", "CO2", "Flights"):
        y = canonical.normalise_value(code, None, treated[code].to_numpy())
        np.testing.assert_allclose(y, norm[code].to_numpy(), atol=0, rtol=0)
        back = canonical.denormalise_value(code, None, norm[code].to_numpy())
        np.testing.assert_allclose(back, treated[code].to_numpy(), atol=1e-9)


def test_cli_run_writes_results_and_stages(asem, examples_dir, tmp_path):
    ref_dir, _, _ = asem
    out = tmp_path / "results.csv"
    stages = tmp_path / "stages"
    res = CliRunner().invoke(index_command, [
        "run", "--data", str(ref_dir / "asem_idata.csv"), "--meta", str(ref_dir / "asem_imeta.csv"),
        "--spec", str(examples_dir / "canonical.yaml"), "--out", str(out), "--stages-dir", str(stages)])
    assert res.exit_code == 0, res.output
    got = pl.read_csv(out)
    assert got.columns[0] == "uCode" and "Rank" in got.columns
    assert {"Index", "Conn", "Sust", "Physical"} <= set(got.columns)
    ref = pl.read_csv(ref_dir / "reference_index.csv")
    assert_table_matches(got.select("uCode", "Index", "Conn", "Sust"), ref.select("uCode", "Index", "Conn", "Sust"),
                         "cli")
    assert got.sort("uCode")["Rank"].to_list() == ref.sort("uCode")["Rank"].to_list()
    assert_table_matches(pl.read_csv(stages / "treated.csv"), pl.read_csv(ref_dir / "stage_treated.csv"), "cli treated")
    assert (stages / "treatment_details.csv").exists()


def test_cli_reports_spec_errors(asem, tmp_path):
    ref_dir, _, _ = asem
    bad = tmp_path / "bad.yaml"
    bad.write_text("normalise:\n  method: minmx\n")
    res = CliRunner().invoke(index_command, [
        "run", "--data", str(ref_dir / "asem_idata.csv"), "--meta", str(ref_dir / "asem_imeta.csv"),
        "--spec", str(bad), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code != 0
    assert "normalise.method: unknown method 'minmx'" in res.output
