#!/usr/bin/env bash
# `make bench`: generate a catalog on a throwaway PostgreSQL cluster and on SQLite, run every
# benchmark with its peer, print the table and write docs/performance.md.
#   BENCH_N (default 10000) procedures, BENCH_DEPARTMENTS (300), BENCH_SQLITE=0 to skip SQLite,
#   BENCH_SQLITE_DEPARTMENTS (30: SQLite runs no permission benchmark, so fewer departments save time),
#   BENCH_ONLY=api,search,... to run some modules only.
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/pg.sh
source tests/system-deps.sh
system_deps  # PostgreSQL from Debian's packages when missing (no-op when installed)
PY=.venv/bin/python
N=${BENCH_N:-10000}
DEPTS=${BENCH_DEPARTMENTS:-300}
ONLY=${BENCH_ONLY:-api,mirror,search,pages,throughput,hosts,permissions,import,opendata}
SQLITE_ONLY=${BENCH_SQLITE_ONLY:-api,pages,import}
WORK=$(mktemp -d /tmp/catalog-bench.XXXXXX)
RESULTS="$WORK/results.jsonl"
# Scratch files of the benchmarks (spreadsheets, mirror databases) go under $WORK, removed at the end.
export TMPDIR="$WORK/tmp"; mkdir -p "$TMPDIR"
cut -d' ' -f1 /proc/loadavg > "$WORK/loadavg-start"
export DJANGO_SETTINGS_MODULE=bench.settings
# wrk (the load generator) comes from Debian; install it when missing and we may.
if ! command -v wrk >/dev/null && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || echo "wrk could not be installed: the throughput rows will say so"
fi
started=$(date +%s)
# Modules that can run long (imports) stop at this deadline so `make bench` stays under 15 minutes.
export BENCH_DEADLINE=$(( started + ${BENCH_BUDGET_SECONDS:-900} ))
# Every phase's wall time, CPU and PostgreSQL CPU (bench/measure.py) go here, then to the report.
export BENCH_PHASES="$WORK/phases.jsonl"

phase() {  # phase NAME CMD...: run CMD through bench/measure.py, which prints and logs its cost
  local name=$1; shift
  $PY -S bench/measure.py --name "$name" --log "$BENCH_PHASES" "$@"
}
elapsed() { echo "[$(( $(date +%s) - started )) s]"; }

setup_db() {  # migrate, load the demo catalog when there is one, generate the rest
  local label=$1 departments=$2
  phase "$label: migrate" -- $PY manage.py migrate --no-input -v0 || return 1
  if [ -f catalog/management/commands/load_demo.py ]; then
    phase "$label: load_demo" --output /dev/null -- $PY manage.py load_demo || echo "load_demo failed; generating without it"
  fi
  phase "$label: generate" -- $PY bench/generate.py --procedures "$N" --departments "$departments" \
    --counts "$WORK/generated-$label.json" || return 1
}

started_pg=0
if [ -z "${DATABASE_URL:-}" ]; then
  t0=$(date +%s)
  pg_start || exit 1
  started_pg=1
  trap pg_stop EXIT; trap "exit 130" INT TERM  # the cluster goes when the run is stopped too
  echo "{\"name\": \"postgresql: start the cluster\", \"seconds\": $(( $(date +%s) - t0 ))}" >> "$BENCH_PHASES"
fi
echo "== $(elapsed) PostgreSQL: generating $N procedures across $DEPTS departments"
export VAR_DIR="$WORK/pg"; mkdir -p "$VAR_DIR"
t0=$(date +%s)
setup_db postgresql "$DEPTS" || exit 1
echo "$(( $(date +%s) - t0 ))" > "$WORK/generate-postgresql.seconds"
echo "== $(elapsed) PostgreSQL: benchmarks ($ONLY)"
$PY -m bench.runner --database postgresql --results "$RESULTS" --procedures "$N" --only "$ONLY"
if [ $started_pg = 1 ]; then pg_stop; trap - EXIT INT TERM; fi

remaining=$(( BENCH_DEADLINE - $(date +%s) ))
if [ "${BENCH_SQLITE:-1}" = "1" ] && [ $remaining -lt 300 ]; then
  echo "== SQLite skipped: ${remaining} s left of the time budget"
  echo '{"benchmark": "sqlite", "case": "SQLite pass", "database": "sqlite", "note": "not measured: time budget (raise BENCH_BUDGET_SECONDS or set BENCH_N lower)"}' >> "$RESULTS"
elif [ "${BENCH_SQLITE:-1}" = "1" ]; then
  SQLITE_DEPTS=${BENCH_SQLITE_DEPARTMENTS:-30}
  echo "== $(elapsed) SQLite: generating $N procedures across $SQLITE_DEPTS departments"
  export VAR_DIR="$WORK/sqlite"; mkdir -p "$VAR_DIR"
  export DATABASE_URL="sqlite:///$VAR_DIR/db.sqlite3"
  t0=$(date +%s)
  setup_db sqlite "$SQLITE_DEPTS" || exit 1
  echo "$(( $(date +%s) - t0 ))" > "$WORK/generate-sqlite.seconds"
  echo "== $(elapsed) SQLite: benchmarks ($SQLITE_ONLY)"
  $PY -m bench.runner --database sqlite --results "$RESULTS" --procedures "$N" --only "$SQLITE_ONLY"
fi
echo "== $(elapsed) report"

$PY -m bench.report --results "$RESULTS" --work "$WORK" --procedures "$N" --departments "$DEPTS" \
  --seconds "$(( $(date +%s) - started ))" --output "${BENCH_OUTPUT:-docs/performance.md}"
cp "$RESULTS" "${BENCH_RESULTS_COPY:-/tmp/catalog-bench-results.jsonl}"  # raw rows, for `python -m bench.report`
rm -rf "$WORK"
