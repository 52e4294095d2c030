#!/usr/bin/env bash
# The whole suite on PostgreSQL, then on SQLite, then the migration check and the linter.
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/system-deps.sh
source tests/pg.sh
PY=.venv/bin/python
status=0
system_deps
node_deps

started_pg=0
if [ -z "${DATABASE_URL:-}" ]; then
  pg_start || exit 1
  started_pg=1
  trap pg_stop EXIT
fi

echo "== pytest on PostgreSQL ($DATABASE_URL)"
TEST_DATABASE=postgresql $PY -m pytest -p no:cacheprovider || status=1

echo "== pytest on SQLite"
env -u DATABASE_URL TEST_DATABASE=sqlite DATABASE_URL="sqlite:///$(pwd)/var/test-sqlite.db" \
  $PY -m pytest -p no:cacheprovider -m "not browser and not enumeration and not whole_catalog and not reliability" || status=1

echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=cms.settings.test $PY manage.py makemigrations --check --dry-run >/dev/null \
  && echo "migrations are up to date" || { echo "model changes without migrations"; status=1; }

echo "== ruff"
.venv/bin/ruff check . || status=1

if [ $started_pg = 1 ]; then pg_stop; trap - EXIT; fi
if [ $status = 0 ]; then echo "make test: all passed"; else echo "make test: FAILED"; fi
exit $status
