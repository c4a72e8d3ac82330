"""The ``innoregion generate`` command and the hand-off to the matching engine's demo data."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
from click.testing import CliRunner

from innoregion.cli.generate import command
from innoregion.generator.core import call_matching


def test_cli_writes_a_delivery(tmp_path):
    runner = CliRunner()
    result = runner.invoke(command, ["--enterprises", "250", "--years", "2", "--seed", "9", "--first-year",
                                     "2022", "--no-progress", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 9 and manifest["enterprises"] == 250 and manifest["years"] == [2022, 2023]
    assert "Wrote" in result.output


def test_cli_help():
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    for option in ("--enterprises", "--years", "--seed", "--first-year", "OUT_DIR"):
        assert option in result.output


def test_matching_lists_written(demo):
    out, manifest = demo
    names = {f["name"] for f in manifest["files"]}
    assert {"scenarios.csv", "capabilities.csv"} <= names
    registry = set(pl.read_csv(out / "registry.csv", infer_schema_length=0)["credit_code"])
    caps = pl.read_csv(out / "capabilities.csv", infer_schema_length=0)
    assert caps.height > 0 and set(caps["enterprise_code"].drop_nulls()) <= registry


def test_call_matching_adapts_to_the_signature(tmp_path):
    (tmp_path / "registry.csv").write_text(
        "credit_code,status\n91220173MA0TNDNC9R,active\n91220102136273841P,deregistered\n", encoding="utf-8")
    seen = {}

    def fake(seed, enterprise_codes, n_scenarios=5):
        seen.update(seed=seed, codes=enterprise_codes, n=n_scenarios)
        return (pl.DataFrame({"id": ["S1"]}),
                pl.DataFrame({"id": ["C1"], "keywords": [["laser", "welding"]]}))

    call_matching(fake, tmp_path, seed=4, enterprises=300, echo=lambda s: None)
    assert seen == {"seed": 4, "codes": ["91220173MA0TNDNC9R"], "n": 20}
    assert (tmp_path / "capabilities.csv").read_text(encoding="utf-8") == "id,keywords\nC1,laser;welding\n"

    notes = []
    call_matching(lambda mystery: None, tmp_path, seed=4, enterprises=300, echo=notes.append)
    assert notes and "mystery" in notes[0]


def test_generator_is_pure(tmp_path):
    """Generating (CLI module included) never imports Django."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from innoregion.cli.generate import command\n"
        f"r = CliRunner().invoke(command, ['--enterprises', '60', '--years', '1', '--no-progress', {str(tmp_path)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "manifest.json").exists()
