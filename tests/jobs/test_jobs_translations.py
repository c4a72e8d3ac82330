"""The jobs app's own catalogues (apps/jobs/locale/{ko,zh_Hans}): every message translated, values
kept, compiled, up to date with the code; the job pages speak the reader's language."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jobhelpers import rename_params

import innoregion
from innoregion.apps.jobs import services

APP = Path(innoregion.__file__).parent / "apps" / "jobs"
LANGS = ["ko", "zh_Hans"]
SCRIPT = {"ko": re.compile(r"[\uac00-\ud7a3]"), "zh_Hans": re.compile(r"[\u4e00-\u9fff]")}
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]")


def read_po(path: Path) -> dict[str, tuple[list[str], set[str]]]:
    """{msgid: ([msgstr forms], flags)}; the header under ""."""
    entries: dict[str, tuple[list[str], set[str]]] = {}
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current = None

    def flush():
        nonlocal fields, flags
        if "msgid" in fields:
            forms = [fields[k] for k in sorted(fields) if k.startswith("msgstr")]
            entries[fields["msgid"]] = (forms, flags)
        fields, flags = {}, set()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[current] += ast.literal_eval(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and "msgid" in fields:
            flush()
        current = keyword
        fields[keyword] = ast.literal_eval(rest)
    flush()
    return entries


def po(lang: str) -> Path:
    return APP / "locale" / lang / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_its_values(lang):
    entries = read_po(po(lang))
    header = entries.pop("")[0][0]
    assert f"Language: {lang}\n" in header and "Plural-Forms: nplurals=1; plural=0;\n" in header
    assert len(entries) > 60
    for msgid, (forms, flags) in entries.items():
        assert "fuzzy" not in flags, msgid
        for form in forms:
            assert form.strip(), f"{lang}: not translated: {msgid!r}"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(msgid)), (msgid, form)
            assert SCRIPT[lang].search(form), (lang, msgid, form)


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches(lang):
    with open(po(lang).with_suffix(".mo"), "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog
    for msgid, (forms, _flags) in read_po(po(lang)).items():
        if not msgid:
            continue
        key = msgid if len(forms) == 1 and (msgid, 0) not in catalogue else (msgid, 0)
        assert catalogue.get(key) == forms[0], f"{lang}: recompile ({msgid!r})"


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """makemessages over a copy of the app finds exactly the catalogue's messages."""
    copy = tmp_path / "jobs"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    admin = Path(sys.executable).parent / "django-admin"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(APP.parents[2]),
           "DJANGO_SETTINGS_MODULE": "innoregion.site.settings_i18n", "INNOREGION_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([str(admin), "makemessages", "-l", "ko", "--no-obsolete"], cwd=copy, env=env, check=True,
                   capture_output=True)
    fresh = set(read_po(copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    assert fresh == set(read_po(po("ko"))), "run makemessages in apps/jobs and translate the new messages"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["后台任务", "失败", "以相同参数重试", "日志", "任务因意外错误（RuntimeError）而停止"]),
    ("ko", ["백그라운드 작업", "실패", "같은 매개변수로 재시도", "로그", "예기치 않은 오류(RuntimeError)"]),
])
def test_job_pages_in_the_readers_language(people, login, language, words):
    job = services.start_job("tests.rename", rename_params(people["a"], "x", fail="crash"))
    services.run_pending()
    client = login("official")
    client.cookies["django_language"] = language
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in page, (language, word)
    listing = client.get("/jobs/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words[0] in listing
