# Source this file: pg_start starts a throwaway PostgreSQL cluster on a free loopback port
# and exports DATABASE_URL; pg_stop removes it. initdb refuses root, so the server runs as `postgres`.

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ]; then echo "PostgreSQL is not installed (apt-get install postgresql postgresql-contrib)"; return 1; fi
  PG_PORT=$(pg_free_port)
  PGROOT=$(mktemp -d /tmp/catalog-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$PGROOT"; run=(runuser -u postgres --); fi
  "${run[@]}" "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGROOT/initdb.log" 2>&1 \
    || { cat "$PGROOT/initdb.log"; return 1; }
  "${run[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/log" -w -t 60 \
    -o "-p $PG_PORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
    || { cat "$PGROOT/log"; return 1; }
  "${run[@]}" "$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -c "CREATE ROLE app LOGIN SUPERUSER PASSWORD 'app'" -c "CREATE DATABASE app OWNER app" >/dev/null
  export PGBIN PGROOT PG_PORT
  export DATABASE_URL="postgres://app:app@127.0.0.1:$PG_PORT/app"
  echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') started on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  if [ -n "${PGROOT:-}" ] && [ -d "$PGROOT/data" ]; then
    local run=()
    if [ "$(id -u)" = "0" ]; then run=(runuser -u postgres --); fi
    "${run[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGROOT"
  fi
}
