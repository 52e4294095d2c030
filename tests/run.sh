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

# The two passes run side by side (each pytest has its own temporary VAR_DIR, database and ports):
# on two cores the whole suite takes about the PostgreSQL pass's time instead of the sum.
# The SQLite pass's output is shown after the PostgreSQL pass's.
mkdir -p var
SQLITE_LOG=$(mktemp /tmp/catalog-sqlite-pass.XXXXXX)
echo "== pytest on SQLite, in the background (its output follows the PostgreSQL pass)"
env -u DATABASE_URL TEST_DATABASE=sqlite DATABASE_URL="sqlite:///$(pwd)/var/test-sqlite.db" \
  $PY -m pytest -p no:cacheprovider -m "not browser and not enumeration and not whole_catalog and not reliability" \
  >"$SQLITE_LOG" 2>&1 &
sqlite_pid=$!

echo "== pytest on PostgreSQL ($DATABASE_URL)"
TEST_DATABASE=postgresql $PY -m pytest -p no:cacheprovider --durations=15 || status=1

echo "== pytest on SQLite (waiting for it to finish)"
wait $sqlite_pid || status=1
cat "$SQLITE_LOG"
rm -f "$SQLITE_LOG"

echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=cms.settings.test $PY manage.py makemigrations --check --dry-run >/dev/null \
  && echo "migrations are up to date" || { echo "model changes without migrations"; status=1; }

echo "== ruff"
.venv/bin/ruff check . || status=1

if [ $started_pg = 1 ]; then pg_stop; trap - EXIT; fi
if [ $status = 0 ]; then echo "make test: all passed"; else echo "make test: FAILED"; fi
exit $status
