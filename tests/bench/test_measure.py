"""The cost of a benchmarked command is the command's own: peak memory, exit code, time limit."""

import subprocess
import sys

from bench.harness import cpu_split, pinned, run_measured

ALLOCATE = "x = bytearray({mb} * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"


def test_peak_rss_is_the_commands_own_even_when_it_peaks_just_before_exiting():
    result = run_measured([sys.executable, "-c", ALLOCATE.format(mb=160)])
    assert result["returncode"] == 0
    assert 160 <= result["peak_rss_mb"] < 260


def test_peak_rss_leaves_out_the_memory_of_the_process_that_started_it():
    held = bytearray(300 * 1024 * 1024)
    held[::4096] = b"1" * len(held[::4096])  # touched, so resident in this process
    result = run_measured([sys.executable, "-c", "pass"])
    assert result["returncode"] == 0
    assert 0 < result["peak_rss_mb"] < 100
    del held


def test_exit_code_output_and_time_limit_are_reported():
    failing = run_measured(
        [sys.executable, "-c", "print('half done'); raise SystemExit(3)"]
    )
    assert failing["returncode"] == 3
    assert "half done" in failing["output"]
    stopped = run_measured(
        [sys.executable, "-c", "import time; time.sleep(60)"], timeout=1
    )
    assert stopped["timed_out"] is True
    assert stopped["returncode"] != 0


def test_pinned_commands_run_on_their_half_of_the_cpus():
    split = cpu_split()
    if (
        split is None
    ):  # one CPU or no taskset: the throughput rows say they are not pinned
        assert pinned(["true"], None) == ["true"]
        return
    for cpus in split:
        shown = subprocess.run(
            pinned(
                [
                    sys.executable,
                    "-c",
                    "import os; print(sorted(os.sched_getaffinity(0)))",
                ],
                cpus,
            ),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert eval(shown) == [int(c) for c in cpus.split(",")]  # noqa: S307 - our own output
    assert not set(split[0].split(",")) & set(split[1].split(","))
