"""rwttt for Python: record a serving loop's execution history and check it with rwttt.

    from rwttt import HistoryRecorder, check
    with HistoryRecorder("out/h.jsonl", policy="mine", chunk=8) as rec:
        ...                                   # rec.batch(...).read(...) / .write(...) per step
    report = check("out/h.jsonl")             # runs `rwttt check --json`

Standard library only; the checker itself is the rwttt CLI (see docs/python.md).
"""

from rwttt.cli import CliError, CliNotFoundError, check, find_cli, replay
from rwttt.recorder import Batch, FieldError, HistoryRecorder, validate_step
from rwttt.report import Anomaly, CheckStatus, Latency, Metrics, Report
from rwttt.testing import assert_valid
from rwttt.trace import Request, read_trace, write_trace

__version__ = "0.1.0"

__all__ = ["Anomaly", "Batch", "CheckStatus", "CliError", "CliNotFoundError", "FieldError",
           "HistoryRecorder", "Latency", "Metrics", "Report", "Request", "assert_valid", "check",
           "find_cli", "read_trace", "replay", "validate_step", "write_trace"]
