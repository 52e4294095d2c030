#!/usr/bin/env bash
# `make bench-scale`: the catalog at national size, outside the 15-minute `make bench`.
# Generates BENCH_SCALE (default 100000) procedures on a throwaway PostgreSQL cluster, runs the
# benchmarks whose figures depend on the catalog's size (API detail and list, mirror, search and
# its rebuild, procedure page, import) with the same peers as `make bench`, and writes the
# "N procedures" section of docs/performance.md (bench/report_scale.py; `make bench` keeps it).
#   BENCH_SCALE=20000 make bench-scale     # a quicker look
#   BENCH_SCALE_ONLY=api,search            # some modules only
#   BENCH_OUTPUT=/tmp/perf.md              # write the section into another file
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/pg.sh
source tests/system-deps.sh
system_deps
PY=.venv/bin/python
N=${BENCH_SCALE:-100000}
DEPTS=${BENCH_DEPARTMENTS:-300}
# Search first: its p95 is the target most sensitive to size, and it builds the index the others share.
ONLY=${BENCH_SCALE_ONLY:-search,api,pages,mirror,import}
WORK=$(mktemp -d /tmp/catalog-bench-scale.XXXXXX)
RESULTS="$WORK/results.jsonl"
export TMPDIR="$WORK/tmp"; mkdir -p "$TMPDIR"
cut -d' ' -f1 /proc/loadavg > "$WORK/loadavg-start"
export DJANGO_SETTINGS_MODULE=bench.settings
started=$(date +%s)
# No 15-minute budget here; the modules' own limits (mirror 300 s, import 300 s) still apply.
export BENCH_DEADLINE=$(( started + ${BENCH_BUDGET_SECONDS:-7200} ))
export BENCH_PHASES="$WORK/phases.jsonl"
phase() { local name=$1; shift; $PY -S bench/measure.py --name "$name" --log "$BENCH_PHASES" "$@"; }
elapsed() { echo "[$(( $(date +%s) - started )) s]"; }

started_pg=0
if [ -z "${DATABASE_URL:-}" ]; then
  pg_start || exit 1
  started_pg=1
  trap pg_stop EXIT; trap "exit 130" INT TERM
fi
export VAR_DIR="$WORK/pg"; mkdir -p "$VAR_DIR"
echo "== $(elapsed) PostgreSQL: generating $N procedures across $DEPTS departments (progress every 2,000)"
t0=$(date +%s)
phase "postgresql: migrate" -- $PY manage.py migrate --no-input -v0 || exit 1
phase "postgresql: load_demo" --output /dev/null -- $PY manage.py load_demo || echo "load_demo failed; generating without it"
phase "postgresql: generate" -- $PY bench/generate.py --procedures "$N" --departments "$DEPTS" \
  --counts "$WORK/generated-postgresql.json" || exit 1
echo "$(( $(date +%s) - t0 ))" > "$WORK/generate-postgresql.seconds"
echo "== $(elapsed) PostgreSQL: benchmarks ($ONLY)"
$PY -m bench.runner --database postgresql --results "$RESULTS" --procedures "$N" --only "$ONLY"
if [ $started_pg = 1 ]; then pg_stop; trap - EXIT INT TERM; fi
echo "== $(elapsed) report"
$PY -m bench.report_scale --results "$RESULTS" --work "$WORK" --procedures "$N" --departments "$DEPTS" \
  --seconds "$(( $(date +%s) - started ))" --output "${BENCH_OUTPUT:-docs/performance.md}"
cp "$RESULTS" "${BENCH_RESULTS_COPY:-/tmp/catalog-bench-scale-results.jsonl}"
rm -rf "$WORK"
