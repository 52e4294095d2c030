"""`make bench` judges issue 18's throughput targets from the throughput module's rows."""

import dataclasses

from bench import report
from bench.harness import Row

THREADED = "gunicorn gthread (4 threads), keep-alive"


def _rows(sync_200, sync_304, threaded_200, threaded_304) -> list[dict]:
    def row(case, value):
        return dataclasses.asdict(
            Row("throughput", case, "postgresql", value=value, unit="req/s")
        )

    return [
        row("procedures/{code}/ (200, full body)", sync_200),
        row("procedures/{code}/ with matching ETag (304)", sync_304),
        row(f"procedures/{{code}}/ (200), {THREADED}", threaded_200),
        row(f"procedures/{{code}}/ with matching ETag (304), {THREADED}", threaded_304),
    ]


def _verdicts(rows) -> dict[str, tuple[str, str]]:
    return {
        key: (measured, verdict)
        for key, _target, measured, verdict in report.targets(rows, loaded=False)
        if key.startswith("throughput")
    }


def test_a_fast_threaded_200_meets_and_a_304_at_the_same_rate_is_a_gap():
    verdicts = _verdicts(_rows(150, 220, 1449, 1510))
    assert verdicts["throughput-200"] == ("1,449 req/s (sync workers: 150)", "met")
    measured, verdict = verdicts["throughput-304"]
    assert measured == "1.0× with gthread, 1.5× with sync workers"
    assert verdict.startswith("gap: cause: a repeated 200 is served by the same")


def test_a_slow_200_is_a_gap_and_a_cheap_304_meets():
    verdicts = _verdicts(_rows(150, 600, 900, 2800))
    assert verdicts["throughput-200"][1].startswith("gap:")
    assert verdicts["throughput-304"] == (
        "3.1× with gthread, 4.0× with sync workers",
        "met",
    )


def test_without_the_rows_the_targets_say_not_measured():
    verdicts = _verdicts([])
    assert all(v[1].startswith("not measured") for v in verdicts.values())
    assert set(verdicts) == {"throughput-200", "throughput-304"}
