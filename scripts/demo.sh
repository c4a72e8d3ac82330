#!/usr/bin/env bash
# The demo command (README): set up, generate a synthetic region, import, score, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh
exec .venv/bin/innoregion demo "$@"
