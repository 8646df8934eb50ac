"""Runs the rwttt CLI with --json and returns typed results: `check` a history, `replay` a trace.

    report = check("out/h.jsonl")           # Report: report.valid, report.anomalies
    metrics = replay("t.jsonl", model="tiny", policy="rwttt", check=True)   # Metrics

The binary is the `cli` argument, else the RWTTT_CLI environment variable, else `rwttt` on PATH
(a build leaves it at build/cli/rwttt). Anomalies are findings, returned in the Report; only bad
input (the CLI's exit 2) and a missing binary raise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Iterable, Mapping, Sequence

from rwttt.report import Metrics, Report

__all__ = ["CliError", "CliNotFoundError", "find_cli", "check", "replay"]


class CliNotFoundError(FileNotFoundError):
    """No rwttt binary: none given, RWTTT_CLI unset (or not a file) and none on PATH."""


class CliError(RuntimeError):
    """The CLI refused its input (exit 2) or failed otherwise. `returncode`, `stderr` and `argv`
    are the run's; the message is the CLI's own error line."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        lines = [line for line in stderr.splitlines() if line.startswith("rwttt: error")]
        message = lines[-1] if lines else (stderr.strip() or "no message")
        super().__init__(f"{message} (exit {returncode}: {' '.join(argv)})")
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr


def find_cli(cli: str | os.PathLike | None = None) -> str:
    """Returns the path of the rwttt binary: `cli`, else $RWTTT_CLI, else `rwttt` on PATH.

    Raises CliNotFoundError naming the three places when none is an executable file.
    """
    for source, candidate in (("the cli argument", cli),
                              ("RWTTT_CLI", os.environ.get("RWTTT_CLI") or None)):
        if candidate is None:
            continue
        path = os.fspath(candidate)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise CliNotFoundError(f"rwttt CLI not found: {source} names {path!r}, which is not an "
                               "executable file")
    found = shutil.which("rwttt")
    if found is None:
        raise CliNotFoundError("rwttt CLI not found: pass cli=PATH, set RWTTT_CLI, or put rwttt "
                               "on PATH (a build leaves it at build/cli/rwttt)")
    return found


def _run(argv: list[str], ok: Iterable[int], timeout: float | None) -> dict:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode not in ok:
        raise CliError(argv, done.returncode, done.stderr)
    try:
        return json.loads(done.stdout)
    except ValueError as e:
        raise CliError(argv, done.returncode,
                       f"rwttt: error: its output is not JSON ({e}): {done.stdout[:200]!r}")


def check(history: str | os.PathLike, *, no_reference: bool = False,
          max_per_type: int | None = None, serial_order: str | os.PathLike | None = None,
          cli: str | os.PathLike | None = None, timeout: float | None = None) -> Report:
    """Runs `rwttt check HISTORY --json` and returns its Report (valid or not).

    Args:
      history: a history v1 file (.jsonl or .jsonl.zst). A trace its header names is looked for
        in the history's folder, then in this process's working directory.
      no_reference: checks 1-4 only (--no-reference).
      max_per_type: anomalies of each type reported in detail (the CLI's default: 100).
      serial_order: also write an equivalent serial order there (valid histories only); the
        Report's serial_order then has it too.
      cli: the binary (see find_cli); timeout: seconds, then subprocess.TimeoutExpired.

    Raises CliError with the CLI's message on bad input (exit 2), CliNotFoundError without a CLI.
    """
    argv = [find_cli(cli), "check", os.fspath(history), "--json"]
    if no_reference:
        argv.append("--no-reference")
    if max_per_type is not None:
        argv += ["--max-per-type", str(max_per_type)]
    if serial_order is not None:
        argv += ["--serial-order", os.fspath(serial_order)]
    return Report.from_json(_run(argv, (0, 1), timeout))


def replay(trace: str | os.PathLike, *, policy: str | None = None, model: str | None = None,
           hardware: str | None = None, seed: int | None = None,
           policy_opts: Mapping[str, object] | None = None,
           history: str | os.PathLike | None = None, check: bool = False,
           inject: str | None = None, backend: str | None = None, args: Sequence[str] = (),
           cli: str | os.PathLike | None = None, timeout: float | None = None) -> Metrics:
    """Runs `rwttt replay TRACE --json` and returns its Metrics.

    The keyword arguments are the CLI's flags (docs/simulator.md); None leaves the CLI's default
    (policy rwttt, model inplace-ttt-4b, hardware h100-sxm, seed 0). `policy_opts` gives
    --policy-opt key=value pairs; `args` passes any other flags as they are. With `check=True` the
    run's history is checked and Metrics.check holds the Report (a run it finds invalid is
    returned too). Raises as `check` does.
    """
    argv = [find_cli(cli), "replay", os.fspath(trace), "--json"]
    for flag, value in (("--policy", policy), ("--model", model), ("--hardware", hardware),
                        ("--seed", seed), ("--inject", inject), ("--backend", backend)):
        if value is not None:
            argv += [flag, str(value)]
    for key, value in (policy_opts or {}).items():
        argv += ["--policy-opt", f"{key}={value}"]
    if history is not None:
        argv += ["--history", os.fspath(history)]
    if check:
        argv.append("--check")
    argv += list(args)
    return Metrics.from_json(_run(argv, (0, 1) if check else (0,), timeout))
