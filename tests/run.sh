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

# Two lanes side by side (each pytest has its own temporary VAR_DIR, test database and ports), so
# on two cores the suite takes about the longer lane's time instead of the sum:
#   lane 1: the PostgreSQL pass, all but what lane 2 takes;
#   lane 2: the SQLite pass, then the browser, whole-catalog and enumeration suites on PostgreSQL
#           on a PostgreSQL server of its own (a second database when DATABASE_URL is given).
# Lane 2 has its own server because lane 1's several-hosts test makes a hot standby of lane 1's
# server: a standby accepts no connection while the primary holds a transaction with more than
# 64 savepoints, which lane 2's long whole-catalog tests do (CI failed on it: the standby did
# not start in 60 s).
# Browser, enumeration, whole-catalog and reliability suites still run once, on PostgreSQL; the
# relevance suite (the search engine over the national catalog) once, on SQLite.
# Lane 2's output is shown after lane 1's.
mkdir -p var
LANE2_LOG=$(mktemp /tmp/catalog-lane2.XXXXXX)
LANE2="browser or whole_catalog or enumeration"
# With DATABASE_URL given, lane 2's own database on that server (pytest-django makes test_<name>).
LANE2_DATABASE_URL=${LANE2_DATABASE_URL:-}
if [ -z "$LANE2_DATABASE_URL" ] && [ $started_pg = 0 ]; then
  LANE2_DATABASE_URL=${DATABASE_URL%/*}/${DATABASE_URL##*/}_lane2
fi
echo "== in the background: pytest on SQLite, then $LANE2 on PostgreSQL (output follows)"
(
  lane=0
  echo "== pytest on SQLite"
  env -u DATABASE_URL TEST_DATABASE=sqlite DATABASE_URL="sqlite:///$(pwd)/var/test-sqlite.db" \
    $PY -m pytest -p no:cacheprovider -m "not ($LANE2) and not reliability" \
    || lane=1
  if [ -z "$LANE2_DATABASE_URL" ]; then
    # pg_start sets PGROOT and DATABASE_URL in this subshell only; lane 1's server is untouched.
    pg_start || exit 1
    trap pg_stop EXIT
    LANE2_DATABASE_URL=$DATABASE_URL
  fi
  echo "== pytest on PostgreSQL: the browser, whole-catalog and enumeration suites ($LANE2_DATABASE_URL)"
  TEST_DATABASE=postgresql DATABASE_URL="$LANE2_DATABASE_URL" \
    $PY -m pytest -p no:cacheprovider -m "$LANE2" --durations=5 || lane=1
  exit $lane
) >"$LANE2_LOG" 2>&1 &
lane2_pid=$!

echo "== pytest on PostgreSQL, all but $LANE2 and relevance ($DATABASE_URL)"
TEST_DATABASE=postgresql $PY -m pytest -p no:cacheprovider -m "not ($LANE2) and not relevance" \
  --durations=15 || status=1

echo "== waiting for the background lane (SQLite pass, then $LANE2 on PostgreSQL)"
wait $lane2_pid || status=1
cat "$LANE2_LOG"
rm -f "$LANE2_LOG"

echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=cms.settings.test $PY manage.py makemigrations --check --dry-run >/dev/null \
  && echo "migrations are up to date" || { echo "model changes without migrations"; status=1; }

echo "== ruff"
.venv/bin/ruff check . || status=1

if [ $started_pg = 1 ]; then pg_stop; trap - EXIT; fi
if [ $status = 0 ]; then echo "make test: all passed"; else echo "make test: FAILED"; fi
exit $status
