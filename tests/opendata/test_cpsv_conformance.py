"""Every published procedure, mapped to CPSV-AP 3.2, against the official SHACL shapes.

The demo catalog always; the imported national crawl once, on PostgreSQL (`whole_catalog`).
Each run prints how many procedures were checked and how many violations were found.
"""

import io
import time

from django.conf import settings
from django.core.management import call_command

import pytest
from rdflib.compare import isomorphic

from catalog.opendata.cpsv import parse_jsonld, procedures_to_cpsv, to_graph
from tests.opendata.cpsv_support import (
    NO_SHAPES,
    SHAPES,
    published_procedure_dicts,
    shapes_graph,
    violations,
)

ORIGIN = "https://dichvucong.hochiminhcity.example"
OPENGOV = settings.SHARED_DATA_DIR / "raw" / "dvcqg-opengov"
BATCH = 1000  # procedures per pySHACL call: the graph of the whole crawl in a few calls


def check_published_catalog(
    label: str, *, report, compare: bool = False
) -> tuple[int, list[str]]:
    shapes = shapes_graph()
    started = time.monotonic()
    procedures = published_procedure_dicts(ORIGIN)
    found: list[str] = []
    triples = 0
    for start in range(0, len(procedures), BATCH):
        document = procedures_to_cpsv(procedures[start : start + BATCH])
        graph = to_graph(document)
        if compare:  # the fast graph is what a JSON-LD parser reads
            assert isomorphic(graph, parse_jsonld(document))
        triples += len(graph)
        found += violations(graph, shapes)
    report(
        f"CPSV-AP 3.2 SHACL, {label}: {len(procedures)} procedures checked, "
        f"{triples} triples, {len(found)} violations, {time.monotonic() - started:.1f} s"
    )
    return len(procedures), found


@pytest.mark.shared_data
@pytest.mark.skipif(not SHAPES.exists(), reason=NO_SHAPES)
def test_every_published_demo_procedure_conforms(db, summary_line):
    from catalog.demo.loader import load_demo

    load_demo(log=lambda message: None)
    checked, found = check_published_catalog(
        "demo catalog", report=summary_line, compare=True
    )
    assert checked >= 50
    assert found == [], "\n".join(found[:20])


@pytest.mark.shared_data
@pytest.mark.whole_catalog
@pytest.mark.skipif(not SHAPES.exists(), reason=NO_SHAPES)
def test_every_published_national_procedure_conforms(db, summary_line):
    if not (OPENGOV / "catalog.jsonl").is_file() or not (OPENGOV / "details").is_dir():
        pytest.skip(f"the national crawl is not here ({OPENGOV}): nothing to check")
    call_command(
        "import_catalog",
        str(OPENGOV / "catalog.jsonl"),
        str(OPENGOV / "details"),
        "--publish",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    checked, found = check_published_catalog("national crawl", report=summary_line)
    assert checked >= 5000
    assert found == [], "\n".join(found[:20])
