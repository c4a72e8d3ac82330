#!/usr/bin/env bash
# Refresh the translation catalogues after changing interface text, then fill in the new msgstr
# entries (ko and zh_Hans) and run it again with --compile.
#  - apps with their own locale/ folder get their own catalogue (only their strings);
#  - everything else (site templates, access, cockpit, finance) goes to src/innoregion/locale.
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN="$PWD/.venv/bin/django-admin"
export PYTHONPATH="$PWD/src" DJANGO_SETTINGS_MODULE=innoregion.site.settings_i18n
own=()
for dir in src/innoregion/apps/*/locale; do own+=("$(basename "$(dirname "$dir")")"); done
for app in "${own[@]}"; do
  (cd "src/innoregion/apps/$app" && "$ADMIN" makemessages -l ko -l zh_Hans --no-obsolete >/dev/null)
  [ "${1:-}" = "--compile" ] && (cd "src/innoregion/apps/$app" && "$ADMIN" compilemessages >/dev/null)
done
ignores=(--ignore "cli/*" --ignore "generator/*" --ignore "engines/*")
for app in "${own[@]}"; do ignores+=(--ignore "apps/$app/*"); done
(cd src/innoregion && DJANGO_SETTINGS_MODULE=innoregion.site.settings "$ADMIN" makemessages -l ko -l zh_Hans \
   --no-obsolete "${ignores[@]}" >/dev/null)
if [ "${1:-}" = "--compile" ]; then
  (cd src/innoregion && "$ADMIN" compilemessages --locale ko --locale zh_Hans >/dev/null)
fi
grep -c '^msgstr ""$' src/innoregion/locale/*/LC_MESSAGES/django.po src/innoregion/apps/*/locale/*/LC_MESSAGES/django.po \
  | sed 's/^/empty msgstr (the header counts one): /'
