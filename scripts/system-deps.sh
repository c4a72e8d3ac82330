#!/usr/bin/env bash
# Debian packages the tests need: gettext (compilemessages), chromium (browser tests, driven by the playwright package through
# executable_path: never `playwright install`), CJK fonts, and a PostgreSQL server when none runs.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)  # compilemessages (the .mo files are committed too)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root: apt-get install ${need[*]})" >&2; exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
