"""A recording transport node for the real elasticsearch client, and a validator for request
bodies against Elastic's published OpenAPI specification. No server is involved: the node
keeps every request the client would send and answers like a healthy (or a failing) cluster."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

import jsonschema
from elastic_transport import (
    ApiResponseMeta,
    BaseNode,
    ConnectionError,
    ConnectionTimeout,
    HttpHeaders,
)
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

SPEC_PATH = "spec/elasticsearch-serverless-openapi.json"


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: bytes | None
    timeout: float | None

    def json(self):
        return json.loads(self.body) if self.body else None

    def ndjson(self) -> list:
        return [
            json.loads(line) for line in self.body.decode().splitlines() if line.strip()
        ]


class Cluster:
    """What the fake cluster knows: aliases, indices, and canned search hits."""

    def __init__(self):
        self.requests: list[Request] = []
        self.aliases: dict[str, list[str]] = {}
        self.indices: set[str] = set()
        self.search_hits: list[dict] = []
        self.aggregations: dict = {}
        self.fail: Exception | None = None

    def answer(
        self, method: str, path: str, body: bytes | None
    ) -> tuple[int, dict | None]:
        if method == "HEAD" and path.startswith("/_alias/"):
            return (200 if path.split("/")[2] in self.aliases else 404), None
        if method == "GET" and path.startswith("/_alias/"):
            name = path.split("/")[2]
            return 200, {
                index: {"aliases": {name: {}}} for index in self.aliases.get(name, [])
            }
        if method == "PUT" and path.count("/") == 1 and not path.startswith("/_"):
            self.indices.add(path[1:])
            return 200, {
                "acknowledged": True,
                "shards_acknowledged": True,
                "index": path[1:],
            }
        if method == "DELETE" and path.count("/") == 1:
            self.indices.discard(path[1:])
            return 200, {"acknowledged": True}
        if path.endswith("/_refresh"):
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if path == "/_aliases":
            for action in json.loads(body)["actions"]:
                for kind, spec in action.items():
                    members = self.aliases.setdefault(spec["alias"], [])
                    if kind == "add":
                        members.append(spec["index"])
                    elif spec["index"] in members:
                        members.remove(spec["index"])
            return 200, {"acknowledged": True}
        if path.endswith("/_bulk"):
            lines = [json.loads(x) for x in body.decode().splitlines() if x.strip()]
            items = []
            for line in lines:
                kind = next(iter(line))
                if (
                    kind in ("index", "create", "update", "delete")
                    and "_id" in line[kind]
                ):
                    items.append(
                        {
                            kind: {
                                "_index": line[kind]["_index"],
                                "_id": line[kind]["_id"],
                                "status": 200,
                            }
                        }
                    )
            return 200, {"took": 1, "errors": False, "items": items}
        if path.endswith("/_count"):
            return 200, {"count": len(self.search_hits)}
        if path == "/_search/scroll":
            if method == "DELETE":
                return 200, {"succeeded": True, "num_freed": 1}
            return 200, {
                "_scroll_id": "s1",
                "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
            }
        if path.endswith("/_search"):
            response = {
                "took": 1,
                "timed_out": False,
                "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                "hits": {
                    "total": {"value": len(self.search_hits), "relation": "eq"},
                    "hits": self.search_hits,
                },
                "aggregations": self.aggregations,
            }
            if "scroll=" in self._last_query:
                response["_scroll_id"] = "s1"
            return 200, response
        return 404, {
            "error": {"type": "unexpected", "reason": f"{method} {path}"},
            "status": 404,
        }


def recording_client(cluster: Cluster) -> Elasticsearch:
    class RecordingNode(BaseNode):
        def perform_request(
            self, method, target, body=None, headers=None, request_timeout=None
        ):
            path, _, query = target.partition("?")
            cluster._last_query = query
            timeout = (
                request_timeout if isinstance(request_timeout, int | float) else None
            )
            cluster.requests.append(Request(method, path, query, body, timeout))
            if cluster.fail is not None:
                raise cluster.fail
            status, payload = cluster.answer(method, path, body)
            data = json.dumps(payload).encode() if payload is not None else b""
            response_headers = HttpHeaders(
                {
                    "X-Elastic-Product": "Elasticsearch",
                    "Content-Type": "application/json",
                }
            )
            meta = ApiResponseMeta(
                status=status,
                http_version="1.1",
                headers=response_headers,
                duration=0.001,
                node=self.config,
            )
            return NodeApiResponse(meta, data)

    return Elasticsearch("http://es.invalid:9200", node_class=RecordingNode)


# ------------------------------------------------------------------ the spec


@lru_cache(maxsize=1)
def spec() -> dict:
    path = settings.SHARED_DATA_DIR / SPEC_PATH
    return json.loads(path.read_text(encoding="utf-8"))


def _operation(method: str, template: str) -> dict:
    return spec()["paths"][template][method.lower()]


def request_schema(method: str, template: str) -> dict:
    """The JSON Schema of an operation's request body, with its $refs resolvable."""
    body = _operation(method, template)["requestBody"]
    if "$ref" in body:
        name = body["$ref"].rsplit("/", 1)[1]
        body = spec()["components"]["requestBodies"][name]
    schema = body["content"]["application/json"]["schema"]
    return {"components": spec()["components"], **schema}


def component_schema(name: str) -> dict:
    return {"components": spec()["components"], "$ref": f"#/components/schemas/{name}"}


# The spec is generated from TypeScript unions: its `oneOf` lists overlapping members
# (e.g. _types.FieldValue is oneOf[number, number, string, boolean, nullable string]), so no
# value can match exactly one. Read as the union it is, `oneOf` means `anyOf`.
SpecValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    {"oneOf": jsonschema._keywords.anyOf},
)


def errors(schema: dict, instance) -> list[str]:
    validator = SpecValidator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


ROUTES = [
    ("PUT", re.compile(r"^/[^/_][^/]*$"), "/{index}"),
    ("POST", re.compile(r"^/[^/]+/_search$"), "/{index}/_search"),
    ("POST", re.compile(r"^/_aliases$"), "/_aliases"),
    ("PUT", re.compile(r"^/_bulk$"), "/_bulk"),
    ("POST", re.compile(r"^/_bulk$"), "/_bulk"),
    ("POST", re.compile(r"^/_search/scroll$"), "/_search/scroll"),
    ("DELETE", re.compile(r"^/_search/scroll$"), "/_search/scroll"),
]


def template_for(request: Request) -> str | None:
    for method, pattern, template in ROUTES:
        if request.method == method and pattern.match(request.path):
            return template
    return None


def validate_request(request: Request) -> list[str]:
    """Every error the spec finds in one recorded request body ([] when Elasticsearch would accept it)."""
    template = template_for(request)
    assert template is not None, f"no spec route for {request.method} {request.path}"
    assert template in spec()["paths"], f"{template} is not in the spec"
    if template == "/_bulk":
        return validate_bulk(request.ndjson())
    return errors(request_schema(request.method, template), request.json())


def validate_bulk(lines: list) -> list[str]:
    """Action lines against bulk.OperationContainer; each source line must be an object.

    (The published array schema is oneOf[OperationContainer, UpdateAction, object], which no
    action line can satisfy exactly once, so the lines are checked one by one.)
    """
    found = []
    action_schema = component_schema("_global.bulk.OperationContainer")
    expect_source = False
    for number, line in enumerate(lines):
        if expect_source:
            if not isinstance(line, dict):
                found.append(f"line {number}: source must be an object")
            expect_source = False
            continue
        if set(line) - {"index", "create", "update", "delete"} or len(line) != 1:
            found.append(f"line {number}: not an action line: {sorted(line)}")
            continue
        found += [f"line {number}: {e}" for e in errors(action_schema, line)]
        expect_source = next(iter(line)) != "delete"
    return found


__all__ = [
    "Cluster",
    "ConnectionError",
    "ConnectionTimeout",
    "recording_client",
    "validate_request",
    "validate_bulk",
    "errors",
    "request_schema",
]
