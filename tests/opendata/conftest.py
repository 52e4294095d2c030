import pytest

# Lines the conformance tests want in the run's summary (printed even when output is captured).
SUMMARY: list[str] = []


@pytest.fixture
def summary_line():
    return SUMMARY.append


def pytest_terminal_summary(terminalreporter):
    if SUMMARY:
        terminalreporter.section("CPSV-AP conformance")
        for line in SUMMARY:
            terminalreporter.write_line(line)
