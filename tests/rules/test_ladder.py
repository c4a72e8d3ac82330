"""The ladder: current rungs, next step by closeness, region counts against targets."""

import polars as pl

from innoregion.engines.rules import evaluate, ladder_status, load_ladder, region_counts

from .helpers import TECH_SME_OK, frame, packs


def outcomes(rows):
    """rows: (credit_code, year, pack, outcome, distance, gaps)"""
    return pl.DataFrame(rows, schema={"credit_code": pl.String, "year": pl.Int32, "pack": pl.String,
                                      "outcome": pl.String, "distance": pl.Float64, "gaps_en": pl.String},
                        orient="row")


def test_next_step_is_the_closest_pack_above_the_top_rung():
    out = outcomes([
        ("A", 2024, "tech_sme", "met", 0.0, None),
        ("A", 2024, "hnte", "not_met", 0.30, "R&D short"),
        ("A", 2024, "innovative_sme", "not_met", 0.10, "score 55 of 100"),
        ("A", 2024, "srdi_sme", "not_met", 0.80, None),
        ("A", 2024, "gazelle", "not_applicable", None, None),
        ("B", 2024, "hnte", "met", 0.0, None),
        ("B", 2024, "tech_sme", "not_met", 0.05, "too big"),   # below the top rung: not a candidate
        ("B", 2024, "innovative_sme", "unknown", 0.0, None),
        ("B", 2024, "srdi_sme", "needs_review", 0.0, None),    # ties: review before unknown
        ("C", 2024, "tech_sme", "not_met", 0.5, None),
        ("C", 2024, "unicorn", "not_met", 0.2, "valuation"),    # side tracks always count
    ])
    st = ladder_status(out, load_ladder()).sort("credit_code")
    rows = {r["credit_code"]: r for r in st.to_dicts()}
    assert rows["A"]["rungs"] == ["tech_sme"] and rows["A"]["top_level"] == 1
    assert (rows["A"]["next_step"], rows["A"]["next_distance"], rows["A"]["next_gaps"]) == (
        "innovative_sme", 0.10, "score 55 of 100")
    assert rows["A"]["candidates"] == ["innovative_sme (0.1)", "hnte (0.3)", "srdi_sme (0.8)"]
    assert (rows["B"]["next_step"], rows["B"]["next_outcome"]) == ("srdi_sme", "needs_review")
    assert "tech_sme (0.05)" not in rows["B"]["candidates"]
    assert (rows["C"]["next_step"], rows["C"]["top_level"], rows["C"]["rungs"]) == ("unicorn", 0, None)


def test_ladder_from_evaluated_facts():
    low = dict(TECH_SME_OK, tech_staff=12, rd_expense=240_000, ip_class1=0, ip_class2=2)
    out = evaluate(frame([TECH_SME_OK, low]), packs("tech_sme") + packs("hnte"), explain=True)
    st = ladder_status(out).sort("credit_code").to_dicts()
    assert st[0]["rungs"] == ["tech_sme"] and st[0]["next_step"] == "hnte"
    assert st[1]["rungs"] is None and st[1]["next_step"] in ("tech_sme", "hnte")
    assert any(s.startswith("tech_sme") for s in st[1]["candidates"])


def test_region_counts_against_targets():
    rows = [(f"E{i}", 2027, "tech_sme", "met", 0.0, None) for i in range(1200)]
    rows += [("X", 2027, "tech_sme", "unknown", 0.0, None), ("Y", 2027, "hnte", "met", 0.0, None),
             ("Y", 2026, "srdi_sme", "not_met", 0.4, None)]
    c = region_counts(outcomes(rows), load_ladder())
    got = {(r["year"], r["pack"]): r for r in c.to_dicts()}
    # "> 1,200 tech SMEs": 1,200 is one short
    assert (got[(2027, "tech_sme")]["met"], got[(2027, "tech_sme")]["open"],
            got[(2027, "tech_sme")]["target"], got[(2027, "tech_sme")]["to_target"]) == (1200, 1, 1201, 1)
    assert got[(2027, "hnte")]["to_target"] == 1200
    assert got[(2026, "srdi_sme")]["target"] == 851 and got[(2026, "srdi_sme")]["met"] == 0
    assert got[(2027, "tech_sme")]["target_year"] == 2027


def test_unknown_route_does_not_hide_known_gaps():
    # score 4 (tech staff 12 %), 60 needed, the HNTE route unknown: outcome unknown, distance (60 − 4) / 60
    low = dict(TECH_SME_OK, tech_staff=12, rd_expense=100_000, ip_class1=0, hnte_certified=None)
    out = evaluate(frame([low]), packs("tech_sme"))
    assert out.get_column("outcome").to_list() == ["unknown"]
    assert round(out.get_column("distance")[0], 4) == round(56 / 60, 4)
