"""The benchmark harness: its pure parts and one real (untimed) floor measurement.

No assertion here is about speed: targets live in the bench output only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webstack_tools import bench


def test_median_of_odd_and_even_sample_counts():
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert bench.median([7]) == 7.0


def test_median_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        bench.median([])


@pytest.mark.parametrize(
    ("seconds", "floor", "expected"),
    [(10.0, 4.0, 2.5), (4.0, 4.0, 1.0), (None, 4.0, None), (10.0, None, None), (10.0, 0.0, None)],
)
def test_ratio_to_the_floor(seconds, floor, expected):
    assert bench.ratio(seconds, floor) == expected


def _samples(**overrides: list[float]) -> dict[str, list[float]]:
    samples = {
        "synth.empty": [4.0, 4.2, 3.8],
        "synth.prod": [9.0, 11.0, 10.0],
        "synth.prod_nopacks": [8.0],
        "suite.unit": [60.0],
        "suite.integration": [200.0],
        "suite.compliance": [50.0],
        "deploy.dev": [30.0],
    }
    samples.update(overrides)
    return samples


def test_summarize_medians_ratios_and_targets():
    rows = {r.key: r for r in bench.summarize(_samples())}
    assert rows["synth.empty"].median == 4.0
    assert rows["synth.empty"].ratio == 1.0
    assert rows["synth.prod"].median == 10.0
    assert rows["synth.prod"].ratio == 2.5
    assert rows["synth.prod"].met is True  # <= 2.5x is met at exactly 2.5x
    assert rows["synth.prod_nopacks"].ratio == 2.0 and rows["synth.prod_nopacks"].met is None
    # Only synths have a ratio to the floor.
    assert rows["suite.unit"].ratio is None and rows["deploy.dev"].ratio is None
    assert rows["suite.unit"].met is True and rows["deploy.dev"].met is True
    proxy = rows[bench.MAKE_TEST_PROXY]
    assert proxy.median == 310.0 and proxy.met is True and proxy.samples == []


def test_cpu_seconds_are_summarized_beside_wall_time():
    cpu = {"synth.empty": [3.0, 2.0, 4.0], "synth.prod": [6.0], "suite.unit": [50.0]}
    rows = {r.key: r for r in bench.summarize(_samples(), cpu=cpu)}
    assert rows["synth.prod"].cpu_median == 6.0 and rows["synth.prod"].cpu_ratio == 2.0
    assert rows["suite.unit"].cpu_median == 50.0 and rows["suite.unit"].cpu_ratio is None
    assert rows["deploy.dev"].cpu_median is None
    # The verdict stays on wall time.
    assert rows["synth.prod"].met is True
    doc = bench.results_document(list(rows.values()), {}, {})
    assert doc["measurements"]["synth.empty"]["cpu_samples"] == [3.0, 2.0, 4.0]
    assert doc["measurements"]["synth.empty"]["cpu_median"] == 3.0
    assert doc["measurements"]["synth.prod"]["cpu_ratio_to_floor"] == 2.0


def test_summarize_flags_missed_targets():
    rows = {
        r.key: r
        for r in bench.summarize(_samples(**{"synth.prod": [12.0], "suite.unit": [90.0], "deploy.dev": [61.0]}))
    }
    assert rows["synth.prod"].met is False
    assert rows["suite.unit"].met is False  # "< 90 s" is strict
    assert rows["deploy.dev"].met is False


def test_summarize_without_suites_has_no_make_test_proxy():
    samples = _samples()
    for key in ("suite.unit", "suite.integration", "suite.compliance"):
        del samples[key]
    keys = [r.key for r in bench.summarize(samples)]
    assert bench.MAKE_TEST_PROXY not in keys
    assert keys == [k for k in bench.ORDER if k in keys]  # table order


def test_summarize_without_the_floor_gives_no_ratio_and_no_verdict():
    samples = _samples()
    del samples["synth.empty"]
    rows = {r.key: r for r in bench.summarize(samples)}
    assert rows["synth.prod"].ratio is None
    assert rows["synth.prod"].met is None


def test_failed_measurement_is_a_row_with_its_error():
    rows = {r.key: r for r in bench.summarize(_samples(**{"deploy.dev": []}), {"deploy.dev": "boom"})}
    assert rows["deploy.dev"].median is None
    assert rows["deploy.dev"].error == "boom"
    assert "FAILED" in bench.format_table(list(rows.values()))


def test_a_suite_that_ran_with_failures_counts_with_a_note():
    notes = {"suite.integration": "exit 1: 2 failed, 40 passed"}
    rows = bench.summarize(_samples(), notes=notes)
    by_key = {r.key: r for r in rows}
    assert by_key["suite.integration"].median == 200.0
    assert by_key[bench.MAKE_TEST_PROXY].note == "a part ran with failures"
    table = bench.format_table(rows)
    assert "- integration suite: exit 1: 2 failed, 40 passed" in table
    assert "| yes* |" in table  # the make test proxy's verdict carries the caveat
    doc = bench.results_document(rows, {}, {})
    assert doc["measurements"]["suite.integration"]["note"] == "exit 1: 2 failed, 40 passed"


def test_ran_with_failures_keeps_pytests_summary_line():
    ran = bench.RanWithFailures(1.0, 0.5, 1, "....F\n=== 1 failed, 4 passed in 1.00s ===\n")
    assert ran.note == "exit 1: 1 failed, 4 passed in 1.00s"


def test_table_has_one_aligned_line_per_row_and_the_verdicts():
    rows = bench.summarize(_samples(**{"suite.unit": [95.0]}))
    table = bench.format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 2 + len(rows)
    assert len({len(line) for line in lines}) == 1  # columns aligned
    assert lines[0].startswith("| measurement")
    prod = next(line for line in lines if "synth: prod (all rule packs)" in line)
    assert "10.00" in prod and "2.50" in prod and "<= 2.5x floor" in prod and prod.rstrip().endswith("| yes |")
    unit = next(line for line in lines if line.startswith("| unit suite"))
    assert "95.00" in unit and "< 90 s" in unit and "| NO" in unit
    floor = next(line for line in lines if "empty app" in line)
    assert "1.00" in floor


def test_results_document_fits_the_schema_and_round_trips():
    rows = bench.summarize(_samples(), {"deploy.prod": "failed"})
    machine = {k: None for k in bench.MACHINE_KEYS} | {"cpu_count": 2, "python": "3.11"}
    doc = json.loads(json.dumps(bench.results_document(rows, machine, {"synth": 3, "suite": 1, "deploy": 1})))
    assert bench.validate_results(doc) == []
    prod = doc["measurements"]["synth.prod"]
    assert prod["samples"] == [9.0, 11.0, 10.0] and prod["median"] == 10.0 and prod["ratio_to_floor"] == 2.5
    assert prod["target"] == "<= 2.5x floor" and prod["met"] is True
    assert doc["measurements"]["deploy.prod"]["error"] == "failed"


def test_validate_results_reports_what_is_wrong():
    rows = bench.summarize(_samples())
    doc = bench.results_document(rows, {"date": "x"}, {})
    doc["measurements"]["synth.prod"]["median"] = 1.0
    problems = bench.validate_results(doc)
    assert "machine.cpu_count: missing" in problems
    assert "measurements.synth.prod.median: not the median of its samples" in problems
    assert bench.validate_results({}) == [
        "schema: expected 1, got None",
        "machine: missing",
        "runs: missing",
        "measurements: missing",
    ]


def test_machine_facts_fit_the_schema():
    facts = bench.machine_facts()
    assert set(bench.MACHINE_KEYS) <= set(facts)
    assert facts["cpu_count"] >= 1


def test_empty_app_floor_is_a_real_synth(tmp_path: Path):
    """One real run of the floor measurement (its duration is not checked)."""
    seconds = bench.measure_empty_floor(tmp_path)
    assert seconds > 0
    assert (tmp_path / "empty_app.py").read_text() == bench.EMPTY_APP
    assert [p.name for p in tmp_path.iterdir()] == ["empty_app.py"]  # its output folder is gone


def test_the_prod_synth_measurement_synthesizes(tmp_path):
    """prod pages someone or is refused (a protected environment); the bench synthesizes it
    with the local pager, as the gate and the tests do. Without it `make bench` measured no
    prod synth and no prod deploy ("its alarms would page no one")."""
    from webstack_tools import bench

    cmd, cwd, context = bench.synth_commands(tmp_path, bench.project_root())["synth.prod"]
    assert context["config"]["alarms"]["subscribers"]
    out = tmp_path / "out"
    out.mkdir()
    seconds, _cpu = bench.timed_run(cmd, cwd=cwd, env=bench.synth_env(out, context))
    assert seconds > 0 and (out / "manifest.json").exists()
