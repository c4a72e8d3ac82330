#!/usr/bin/env bash
# The test command (README, .ci/run): lint, migrations check, then the whole test suite on SQLite
# and again on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh
scripts/system-deps.sh
scripts/postgres-up.sh
export INNOREGION_DATA_DIR=${INNOREGION_DATA_DIR:-$PWD/var/test}
export PYTHONHASHSEED=0 POLARS_MAX_THREADS=${POLARS_MAX_THREADS:-1}
echo "== ruff"
.venv/bin/ruff check src tests bench
echo "== makemigrations --check"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "== the permission policy: every rule against its declared answers, at 100 % line coverage"
policy_cov=(--cov=innoregion.apps.access.policy)
for f in src/innoregion/apps/*/rules.py; do
  m=${f#src/}; m=${m%.py}; policy_cov+=("--cov=${m//\//.}")
done
env -u DATABASE_URL .venv/bin/python -m pytest -q -p no:cacheprovider tests/platform/test_policy.py \
  "${policy_cov[@]}" --cov-report=term-missing:skip-covered --cov-fail-under=100
echo "== tests on SQLite"
env -u DATABASE_URL .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== tests on PostgreSQL"
DATABASE_URL=${PG_TEST_URL:-postgres://postgres@127.0.0.1:5432/innoregion} \
  .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
