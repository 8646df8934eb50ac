"""Records an execution history in rwttt's history format v1 (docs/checker.md#history-format-v1).

A serving loop logs every step it executes; `rwttt check` (or `rwttt.check`) then judges whether
the batched run was equivalent to serving each request alone:

    with HistoryRecorder("out/h.jsonl", policy="mine", chunk=8) as rec:
        with rec.batch(start_ns=0, end_ns=900) as b:
            b.read(owner=0, version=0, tokens=(0, 8), slot=0, seen=(0, 0))

Each step is validated as it is logged, one line at a time: a wrong type, a missing or misspelt
field, a WRITE without its commit fields raise `FieldError` naming the field, at the line of the
engine that made it. What needs more than one line to see (steps in order of `start_ns`, unique
step ids, one effect per batch, the programs, the stamps) is left to the checker, which reports it
as an anomaly: the recorder never hides an engine's bug.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

__all__ = ["FieldError", "HistoryRecorder", "Batch", "validate_step"]

_U64_MAX = 2**64 - 1
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_CHUNK_MAX = 2**31 - 1
_HEX = re.compile(r"[0-9a-fA-F]{1,16}")
_SPEC = "docs/checker.md#history-format-v1"

# The step fields of format v1, in the order the simulator writes them.
_REQUIRED = ("owner", "effect", "version", "tokens", "start_ns", "end_ns", "slot", "seen_owner",
             "seen_version")
_OPTIONAL = ("step", "batch", "commit_slot", "commit_version", "out_digest", "state_digest")
_ORDER = ("step", "batch", "owner", "effect", "version", "tokens", "start_ns", "end_ns", "slot",
          "seen_owner", "seen_version", "commit_slot", "commit_version", "out_digest",
          "state_digest")


class FieldError(ValueError):
    """A step or header field that format v1 does not allow.

    `field` is the field's name (as in the history: "seen_version", "commit_slot"); `step` is the
    step id when known. The message names both and points to the format's spec.
    """

    def __init__(self, field: str, message: str, step: int | None = None) -> None:
        where = f"step {step}: " if step is not None else ""
        super().__init__(f"{where}{field}: {message} (see {_SPEC})")
        self.field = field
        self.step = step


def _uint(field: str, value: Any, step: int | None, limit: int = _U64_MAX) -> int:
    # bool is an int in Python; a True slot is a logging bug, not slot 1.
    if type(value) is not int:
        raise FieldError(field, f"expected an unsigned integer, got {value!r}", step)
    if not 0 <= value <= limit:
        raise FieldError(field, f"expected an unsigned integer at most {limit}, got {value}", step)
    return value


def _int(field: str, value: Any, step: int | None) -> int:
    if type(value) is not int or not _I64_MIN <= value <= _I64_MAX:
        raise FieldError(field, f"expected a 64-bit integer (nanoseconds), got {value!r}", step)
    return value


def _digest(field: str, value: Any, step: int | None) -> str:
    if type(value) is int and 0 <= value <= _U64_MAX:
        return f"{value:016x}"
    if isinstance(value, str) and _HEX.fullmatch(value):
        return value
    raise FieldError(field, f"expected 1 to 16 hex digits or an unsigned 64-bit int, got "
                     f"{value!r}", step)


def _optional_str(field: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise FieldError(field, f"expected a string or None, got {value!r}")
    return None if value is None else os.fspath(value)


def validate_step(fields: dict[str, Any]) -> dict[str, Any]:
    """Returns the step as format v1 writes it (fields in the simulator's order, digests as hex).

    Raises FieldError naming the first field that is missing, unknown, of the wrong type or out of
    range; a WRITE must carry `commit_slot` and `commit_version`, a READ neither. Fields whose name
    starts with "x_" are a system's own (the checker ignores them) and are written after the rest.
    Judges one step alone: order, uniqueness and stamps are the checker's.
    """
    step = fields.get("step")
    step = step if type(step) is int else None
    for name in fields:
        if name not in _REQUIRED and name not in _OPTIONAL and not name.startswith("x_"):
            raise FieldError(name, "unknown step field (a system's own fields are named x_...)",
                             step)
    for name in _REQUIRED:
        if fields.get(name) is None:
            raise FieldError(name, "missing required field", step)

    out: dict[str, Any] = {}
    if fields.get("step") is not None:
        out["step"] = _uint("step", fields["step"], step)
    if fields.get("batch") is not None:
        out["batch"] = _uint("batch", fields["batch"], step)
    out["owner"] = _uint("owner", fields["owner"], step)
    effect = fields["effect"]
    if effect not in ("READ", "WRITE"):
        raise FieldError("effect", f'expected "READ" or "WRITE", got {effect!r}', step)
    out["effect"] = effect
    out["version"] = _uint("version", fields["version"], step)
    tokens = fields["tokens"]
    if not isinstance(tokens, (tuple, list)) or len(tokens) != 2:
        raise FieldError("tokens", f"expected [first, end), got {tokens!r}", step)
    first, end = (_uint("tokens", t, step) for t in tokens)
    if first > end:
        raise FieldError("tokens", f"first {first} is after end {end}", step)
    out["tokens"] = [first, end]
    out["start_ns"] = _int("start_ns", fields["start_ns"], step)
    out["end_ns"] = _int("end_ns", fields["end_ns"], step)
    if out["end_ns"] < out["start_ns"]:
        raise FieldError("end_ns", f"{out['end_ns']} is before start_ns {out['start_ns']}", step)
    out["slot"] = _uint("slot", fields["slot"], step)
    out["seen_owner"] = _uint("seen_owner", fields["seen_owner"], step)
    out["seen_version"] = _uint("seen_version", fields["seen_version"], step)

    write_only, read_only = ("commit_slot", "commit_version", "state_digest"), ("out_digest",)
    for name in read_only if effect == "WRITE" else write_only:
        if fields.get(name) is not None:
            raise FieldError(name, f"not allowed on a {effect} step", step)
    if effect == "WRITE":
        for name in ("commit_slot", "commit_version"):
            if fields.get(name) is None:
                raise FieldError(name, "missing field required on a WRITE step", step)
            out[name] = _uint(name, fields[name], step)
    for name in ("out_digest", "state_digest"):
        if fields.get(name) is not None:
            out[name] = _digest(name, fields[name], step)
    for name, value in fields.items():
        if name.startswith("x_"):
            out[name] = value
    return out


def _pair(name: str, value: Any, first: str, second: str, step: int | None) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise FieldError(name, f"expected ({first}, {second}), got {value!r}", step)
    return value[0], value[1]


class HistoryRecorder:
    """Writes a history v1 file: the header at once, then one line per logged step.

    REQUIRES: steps are logged in order of `start_ns` (the checker reports any that are not as
    `malformed`). Step ids are given in logging order from 0 unless a step names its own; batch ids
    likewise from `batch()`.

    Args:
      path: the history file (.jsonl); its folder must exist. An existing file is replaced.
      policy: the scheduler's name, shown in reports (or None).
      chunk: the engine's chunk size C in tokens (1 to 2^31 - 1), so that the chunk rule is checked
        with it; None lets the checker infer C from the first WRITE.
      trace: a native trace file (docs/formats.md#trace) with the run's requests, so that
        completeness is checked too; written relative to the history's folder when it lies in or
        below it (as `rwttt replay` does), so that `rwttt check` finds it from any directory.
      base_slot: the slot an engine that shares version 0 copy-on-write reads every owner's
        version 0 from (docs/checker.md, "The base slot"); None (the default) writes no field.
      backend, seed, model, hardware: the header's other fields; a Python engine names no model
        (check 5, the serial reference, runs rwttt's own model and cannot judge another's digests).

    The file is complete once `close()` ran (the context manager calls it, also on an exception, so
    that the steps before a crash can be checked).
    """

    def __init__(self, path: str | os.PathLike, *, policy: str | None, chunk: int | None,
                 trace: str | os.PathLike | None = None, backend: str | None = None,
                 seed: int | None = None, model: str | None = None,
                 hardware: str | None = None, base_slot: int | None = None) -> None:
        self.path = os.fspath(path)
        header: dict[str, Any] = {"format": "rwttt-history", "version": 1,
                                  "policy": _optional_str("policy", policy),
                                  "seed": None if seed is None else _uint("seed", seed, None),
                                  "backend": _optional_str("backend", backend),
                                  "trace": self._trace_name(_optional_str("trace", trace)),
                                  "model": _optional_str("model", model),
                                  "hardware": _optional_str("hardware", hardware),
                                  "chunk": None}
        if chunk is not None:
            if type(chunk) is not int or not 1 <= chunk <= _CHUNK_MAX:
                raise FieldError("chunk", f"expected 1 to {_CHUNK_MAX} tokens or None, got "
                                 f"{chunk!r}")
            header["chunk"] = chunk
        if base_slot is not None:
            header["base_slot"] = _uint("base_slot", base_slot, None)
        self.header = header
        self._next_step = 0
        self._next_batch = 0
        self.steps_written = 0
        self._next_move = 0
        self._file = open(self.path, "w", encoding="utf-8", newline="\n")
        self._emit(header)

    def _trace_name(self, trace: str | None) -> str | None:
        if trace is None:
            return None
        folder = os.path.dirname(os.path.abspath(self.path))
        absolute = os.path.abspath(trace)
        relative = os.path.relpath(absolute, folder)
        inside = relative != os.pardir and not relative.startswith(os.pardir + os.sep)
        return relative if inside else absolute

    def _emit(self, obj: dict[str, Any]) -> None:
        self._file.write(json.dumps(obj, separators=(",", ":")) + "\n")

    def step(self, **fields: Any) -> int:
        """Logs one step given by its format v1 fields; returns its step id.

        Raises FieldError (nothing is written) when a field is wrong; see `validate_step`.
        """
        if self._file.closed:
            raise ValueError(f"{self.path}: the recorder is closed")
        if fields.get("step") is None:
            fields["step"] = self._next_step
        line = validate_step(fields)
        self._next_step = max(self._next_step, line["step"] + 1)
        ordered = {k: line[k] for k in _ORDER if k in line}
        ordered.update((k, v) for k, v in line.items() if k.startswith("x_"))
        self._emit(ordered)
        self.steps_written += 1
        return line["step"]

    def read(self, owner: int, version: int, tokens: tuple[int, int], *, start_ns: int,
             end_ns: int, slot: int, seen: tuple[int, int], **fields: Any) -> int:
        """Logs a READ of `tokens` = [first, end) tagged `version`, which found the stamp
        `seen` = (seen_owner, seen_version) in `slot`. Returns the step id."""
        seen_owner, seen_version = _pair("seen", seen, "seen_owner", "seen_version",
                                         fields.get("step", self._next_step))
        return self.step(owner=owner, effect="READ", version=version, tokens=tokens,
                         start_ns=start_ns, end_ns=end_ns, slot=slot, seen_owner=seen_owner,
                         seen_version=seen_version, **fields)

    def write(self, owner: int, version: int, tokens: tuple[int, int], *, start_ns: int,
              end_ns: int, slot: int, seen: tuple[int, int], commit: tuple[int, int],
              **fields: Any) -> int:
        """Logs a WRITE of chunk `tokens` tagged `version` that found `seen` in `slot` and wrote
        `commit` = (commit_slot, commit_version): where it actually wrote. Returns the step id."""
        step = fields.get("step", self._next_step)
        seen_owner, seen_version = _pair("seen", seen, "seen_owner", "seen_version", step)
        commit_slot, commit_version = _pair("commit", commit, "commit_slot", "commit_version",
                                            step)
        return self.step(owner=owner, effect="WRITE", version=version, tokens=tokens,
                         start_ns=start_ns, end_ns=end_ns, slot=slot, seen_owner=seen_owner,
                         seen_version=seen_version, commit_slot=commit_slot,
                         commit_version=commit_version, **fields)

    def move(self, owner: int, *, from_slot: int, to_slot: int, start_ns: int, end_ns: int,
             seen: tuple[int, int], move: int | None = None) -> int:
        """Logs a move (docs/checker.md#moves-a-host-tier): `owner`'s state, stamped `seen` =
        (seen_owner, seen_version), copied from `from_slot` to `to_slot` over [start_ns, end_ns]
        (an offload to host memory, whose slots the engine numbers as slots of their own, or a
        restore). Move ids count on their own (the next unless given). Returns the move id.

        Raises FieldError (nothing is written) when a field is wrong."""
        if self._file.closed:
            raise ValueError(f"{self.path}: the recorder is closed")
        move_id = self._next_move if move is None else _uint("move", move, None)
        seen_owner, seen_version = _pair("seen", seen, "seen_owner", "seen_version", None)
        line = {"move": move_id, "owner": _uint("owner", owner, None),
                "from_slot": _uint("from_slot", from_slot, None),
                "to_slot": _uint("to_slot", to_slot, None),
                "start_ns": _int("start_ns", start_ns, None),
                "end_ns": _int("end_ns", end_ns, None),
                "seen_owner": _uint("seen_owner", seen_owner, None),
                "seen_version": _uint("seen_version", seen_version, None)}
        if line["end_ns"] < line["start_ns"]:
            raise FieldError("end_ns", f"{end_ns} is before start_ns {start_ns}")
        self._next_move = max(self._next_move, move_id + 1)
        self._emit(line)
        return move_id

    def batch(self, start_ns: int, end_ns: int, *, batch: int | None = None) -> Batch:
        """Returns a Batch whose steps all carry one batch id (the next one unless given) and the
        interval [start_ns, end_ns]. Use it as a context manager; it refuses steps after its
        block ends."""
        if batch is None:
            batch = self._next_batch
        _uint("batch", batch, None)
        _int("start_ns", start_ns, None)
        _int("end_ns", end_ns, None)
        if end_ns < start_ns:
            raise FieldError("end_ns", f"{end_ns} is before start_ns {start_ns}")
        self._next_batch = max(self._next_batch, batch + 1)
        return Batch(self, batch, start_ns, end_ns)

    def close(self) -> None:
        """Flushes and closes the file. Idempotent."""
        self._file.close()

    def __enter__(self) -> HistoryRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Batch:
    """One launch: `read` and `write` as on HistoryRecorder, with the batch id and interval filled
    in. Made by `HistoryRecorder.batch`."""

    def __init__(self, recorder: HistoryRecorder, batch: int, start_ns: int, end_ns: int) -> None:
        self.recorder = recorder
        self.id = batch
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.steps: list[int] = []
        self._open = True

    def _fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        if not self._open:
            raise ValueError(f"batch {self.id} is closed: log its steps inside its with-block")
        for name in ("batch", "start_ns", "end_ns"):
            if name in fields:
                raise FieldError(name, f"set by the batch (batch {self.id})", fields.get("step"))
        return dict(fields, batch=self.id, start_ns=self.start_ns, end_ns=self.end_ns)

    def read(self, owner: int, version: int, tokens: tuple[int, int], *, slot: int,
             seen: tuple[int, int], **fields: Any) -> int:
        """Logs a READ in this batch; see HistoryRecorder.read."""
        step = self.recorder.read(owner, version, tokens, slot=slot, seen=seen,
                                  **self._fields(fields))
        self.steps.append(step)
        return step

    def write(self, owner: int, version: int, tokens: tuple[int, int], *, slot: int,
              seen: tuple[int, int], commit: tuple[int, int], **fields: Any) -> int:
        """Logs a WRITE in this batch; see HistoryRecorder.write."""
        step = self.recorder.write(owner, version, tokens, slot=slot, seen=seen, commit=commit,
                                   **self._fields(fields))
        self.steps.append(step)
        return step

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self._open = False
