"""The importer against a delivery written by the demo generator (docs/data/department-files.md):
every planted bad row is quarantined for its reason, nothing else is."""

import json
from collections import Counter

from click.testing import CliRunner

from innoregion.apps.imports.models import ImportBatch
from innoregion.apps.region.models import Enterprise, FilingConflict
from innoregion.cli.importing import command
from innoregion.generator import generate

KIND_TO_REASON = {
    "invalid_credit_code": "invalid credit code", "unknown_enterprise": "unknown enterprise",
    "negative_count": "out of range", "text_in_money": "not a number", "duplicate_row": "duplicate row",
    "ratio_above_one": "out of range", "year_mismatch": "wrong year",
}


def test_generated_delivery_imports_with_exactly_the_planted_bad_rows(reference, tmp_path):
    out = tmp_path / "delivery"
    generate(out, enterprises=120, years=2, seed=7, first_year=2023, echo=lambda _: None, matching=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(command, [str(out)])
    assert result.exit_code == 0, result.output
    assert Enterprise.objects.count() == manifest["enterprises"]
    batches = {b.file_name: b for b in ImportBatch.objects.all()}
    department_files = {f["name"] for f in manifest["files"] if f.get("department") in
                        ("registry", "tax", "ip", "hr", "stats", "self")}
    assert set(batches) == department_files
    for name, kinds in manifest["bad_rows"].items():
        expected = Counter()
        for kind, count in kinds.items():
            expected[KIND_TO_REASON[kind]] += count
        got = Counter(q.reason.split(":")[0] for q in batches[name].quarantine.all())
        assert got == +expected, name
        assert batches[name].rows_quarantined == sum(kinds.values())
    assert batches["registry.csv"].rows_quarantined == 0
    assert FilingConflict.objects.exists()  # the generator plants cross-source conflicts
