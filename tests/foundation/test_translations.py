"""Per-app Korean and Simplified Chinese catalogues (apps/<app>/locale/<lang>/LC_MESSAGES/django.po/.mo).

The .po files are read with a small parser, the committed .mo files with a small reader of the GNU format,
so the checks need neither gettext nor polib. Rendering is checked through Django twice: as the site runs
(the site-wide catalogue in LOCALE_PATHS comes first) and with LOCALE_PATHS emptied, so that only the
per-app catalogues can answer."""

from __future__ import annotations

import ast
import re
import struct
from collections import Counter
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

import innoregion

APPS_DIR = Path(innoregion.__file__).parent / "apps"
APPS = ["region", "imports", "points", "ladder", "matchmaking", "talent"]
LANGS = ["ko", "zh_Hans"]
CASES = [(app, lang) for app in APPS for lang in LANGS]

# msgids whose translation may legitimately be written in Latin letters only
LATIN_OK = {"SHA-256", "TRL", "id"}
# the same text in the source language and the translation (codes, acronyms)
SAME_OK = {"SHA-256", "TRL"}

# policy vocabulary: when the English text names the instrument, the translation must use this term
GLOSSARY = {
    "innovation points": {"zh_Hans": "创新积分", "ko": "혁신 포인트"},
    "innovation-points": {"zh_Hans": "创新积分", "ko": "혁신 포인트"},
    "technology-based sme": {"zh_Hans": "科技型中小企业", "ko": "과학기술형 중소기업"},
    "high-tech enterprise": {"zh_Hans": "高新技术企业", "ko": "첨단기술기업"},
    "innovative sme": {"zh_Hans": "创新型中小企业", "ko": "혁신형 중소기업"},
    "specialised, refined": {"zh_Hans": "专精特新", "ko": "전문화·혁신"},
    "little giant": {"zh_Hans": "小巨人", "ko": "작은 거인"},
    "gazelle": {"zh_Hans": "瞪羚", "ko": "가젤"},
    "unicorn": {"zh_Hans": "独角兽", "ko": "유니콘"},
    "unified social credit code": {"zh_Hans": "统一社会信用代码", "ko": "통일사회신용코드"},
    "list of application scenarios": {"zh_Hans": "场景清单", "ko": "응용 시나리오 목록"},
    "list of capabilities": {"zh_Hans": "能力清单", "ko": "역량 목록"},
    "talent code": {"zh_Hans": "人才码", "ko": "인재 코드"},
}

SCRIPT = {"ko": re.compile(r"[\uac00-\ud7a3]"), "zh_Hans": re.compile(r"[\u4e00-\u9fff]")}
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def po_path(app: str, lang: str) -> Path:
    return APPS_DIR / app / "locale" / lang / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> dict[str, tuple[str, set[str]]]:
    """Entries as {key: (msgstr, flags)}; the key is built as in a .mo file (context EOT msgid, plural NUL)."""
    entries: dict[str, tuple[str, set[str]]] = {}
    flags: set[str] = set()
    fields: dict[str, str] = {}
    current: str | None = None

    def flush() -> None:
        nonlocal flags, fields, current
        if "msgid" in fields:
            key = fields["msgid"]
            if "msgid_plural" in fields:
                key += "\0" + fields["msgid_plural"]
            if "msgctxt" in fields:
                key = fields["msgctxt"] + "\x04" + key
            forms = sorted(k for k in fields if k.startswith("msgstr"))
            entries[key] = ("\0".join(fields[k] for k in forms), flags)
        flags, fields, current = set(), {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if "msgid" in fields:
                flush()
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith('"'):
            assert current is not None, f"{path}: continuation without a keyword: {raw!r}"
            fields[current] += ast.literal_eval(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
            flush()
        current = keyword
        fields[keyword] = ast.literal_eval(rest)
    flush()
    return entries


def read_mo(path: Path) -> dict[str, str]:
    """The catalogue of a GNU .mo file, both byte orders."""
    data = path.read_bytes()
    for order in ("<", ">"):
        magic, _rev, count, ids_at, strs_at = struct.unpack_from(order + "5I", data)
        if magic == 0x950412DE:
            break
    else:
        raise AssertionError(f"{path} is not a .mo file")
    catalogue = {}
    for i in range(count):
        id_len, id_off = struct.unpack_from(order + "2I", data, ids_at + 8 * i)
        str_len, str_off = struct.unpack_from(order + "2I", data, strs_at + 8 * i)
        msgid = data[id_off:id_off + id_len].decode("utf-8")
        catalogue[msgid] = data[str_off:str_off + str_len].decode("utf-8")
    return catalogue


def header_fields(header: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize(("app", "lang"), CASES)
def test_header_declares_language_and_one_plural_form(app, lang):
    entries = read_po(po_path(app, lang))
    header, flags = entries[""]
    assert "fuzzy" not in flags
    assert f"Language: {lang}\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header
    assert "charset=UTF-8" in header


@pytest.mark.parametrize(("app", "lang"), CASES)
def test_every_message_translated_not_fuzzy_placeholders_kept(app, lang):
    entries = {k: v for k, v in read_po(po_path(app, lang)).items() if k}
    assert len(entries) >= 20, "catalogue is unexpectedly small"
    for msgid, (msgstr, flags) in entries.items():
        assert "fuzzy" not in flags, msgid
        assert msgstr.strip(), f"empty translation: {msgid!r}"
        singular = msgid.split("\x00")[0]  # a plural entry: "singular\x00plural", one form in ko and zh
        assert placeholders(msgstr) == placeholders(singular), (msgid, msgstr)
        assert msgstr != msgid or msgid in SAME_OK, f"not translated: {msgid!r}"
        assert SCRIPT[lang].search(msgstr) or msgid in LATIN_OK, (msgid, msgstr)
        if msgid.endswith("\n"):
            assert msgstr.endswith("\n"), msgid


@pytest.mark.parametrize(("app", "lang"), CASES)
def test_compiled_catalogue_matches_the_po(app, lang):
    po = {k: v[0] for k, v in read_po(po_path(app, lang)).items()}
    mo = read_mo(po_path(app, lang).with_suffix(".mo"))
    po_header, mo_header = header_fields(po.pop("")), header_fields(mo.pop(""))
    po_header.pop("POT-Creation-Date", None)  # msgfmt leaves it out of the compiled header
    assert mo_header == po_header
    assert mo == po


@pytest.mark.parametrize("lang", LANGS)
def test_shared_messages_translated_alike_across_apps(lang):
    # Django merges the app catalogues; where two apps disagree one silently wins.
    seen: dict[str, tuple[str, str]] = {}
    shared = 0
    for app in APPS:
        for msgid, (msgstr, _flags) in read_po(po_path(app, lang)).items():
            if not msgid:
                continue
            if msgid in seen:
                shared += 1
                assert seen[msgid][1] == msgstr, (msgid, seen[msgid], (app, msgstr))
            else:
                seen[msgid] = (app, msgstr)
    assert shared > 0


@pytest.mark.parametrize("lang", LANGS)
def test_policy_vocabulary(lang):
    checked = 0
    for app in APPS:
        for msgid, (msgstr, _flags) in read_po(po_path(app, lang)).items():
            for phrase, terms in GLOSSARY.items():
                if phrase in msgid.lower():
                    checked += 1
                    assert terms[lang] in msgstr, (app, msgid, msgstr, terms[lang])
    assert checked >= 10


def _render_checks():
    from innoregion.apps.ladder.models import LadderOutcome
    from innoregion.apps.matchmaking.models import Scenario
    from innoregion.apps.region.models import Enterprise
    from innoregion.apps.talent.models import TalentCredential

    return {
        "enterprise": lambda: str(Enterprise._meta.verbose_name),
        "ladder outcome": lambda: str(LadderOutcome._meta.verbose_name),
        "needs review": lambda: str(LadderOutcome.Outcome.NEEDS_REVIEW.label),
        "talent code": lambda: str(TalentCredential._meta.verbose_name),
        "application scenario": lambda: str(Scenario._meta.verbose_name),
        "template": lambda: Template('{% load i18n %}{% translate "List of application scenarios" %}').render(
            Context()),
        "template placeholders": lambda: Template(  # the talent registry's (lists page through _table.html)
            "{% load i18n %}{% blocktranslate with total=7 valid=3 %}{{ total }} talents, {{ valid }} valid codes."
            "{% endblocktranslate %}"
        ).render(Context()),
    }


EXPECTED = {
    "ko": {
        "enterprise": "기업",
        "ladder outcome": "육성 단계 평가 결과",
        "needs review": "검토 필요",
        "talent code": "인재 코드",
        "application scenario": "응용 시나리오",
        "template": "응용 시나리오 목록",
        "template placeholders": "인재 7명, 유효 코드 3개.",
    },
    "zh-hans": {
        "enterprise": "企业",
        "ladder outcome": "梯度评定结果",
        "needs review": "需人工复核",
        "talent code": "人才码",
        "application scenario": "应用场景",
        "template": "场景清单",
        "template placeholders": "人才 7 名，有效码 3 个。",
    },
    "en": {
        "enterprise": "enterprise",
        "ladder outcome": "ladder outcome",
        "needs review": "needs review",
        "talent code": "talent code",
        "application scenario": "application scenario",
        "template": "List of application scenarios",
        "template placeholders": "7 talents, 3 valid codes.",
    },
}


@pytest.mark.parametrize("language", ["ko", "zh-hans", "en"])
def test_strings_render_translated_as_the_site_runs(language):
    checks = _render_checks()
    with translation.override(language):
        got = {name: check() for name, check in checks.items()}
    assert got == EXPECTED[language]


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_per_app_catalogues_alone_translate(language):
    # Without LOCALE_PATHS only the app catalogues (and Django's own) can answer.
    from innoregion.apps.ladder.models import BenefitGrant
    from innoregion.apps.region.models import Enterprise

    checks = _render_checks()
    with override_settings(LOCALE_PATHS=[]), translation.override(language):
        got = {name: check() for name, check in checks.items()}
        plural = str(Enterprise._meta.verbose_name_plural)
        granted = str(BenefitGrant.Status.GRANTED.label)
    assert got == EXPECTED[language]
    assert (plural, granted) == {"ko": ("기업", "지급됨"), "zh-hans": ("企业", "已兑现")}[language]
