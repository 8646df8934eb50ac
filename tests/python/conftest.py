"""Shared fixtures of the Python tests: the rwttt CLI, and the example engine on the import path.

ctest (label `python`) sets RWTTT_CLI to this build's binary and PYTHONPATH to the source tree's
package; run by hand, `python3 -m pytest tests/python` tests the installed package and finds the
CLI in RWTTT_CLI, on PATH, or at build/cli/rwttt.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINE_DIR = os.path.join(REPO, "examples", "python-engine")
if ENGINE_DIR not in sys.path:
    sys.path.insert(0, ENGINE_DIR)

_BUILT = os.path.join(REPO, "build", "cli", "rwttt")
if not os.environ.get("RWTTT_CLI") and shutil.which("rwttt") is None and os.path.isfile(_BUILT):
    os.environ["RWTTT_CLI"] = _BUILT


def pytest_report_header(config: pytest.Config) -> list[str]:
    import rwttt

    return [f"rwttt package: {os.path.dirname(rwttt.__file__)}",
            f"rwttt CLI: {os.environ.get('RWTTT_CLI') or shutil.which('rwttt') or 'not found'}"]


@pytest.fixture(scope="session")
def cli() -> str:
    """The rwttt binary; the test is skipped, saying why, when there is none (a RWTTT_CLI that
    names no binary is an error)."""
    import rwttt

    try:
        return rwttt.find_cli()
    except rwttt.CliNotFoundError as e:
        if os.environ.get("RWTTT_CLI"):
            raise
        pytest.skip(str(e))
