import csv

import yaml
from click.testing import CliRunner

from innoregion.cli import main


def test_match_evaluate_on_a_small_labelled_set(tmp_path):
    scenarios = [
        {"id": "S1", "industry": "x", "zh": {"title": "激光焊接", "text": "电池托盘激光焊接"},
         "ko": {"title": "레이저 용접", "text": "배터리 트레이 레이저 용접"},
         "en": {"title": "Laser welding", "text": "laser welding of battery trays"}},
        {"id": "S2", "industry": "x", "zh": {"title": "疫苗冷链", "text": "疫苗冷链运输"},
         "ko": {"title": "백신 콜드체인", "text": "백신 콜드체인 운송"},
         "en": {"title": "Vaccine cold chain", "text": "cold-chain transport of vaccines"}},
    ]
    caps = [{"id": "C1", "industry": "x", "lang": "zh", "title": "光纤激光器", "text": "用于电池焊接的光纤激光器"},
            {"id": "C2", "industry": "x", "lang": "en", "title": "Cold chain", "text": "pharmaceutical cold chain"},
            {"id": "C3", "industry": "x", "lang": "ko", "title": "레이저 제모", "text": "피부과 레이저 제모 장비"}]
    (tmp_path / "scenarios.yaml").write_text(yaml.safe_dump(scenarios, allow_unicode=True), encoding="utf-8")
    (tmp_path / "capabilities.yaml").write_text(yaml.safe_dump(caps, allow_unicode=True), encoding="utf-8")
    with (tmp_path / "qrels.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario_id", "capability_id", "relevance", "kind", "note"])
        w.writerows([["S1", "C1", 3, "relevant", ""], ["S1", "C3", 0, "hard_negative", ""],
                     ["S2", "C2", 3, "relevant", ""]])
    out = tmp_path / "table.md"
    result = CliRunner().invoke(main, ["match", "evaluate", "--labelled", str(tmp_path), "--no-dense",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| lexical | all | 1.000 |" in result.output
    assert "not enough decisions" in result.output and "default method: fusion" in result.output
    assert out.read_text(encoding="utf-8").startswith("| method |")
