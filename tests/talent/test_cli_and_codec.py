"""The ``innoregion talent`` commands (pure, on files) and the text codec."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from innoregion.cli.talent import command
from innoregion.engines.credentials.encoding import FormatError, from_text, to_text


@given(st.binary(min_size=1, max_size=400))
def test_base32_text_round_trip(data):
    text = to_text(data)
    assert set(text[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert from_text(text) == data


def test_text_decoder_rejects_non_canonical_input():
    for bad in ("TC1:", "TC1:A", "TC1:AB!", "XX1:ABCD", "TC1:AD"):  # AD: non-zero padding bits
        try:
            from_text(bad)
        except FormatError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_cli_keygen_issue_present_verify_revoke(tmp_path):
    runner = CliRunner()
    keys, ring, holder = tmp_path / "keys", tmp_path / "ring.json", tmp_path / "holder.json"
    out = runner.invoke(command, ["keygen", "--key-dir", str(keys), "--kid", "k1", "--keyring", str(ring)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["kid"] == "k1"
    out = runner.invoke(command, ["issue", "--key-dir", str(keys), "--kid", "k1", "--tier", "C1", "--index", "5",
                                  "--holder-out", str(holder)])
    assert out.exit_code == 0, out.output
    assert runner.invoke(command, ["issue", "--key-dir", str(keys), "--kid", "k1", "--tier", "Z", "--index", "5",
                                   "--holder-out", str(tmp_path / "h2.json")]).exit_code != 0
    sl_ok, sl_bad = tmp_path / "ok.jwt", tmp_path / "revoked.jwt"
    assert runner.invoke(command, ["status-list", "--key-dir", str(keys), "--kid", "k1", "-o", str(sl_ok)]).exit_code == 0
    assert runner.invoke(command, ["status-list", "--key-dir", str(keys), "--kid", "k1", "--revoke", "5",
                                   "-o", str(sl_bad)]).exit_code == 0
    png = tmp_path / "code.png"
    pres = runner.invoke(command, ["present", "--holder", str(holder), "--png", str(png)])
    assert pres.exit_code == 0 and pres.output.startswith("TC1:")
    good = runner.invoke(command, ["verify", "--keyring", str(ring), "--status-list", str(sl_ok), "--image", str(png),
                                   "--json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["tier"] == "C1"
    text = runner.invoke(command, ["present", "--holder", str(holder)]).output.strip()
    bad = runner.invoke(command, ["verify", "--keyring", str(ring), "--status-list", str(sl_bad), text])
    assert bad.exit_code == 1 and "NOT VALID" in bad.output and "revoked" in bad.output


def test_cli_place(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"titles": ["provincial_leading_talent"], "degree": "doctorate", "age": 41}))
    out = CliRunner().invoke(command, ["place", str(facts)])
    assert out.exit_code == 0 and json.loads(out.output)["tier"] == "C1"
