"""Native trace files (docs/formats.md#trace): the requests of a run, one JSON object a line.

A history whose header names its trace is checked for completeness: every step of every
request's program must appear.

    write_trace("out/h.trace.jsonl", [Request(id=0, arrival_ns=0, prompt_tokens=12,
                                              output_tokens=5)])
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterable

__all__ = ["Request", "write_trace", "read_trace"]

_TOKENS_MAX = 2**31 - 1
_U64_MAX = 2**64 - 1
_SPEC = "docs/formats.md#trace"


@dataclass(frozen=True)
class Request:
    """One request: an owner of the history. Times in integer nanoseconds, lengths in tokens."""

    id: int
    arrival_ns: int
    prompt_tokens: int
    output_tokens: int

    def __post_init__(self) -> None:
        for name, limit in (("id", _U64_MAX), ("arrival_ns", _U64_MAX),
                            ("prompt_tokens", _TOKENS_MAX), ("output_tokens", _TOKENS_MAX)):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= limit:
                raise ValueError(f"request {self.id!r}: {name}: expected an unsigned integer at "
                                 f"most {limit}, got {value!r} (see {_SPEC})")


def write_trace(path: str | os.PathLike, requests: Iterable[Request]) -> None:
    """Writes `requests` as a native trace, replacing `path`.

    REQUIRES: arrivals are non-decreasing and ids unique, as the native reader requires (it never
    sorts); ValueError names the first request that breaks either.
    """
    lines, seen, last = [], set(), 0
    for r in requests:
        if r.id in seen:
            raise ValueError(f"request {r.id}: id used twice (see {_SPEC})")
        if r.arrival_ns < last:
            raise ValueError(f"request {r.id}: arrival_ns {r.arrival_ns} is before the previous "
                             f"request's {last}: a trace is in order of arrival (see {_SPEC})")
        seen.add(r.id)
        last = r.arrival_ns
        lines.append(json.dumps({"id": r.id, "arrival_ns": r.arrival_ns,
                                 "prompt_tokens": r.prompt_tokens,
                                 "output_tokens": r.output_tokens}, separators=(",", ":")))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def read_trace(path: str | os.PathLike) -> list[Request]:
    """Returns the requests of a native trace (as `rwttt gen` writes it), in file order.

    An optional per-request "seed" is ignored. Raises ValueError naming the line for a line that
    is not a request object; `rwttt trace stats` gives the full diagnosis of a bad file.
    """
    requests = []
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                requests.append(Request(obj["id"], obj["arrival_ns"], obj["prompt_tokens"],
                                        obj["output_tokens"]))
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"{os.fspath(path)}:{number}: not a request: {e} (see {_SPEC})")
    return requests
