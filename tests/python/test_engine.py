"""The example engine (examples/python-engine): correct, its histories are valid on random
workloads; with each bug switched in, `rwttt check` names the anomaly that fits the bug."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys

import pytest

pytest.importorskip("numpy", reason="the example engine needs numpy (Debian: python3-numpy)")

import engine  # noqa: E402  (examples/python-engine, on the path by conftest.py)
from rwttt import Request, assert_valid, check  # noqa: E402
from workload import random_workload  # noqa: E402

# What each bug is caught as, measured with `rwttt check` (docs/python.md#the-bugs): the anomaly
# that names the bug, then the follow-on findings the same default run reports beside it.
EXPECTED = {
    "slot-reuse": ("owner-leak", set()),
    "shared-state": ("owner-leak", set()),
    "read-before-commit": ("uncommitted-read", {"stale-read", "program-order", "cycle"}),
    "skip-write": ("missing-step", {"program-order"}),
    "wrong-slot": ("owner-leak", {"stale-read", "lost-update", "cycle"}),
}
ENGINE = os.path.join(os.path.dirname(engine.__file__), "engine.py")

# Configurations of the random-workload tests: (seed, requests, slots, chunk).
CONFIGS = [(seed, 12, slots, chunk) for seed in range(3) for slots, chunk in
           ((1, 1), (2, 3), (4, 8), (3, 5))]


def ids(config: tuple[int, int, int, int]) -> str:
    return "seed{}-n{}-slots{}-C{}".format(*config)


def reproduce(config: tuple[int, int, int, int], bug: str | None = None) -> str:
    """The command that writes the same history."""
    return ("reproduce: python3 examples/python-engine/engine.py --seed {} --requests {} "
            "--slots {} --chunk {}".format(*config) + (f" --bug {bug}" if bug else ""))


def test_every_bug_has_its_expected_anomaly_written_down():
    assert set(EXPECTED) == set(engine.BUGS)


@pytest.mark.parametrize("config", CONFIGS, ids=ids)
def test_correct_engine_histories_are_valid(tmp_path, cli, config):
    seed, count, slots, chunk = config
    path = tmp_path / "h.jsonl"
    result = engine.run(path, random_workload(seed, count, chunk), slots=slots, chunk=chunk,
                        seed=seed)
    report = check(path, cli=cli)
    assert report.valid, f"{reproduce(config)}\n{report.explain()}"
    assert report.steps_checked == result.steps and result.struck == 0
    structure = report.checks["structure"].details
    assert (structure["chunk"], structure["chunk_source"], structure["completeness"]) == (
        chunk, "header", "full")


@pytest.mark.parametrize("bug", sorted(engine.BUGS))
@pytest.mark.parametrize("config", CONFIGS, ids=ids)
def test_each_bug_is_caught_by_its_anomaly(tmp_path, cli, bug, config):
    seed, count, slots, chunk = config
    path = tmp_path / "h.jsonl"
    result = engine.run(path, random_workload(seed, count, chunk), slots=slots, chunk=chunk,
                        seed=seed, bug=bug)
    report = check(path, cli=cli)
    if result.struck == 0:  # e.g. wrong-slot with one slot: the batch row is the slot
        assert report.valid, f"{reproduce(config, bug)}\n{report.explain()}"
        return
    expected, _ = EXPECTED[bug]
    assert expected in report.types, f"{reproduce(config, bug)}\n{report.explain()}"


@pytest.mark.parametrize("bug", sorted(engine.BUGS))
def test_the_default_run_of_each_bug_strikes_and_gives_what_the_docs_say(tmp_path, cli, bug):
    path = tmp_path / "h.jsonl"
    result = engine.run(path, random_workload(0, 16, 8), bug=bug)
    expected, follow_ons = EXPECTED[bug]
    assert result.struck > 0
    assert check(path, cli=cli).types == {expected} | follow_ons


def test_bugs_change_what_the_engine_computes(tmp_path):
    requests = random_workload(0, 16, 8)
    correct = engine.run(tmp_path / "ok.jsonl", requests).outputs
    for bug in engine.BUGS:
        outputs = engine.run(tmp_path / f"{bug}.jsonl", requests, bug=bug).outputs
        assert outputs.keys() == correct.keys()
        assert outputs != correct, bug


def test_batched_outputs_equal_each_request_served_alone(tmp_path):
    requests = random_workload(4, 12, 5)
    batched = engine.run(tmp_path / "b.jsonl", requests, slots=3, chunk=5, seed=4).outputs
    for r in requests:
        alone = engine.run(tmp_path / "a.jsonl", [Request(r.id, 0, r.prompt_tokens,
                                                          r.output_tokens)],
                           slots=1, chunk=5, seed=4).outputs
        assert alone[r.id] == batched[r.id], f"request {r.id}"
        assert len(alone[r.id]) == r.output_tokens


def test_a_seed_gives_the_same_history_byte_for_byte(tmp_path):
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        engine.run(tmp_path / run / "h.jsonl", random_workload(7, 16, 4), chunk=4, seed=7,
                   bug="wrong-slot")
    for name in ("h.jsonl", "h.trace.jsonl"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False), name


def test_torch_runs_the_same_engine(tmp_path, cli):
    pytest.importorskip("torch", reason="optional: Debian's python3-torch is not installed")
    requests = random_workload(2, 12, 8)
    on_numpy = engine.run(tmp_path / "n.jsonl", requests, seed=2)
    on_torch = engine.run(tmp_path / "t.jsonl", requests, seed=2, backend="torch")
    assert on_torch.outputs == on_numpy.outputs
    assert_valid(tmp_path / "t.jsonl", cli=cli)
    with open(tmp_path / "n.jsonl") as n, open(tmp_path / "t.jsonl") as t:
        assert n.readlines()[1:] == t.readlines()[1:]  # the header names the backend


def test_the_command_line_names_the_leak(tmp_path, cli):
    """The issue's acceptance: engine.py --bug slot-reuse, then rwttt check, names the leak."""
    path = tmp_path / "run" / "history.jsonl"
    done = subprocess.run([sys.executable, ENGINE, "--bug", "slot-reuse", "--out", str(path)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0] == (
        "python-engine: 16 requests, 212 steps in 110 batches, 129981 ns (4 slots, C = 8, "
        "numpy); bug slot-reuse struck 12 times")
    text = subprocess.run([cli, "check", str(path)], capture_output=True, text=True)
    assert text.returncode == 1
    assert text.stdout.splitlines()[0] == (
        "INVALID: 212 steps checked, anomalies: 46 owner-leak; 4 of 5 checks ran")
    assert "it accessed another owner's state" in text.stdout


def test_the_command_line_refuses_an_unknown_bug():
    done = subprocess.run([sys.executable, ENGINE, "--bug", "typo"], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "invalid choice: 'typo'" in done.stderr
