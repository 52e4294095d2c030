#!/usr/bin/env python3
"""Mirror the HCMC procedure catalog into a local SQLite file through the change feed.

Standard library only. Run it on a schedule (every minute is fine): each run reads the
entries after the cursor it stored last time and applies them in one transaction with the
new cursor, so an interrupted run simply repeats.

    python sync_client.py --base-url https://dichvucong.example.vn --db catalog.sqlite3
    CATALOG_API_KEY=... python sync_client.py --base-url ... --db ...   # with an API key

Tables: procedures(id, code, data) holds each published procedure as the API returns it;
lists(name, etag, data) holds departments and the shared lists, refreshed with If-None-Match;
state(name, value) holds the change-feed cursor.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

LISTS = ["departments", "fields", "levels", "subject-types", "life-events"]
USER_AGENT = "hcmc-catalog-sync-example/1.0"


class Api:
    """A tiny HTTP client: JSON, an API key header, waits on 429, retries transient errors."""

    def __init__(self, base_url: str, api_key: str | None = None, retries: int = 5):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.api_key = api_key
        self.retries = retries
        self.requests = 0

    def get(self, path: str, params: dict | None = None, etag: str | None = None):
        """(status, body, etag); status 304 means "unchanged" and body is None."""
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.api_key:
            headers["X-Api-Key"] = self.api_key  # never in the URL
        if etag:
            headers["If-None-Match"] = etag
        for attempt in range(self.retries + 1):
            self.requests += 1
            request = urllib.request.Request(url, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return (
                        response.status,
                        json.load(response),
                        response.headers.get("ETag"),
                    )
            except urllib.error.HTTPError as error:
                if error.code == 304:
                    return 304, None, etag
                if error.code == 429 and attempt < self.retries:
                    time.sleep(int(error.headers.get("Retry-After", "1")))
                    continue
                if error.code >= 500 and attempt < self.retries:
                    time.sleep(2**attempt)
                    continue
                message = error.read().decode("utf-8", "replace")
                raise SystemExit(f"GET {url} -> {error.code}: {message}") from None
            except urllib.error.URLError:
                if attempt < self.retries:
                    time.sleep(2**attempt)
                    continue
                raise
        raise SystemExit(f"GET {url}: gave up")


def open_store(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS procedures (id INTEGER PRIMARY KEY, code TEXT NOT NULL, data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS procedures_code ON procedures (code);
        CREATE TABLE IF NOT EXISTS lists (name TEXT PRIMARY KEY, etag TEXT, data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )
    return db


def sync_procedures(api: Api, db: sqlite3.Connection, page_size: int = 200) -> dict:
    """Apply every change-feed entry after the stored cursor; tombstones delete."""
    row = db.execute("SELECT value FROM state WHERE name = 'cursor'").fetchone()
    cursor = row[0] if row else None
    stats = {"upserted": 0, "deleted": 0}
    while True:
        params = {"page_size": page_size}
        if cursor:
            params["cursor"] = cursor
        _status, body, _etag = api.get("changes/", params)
        with db:  # the entries and the cursor that follows them, atomically
            for entry in body["items"]:
                if entry["procedure"] is None:
                    db.execute("DELETE FROM procedures WHERE id = ?", (entry["id"],))
                    stats["deleted"] += 1
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO procedures (id, code, data) VALUES (?, ?, ?)",
                        (
                            entry["id"],
                            entry["procedure"]["code"],
                            json.dumps(entry["procedure"], ensure_ascii=False),
                        ),
                    )
                    stats["upserted"] += 1
            cursor = body["meta"]["next_cursor"]
            db.execute(
                "INSERT OR REPLACE INTO state (name, value) VALUES ('cursor', ?)",
                (cursor,),
            )
        if not body["meta"]["has_more"]:
            return stats


def sync_lists(api: Api, db: sqlite3.Connection) -> int:
    """Refresh departments and shared lists; a 304 costs no download."""
    changed = 0
    for name in LISTS:
        row = db.execute("SELECT etag FROM lists WHERE name = ?", (name,)).fetchone()
        status, body, etag = api.get(name + "/", etag=row[0] if row else None)
        if status == 304:
            continue
        with db:
            db.execute(
                "INSERT OR REPLACE INTO lists (name, etag, data) VALUES (?, ?, ?)",
                (name, etag, json.dumps(body["items"], ensure_ascii=False)),
            )
        changed += 1
    return changed


def load_mirror(path: str) -> dict[int, dict]:
    """The mirrored procedures by id, as the API returned them."""
    db = open_store(path)
    try:
        return {
            pid: json.loads(data)
            for pid, data in db.execute("SELECT id, data FROM procedures")
        }
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url", required=True, help="e.g. https://dichvucong.example.vn"
    )
    parser.add_argument("--db", required=True, help="SQLite file to keep the mirror in")
    parser.add_argument("--api-key", default=os.environ.get("CATALOG_API_KEY"))
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--no-lists", action="store_true", help="procedures only")
    args = parser.parse_args(argv)

    api = Api(args.base_url, args.api_key)
    db = open_store(args.db)
    started = time.monotonic()
    try:
        stats = sync_procedures(api, db, page_size=args.page_size)
        stats["lists_changed"] = 0 if args.no_lists else sync_lists(api, db)
        stats["procedures"] = db.execute("SELECT COUNT(*) FROM procedures").fetchone()[
            0
        ]
    finally:
        db.close()
    stats["requests"] = api.requests
    stats["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
