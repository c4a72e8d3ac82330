"""Three languages: every catalogue entry translated, the committed .mo files match the .po files,
pages and numbers localised."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import innoregion

LOCALE = Path(innoregion.__file__).parent / "locale"


def _entries(po: Path):
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))

        def value(key, lines=lines):
            out, on = [], False
            for line in lines:
                if line.startswith(key + " "):
                    on = True
                    out.append(line[len(key) + 1:])
                elif on and line.startswith('"'):
                    out.append(line)
                elif on:
                    break
            return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "".join(out))).encode().decode("unicode_escape") \
                .encode("latin-1").decode("utf-8")

        msgid = value("msgid")
        plural = any(line.startswith("msgid_plural") for line in lines)
        msgstr = value("msgstr[0]") if plural else value("msgstr")
        yield msgid, msgstr, "fuzzy" in flags, plural, value("msgctxt") or None


@pytest.mark.parametrize("lang", ["ko", "zh_Hans"])
def test_catalogue_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert po.exists() and mo.exists(), "run manage.py compilemessages and commit the .mo files"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    entries = list(_entries(po))
    assert len(entries) > 200  # the site-wide strings; each app with a locale/ folder keeps its own
    missing = [m for m, s, fuzzy, _p, _c in entries if not s or fuzzy]
    assert not missing, f"{lang}: untranslated or fuzzy: {missing[:10]}"
    stale = [m for m, s, _f, plural, ctx in entries
             if not plural and (compiled.pgettext(ctx, m) if ctx else compiled.gettext(m)) != s]
    assert not stale, f"{lang}: django.mo is older than django.po (recompile): {stale[:5]}"


def test_language_switch_and_localised_numbers(world, client):
    client.force_login(world["users"]["official"])
    resp = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert resp.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="ko"' in html and "대시보드: 행동계획의 8대 과제" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "驾驶舱：行动方案八大任务" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/enterprises/{world['a'].pk}/").content.decode()
    assert "15,000,000" in html  # the revenue filing, grouped in English
