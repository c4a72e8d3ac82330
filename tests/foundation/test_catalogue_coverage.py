"""Every interface string is in a catalogue and translated: makemessages is run over a copy of the
package (so the committed catalogues are untouched) and no new or fuzzy entry may appear.
Needs GNU gettext (xgettext, msgmerge), which scripts/system-deps.sh installs."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import innoregion

PACKAGE = Path(innoregion.__file__).parent
ADMIN = [sys.executable, "-P", "-m", "django"]  # -P: an app folder's selectors.py must not hide the stdlib's


def _untranslated(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    missing = []
    for block in text.split("\n\n")[1:]:
        fuzzy = re.search(r"^#,.*fuzzy", block, re.M)
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block.split("msgstr")[0].split("msgid", 1)[-1]))
        msgstr = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block.split("msgstr", 1)[-1]))
        if msgid and (fuzzy or not msgstr):
            missing.append(msgid)
    return missing


def test_catalogues_cover_every_interface_string(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run scripts/system-deps.sh (apt-get install gettext)")
    copy = tmp_path / "innoregion"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "innoregion.site.settings_i18n"}
    own = sorted(p.parent.name for p in (copy / "apps").glob("*/locale"))
    assert {"region", "imports", "points", "ladder", "matchmaking", "talent"} <= set(own)
    for app in own:
        subprocess.run([*ADMIN, "makemessages", "-l", "ko", "-l", "zh_Hans", "--no-obsolete"],
                       cwd=copy / "apps" / app, env=env, check=True, capture_output=True)
    ignores = [arg for app in own for arg in ("--ignore", f"apps/{app}/*")]
    ignores += ["--ignore", "cli/*", "--ignore", "generator/*", "--ignore", "engines/*"]
    subprocess.run([*ADMIN, "makemessages", "-l", "ko", "-l", "zh_Hans", "--no-obsolete", *ignores],
                   cwd=copy, env={**env, "DJANGO_SETTINGS_MODULE": "innoregion.site.settings"},
                   check=True, capture_output=True)
    problems = {str(po.relative_to(copy)): _untranslated(po) for po in sorted(copy.rglob("django.po"))}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"strings without a translation (run scripts/update-translations.sh): {problems}"
