"""`make bench-scale` writes its own section of docs/performance.md, and `make bench` keeps it."""

import dataclasses
import json

from bench import report, report_scale
from bench.harness import Row


def _rows(search_p95: float) -> list[dict]:
    def row(benchmark, case, **values):
        return dataclasses.asdict(Row(benchmark, case, "postgresql", **values))

    return [
        row(
            "search", "engine query + 5 facets (tantivy)", p50_ms=3.0, p95_ms=search_p95
        ),
        row("api", "procedures/{code}/ detail", p50_ms=2.4, p95_ms=4.0),
        row("api", "procedures/?page_size=100 (full detail)", p50_ms=41.0),
        row(
            "mirror", "full mirror of 100,000 procedures via changes/ feed", value=88.0
        ),
        row(
            "pages",
            "procedure page render (in-process)",
            p50_ms=24.0,
            queries=22,
            note="HTML 16 KB, with CSS/JS 35 KB",
        ),
        row(
            "indexing",
            "embedded (tantivy) full rebuild",
            value=1800,
            unit="procedures/s",
        ),
    ]


def _write(tmp_path, rows) -> str:
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return str(path)


def test_section_gives_each_target_a_verdict_and_survives_make_bench(tmp_path):
    output = tmp_path / "performance.md"
    output.write_text("# Performance\n\nold body\n")
    results = _write(tmp_path, _rows(search_p95=12.5))
    report_scale.main(
        ["--results", results, "--procedures", "100000", "--output", str(output)]
    )
    text = output.read_text()
    assert "old body" in text  # the rest of the file is left alone
    assert "## 100,000 procedures" in text
    assert "`BENCH_SCALE=100000 make bench-scale`" in text
    assert "| Search engine query with facets p95 ≤ 10 ms | 12.50 ms | gap |" in text
    assert "| API detail p50 ≤ 5 ms (in-process) | 2.40 ms | met |" in text
    assert "| Full mirror of 100,000 procedures < 150 s | 88.0 s | met |" in text
    assert "| Procedure page p50 ≤ 30 ms | 24.0 ms, 22 queries | met |" in text

    # `make bench` rewrites the file from its own rows and carries the section over, once
    report.main(["--results", results, "--output", str(output)])
    text = output.read_text()
    assert "old body" not in text
    assert text.count("## 100,000 procedures") == 1
    assert "| 12.50 ms | gap |" in text

    # a second bench-scale run replaces its section instead of adding another
    report_scale.main(
        [
            "--results",
            _write(tmp_path, _rows(search_p95=6.0)),
            "--procedures",
            "100000",
            "--output",
            str(output),
        ]
    )
    text = output.read_text()
    assert text.count("## 100,000 procedures") == 1
    assert "| Search engine query with facets p95 ≤ 10 ms | 6.00 ms | met |" in text


def test_a_missing_row_is_said_not_measured():
    targets = dict(
        (target, (measured, verdict))
        for target, measured, verdict in report_scale.scale_targets([], 100_000)
    )
    assert targets["Full mirror of 100,000 procedures < 150 s"] == (
        "—",
        "not measured (row missing from this run)",
    )
