"""check, replay and assert_valid run the CLI and give back everything its JSON says, typed."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

import rwttt
from rwttt import CliError, CliNotFoundError, Report, assert_valid, check, replay

HEADER = ('{"format":"rwttt-history","version":1,"policy":"mine","seed":null,"backend":"cpu",'
          '"trace":null,"model":null,"hardware":null}')
READ0 = ('{"step":0,"owner":0,"effect":"READ","version":0,"tokens":[0,4],"start_ns":0,'
         '"end_ns":10,"slot":0,"seen_owner":0,"seen_version":0}')
WRITE1 = ('{"step":1,"owner":0,"effect":"WRITE","version":0,"tokens":[0,4],"start_ns":10,'
          '"end_ns":20,"slot":0,"seen_owner":0,"seen_version":0,"commit_slot":0,'
          '"commit_version":1}')

# Histories of docs/checker.md: a valid one and one per anomaly the wrappers must carry.
HISTORIES = {
    "valid": [READ0, WRITE1,
              '{"step":2,"owner":0,"effect":"READ","version":1,"tokens":[4,5],"start_ns":20,'
              '"end_ns":30,"slot":0,"seen_owner":0,"seen_version":1}'],
    "owner-leak": [READ0,
                   '{"step":1,"owner":1,"effect":"READ","version":0,"tokens":[0,4],"start_ns":0,'
                   '"end_ns":10,"slot":0,"seen_owner":0,"seen_version":0}'],
    "cycle": [READ0, WRITE1,
              '{"step":2,"owner":1,"effect":"READ","version":0,"tokens":[0,2],"start_ns":30,'
              '"end_ns":40,"slot":0,"seen_owner":0,"seen_version":0}'],
}


@pytest.fixture
def history(tmp_path):
    def make(name: str) -> str:
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join([HEADER] + HISTORIES[name]) + "\n", encoding="utf-8")
        return str(path)
    return make


def cli_json(cli: str, *args: str) -> tuple[dict, str]:
    done = subprocess.run([cli, *args], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stdout


def test_check_types_a_valid_report(cli, history):
    report = check(history("valid"), cli=cli)
    assert report.valid and report.steps_checked == 3 and report.anomalies == ()
    assert report.chunk == 4 and report.checks["structure"].details["chunk_source"] == "inferred"
    assert not report.checks["serial-reference"].ran
    assert "names no trace" in report.checks["serial-reference"].reason
    assert report.summary() == "valid: 3 steps checked, no anomalies; 4 of 5 checks ran"


def test_check_types_each_anomaly(cli, history):
    report = check(history("cycle"), cli=cli)
    assert not report.valid and report.types == {"owner-leak", "cycle"}
    leak, = report.of_type("owner-leak")
    assert (leak.owner, leak.steps, leak.cycle_class) == (1, (2,), None)
    assert "it accessed another owner's state" in leak.explanation
    cycle, = report.of_type("cycle")
    assert (cycle.owner, cycle.steps, cycle.cycle_class) == (None, (1, 2), "G-single")


@pytest.mark.parametrize("name", sorted(HISTORIES))
@pytest.mark.parametrize("args", [(), ("--max-per-type", "0")], ids=["all", "none-detailed"])
def test_check_round_trips_the_cli_json(cli, history, name, args):
    path = history(name)
    expected, _ = cli_json(cli, "check", path, "--json", *args)
    report = check(path, cli=cli, max_per_type=int(args[1]) if args else None)
    assert report.to_json() == expected and report.raw == expected
    assert Report.from_json(expected) == report


def test_check_summary_and_explanations_match_the_cli_text(cli, history):
    path = history("owner-leak")
    text = subprocess.run([cli, "check", path], capture_output=True, text=True).stdout
    report = check(path, cli=cli)
    assert text.splitlines()[0] == report.summary()
    for anomaly in report.anomalies:
        assert anomaly.explanation in text
    hidden = check(path, cli=cli, max_per_type=0)
    assert hidden.anomalies == () and hidden.counts == {"owner-leak": 2}
    assert "... and 2 more owner-leak anomalies not shown" in hidden.explain()


def test_check_gives_the_serial_order(cli, history, tmp_path):
    report = check(history("valid"), cli=cli, serial_order=tmp_path / "order.txt")
    assert report.serial_order == (0, 1, 2)
    assert (tmp_path / "order.txt").read_text().split() == ["0", "1", "2"]


def test_bad_input_raises_the_cli_message(cli, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(HEADER + "\n" + WRITE1.replace(',"commit_version":1', "") + "\n")
    with pytest.raises(CliError, match=r"bad.jsonl:2: commit_version: missing field") as error:
        check(path, cli=cli)
    assert error.value.returncode == 2


def test_a_missing_binary_names_where_it_was_looked_for(tmp_path, monkeypatch):
    with pytest.raises(CliNotFoundError, match="the cli argument names"):
        check(tmp_path / "h.jsonl", cli=tmp_path / "no-such-rwttt")
    monkeypatch.setenv("RWTTT_CLI", str(tmp_path / "nope"))
    with pytest.raises(CliNotFoundError, match="RWTTT_CLI names"):
        rwttt.find_cli()
    monkeypatch.delenv("RWTTT_CLI")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CliNotFoundError, match="pass cli=PATH, set RWTTT_CLI, or put rwttt on "
                                               "PATH"):
        replay(tmp_path / "t.jsonl")


def test_the_cli_is_found_through_the_environment(cli, history, monkeypatch):
    monkeypatch.setenv("RWTTT_CLI", cli)
    assert check(history("valid")).valid


@pytest.fixture
def trace(tmp_path):
    path = tmp_path / "t.jsonl"
    rwttt.write_trace(path, [rwttt.Request(0, 0, 4, 1), rwttt.Request(1, 100, 20, 9)])
    return str(path)


def test_replay_types_the_metrics(cli, trace):
    metrics = replay(trace, model="tiny", policy="rwttt", seed=3, cli=cli)
    assert (metrics.policy, metrics.model, metrics.seed, metrics.requests) == ("rwttt", "tiny", 3,
                                                                              2)
    assert metrics.output_tokens == 10 and metrics.check is None
    assert metrics.ttft.count == 2 and metrics.tpot.count == 1
    assert sum(metrics.batch_sizes.values()) == metrics.batches


@pytest.mark.parametrize("options", [{}, {"check": True}, {"check": True, "inject": "stale-read"},
                                     {"policy": "sequential"}],
                         ids=["plain", "checked", "injected", "sequential"])
def test_replay_round_trips_the_cli_json(cli, trace, options):
    args = ["replay", trace, "--json", "--model", "tiny", "--backend", "cpu"]
    args += ["--check"] if options.get("check") else []
    args += ["--inject", options["inject"]] if "inject" in options else []
    args += ["--policy", options["policy"]] if "policy" in options else []
    expected, _ = cli_json(cli, *args)
    metrics = replay(trace, model="tiny", backend="cpu", cli=cli, **options)
    assert metrics.to_json() == expected and metrics.raw == expected


def test_replay_with_check_carries_the_report(cli, trace, tmp_path):
    metrics = replay(trace, model="tiny", backend="cpu", inject="stale-read", check=True,
                     history=tmp_path / "h.jsonl", cli=cli)
    assert metrics.faults_injected >= 1
    assert not metrics.check.valid and "stale-read" in metrics.check.types
    assert check(tmp_path / "h.jsonl", cli=cli).counts == metrics.check.counts


def test_replay_without_samples_gives_none(cli, tmp_path):
    path = tmp_path / "one.jsonl"
    rwttt.write_trace(path, [rwttt.Request(0, 0, 4, 1)])
    metrics = replay(path, model="tiny", cli=cli)
    assert metrics.tpot.count == 0 and metrics.tpot.mean_ns is None and metrics.tpot.p99_ns is None


def test_replay_bad_input_raises(cli, tmp_path):
    with pytest.raises(CliError, match="cannot open"):
        replay(tmp_path / "missing.jsonl", cli=cli)


def test_assert_valid_passes_a_valid_history_and_returns_its_report(cli, history, monkeypatch):
    monkeypatch.setenv("RWTTT_CLI", cli)
    assert assert_valid(history("valid")).steps_checked == 3


def test_assert_valid_fails_with_the_checkers_explanation(cli, history, monkeypatch):
    monkeypatch.setenv("RWTTT_CLI", cli)
    path = history("owner-leak")
    with pytest.raises(AssertionError) as error:
        assert_valid(path)
    message = str(error.value)
    assert message.startswith(f"{path}: INVALID: 2 steps checked, anomalies: 2 owner-leak")
    assert ("step 1 (owner 1, READ of tokens [0,4) at version 0) read slot 0, which was stamped "
            "for owner 0 (version 0): it accessed another owner's state") in message
    assert "serial-reference check skipped" in message


def test_the_package_imports_nothing_outside_the_standard_library():
    package = os.path.dirname(rwttt.__file__)
    for name in sorted(os.listdir(package)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(package, name), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top == "rwttt" or top in sys.stdlib_module_names, f"{name}: {module}"
