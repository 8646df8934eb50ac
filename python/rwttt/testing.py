"""A test helper: fail a test with the checker's own explanation when a history is not valid.

    def test_my_engine_keeps_owners_apart(tmp_path):
        run_engine(history=tmp_path / "h.jsonl")
        assert_valid(tmp_path / "h.jsonl")
"""

from __future__ import annotations

import os
from typing import Any

from rwttt.cli import check
from rwttt.report import Report

__all__ = ["assert_valid"]


def assert_valid(history: str | os.PathLike, **options: Any) -> Report:
    """Checks `history` with `rwttt.check(history, **options)` and returns the Report when valid.

    Raises AssertionError whose message is the checker's verdict and explanations (the verdict
    line, each anomaly with its steps, what did not run) when it is not. Bad input and a missing
    CLI raise as `rwttt.check` does: they are errors, not findings.
    """
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    report = check(history, **options)
    if not report.valid:
        raise AssertionError(f"{os.fspath(history)}: {report.explain()}")
    return report
