"""Run in a separate process against one instance (DATABASE_URL, TEST_VAR_DIR): prints JSON with the
catalog's row counts and what the API serves (`/api/v1/procedures/` pages and every detail)."""

import json
import sys

import django


def main(out: str) -> None:
    django.setup()
    from django.test import Client

    from catalog.backup.load import catalog_contents

    client = Client()
    items, url = [], "/api/v1/procedures/?page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        items += body["items"]
        url = body["meta"]["next"]
    details = {}
    for item in items:
        response = client.get(f"/api/v1/procedures/{item['code']}/")
        assert response.status_code == 200, (item["code"], response.status_code)
        details[item["code"]] = response.json()
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(
            {"counts": catalog_contents(), "list": items, "details": details},
            handle,
            ensure_ascii=False,
        )


if __name__ == "__main__":
    main(sys.argv[1])
