#!/usr/bin/env python3
"""A small batched TTT decode engine that logs its execution history for `rwttt check`.

Each request owns In-Place-TTT fast weights (the MLP's down projection W, [ffn, d_model]) held in
one of a fixed number of slots. A READ batch gathers each owner's W from its slot and runs the
owners' tokens through the model at once (einsum over the batch); a WRITE batch closes each
owner's chunk of C tokens with W <- W + eta * H^T V (H: the chunk's MLP activations, V: its
next-token embeddings) and commits it in place. Requests are admitted in arrival order into free
slots, and every step is logged with rwttt.HistoryRecorder: the stamp (owner, version) the engine
found in the slot, and on a WRITE where it committed. `--bug KIND` switches in one of the bugs real
engines have had (BUGS below); the checker names each.

    python3 examples/python-engine/engine.py --bug slot-reuse     # writes out/python-engine/
    ./build/cli/rwttt check out/python-engine/history.jsonl        # INVALID: ... owner-leak

Time is virtual (integer ns, advanced per batch), so a seed gives the same history every run.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    from rwttt import HistoryRecorder, Request, read_trace, write_trace
except ImportError:  # pragma: no cover - a message for someone running it before installing
    sys.exit("engine.py: the rwttt package is not installed: see docs/python.md (install, or run "
             "with PYTHONPATH=python)")

from tensors import Tensors, tensors
from workload import PROMPTS_STREAM, WEIGHTS_STREAM, philox, random_workload

# Each bug: what the engine does wrong (and the anomaly `rwttt check` names, tests/python).
BUGS = {
    "slot-reuse": "a freed slot is given to the next request without resetting the previous "
                  "owner's fast weights and stamp",
    "shared-state": "naive batching: every request reads and updates one shared state",
    "read-before-commit": "WRITEs run on a side stream and the next READ does not wait: it is "
                          "served from the pre-commit state while the WRITE is in flight",
    "skip-write": "the TTT update only runs on the decode path: the WRITE of a chunk that the "
                  "prompt completes is skipped",
    "wrong-slot": "a WRITE batch scatters its new weights by batch row, not by the owner's slot",
}

# Virtual time of a batch: a launch plus a cost per token (ns). A host launch of an asynchronous
# batch takes HOST_LAUNCH_NS.
LAUNCH_NS, READ_TOKEN_NS, WRITE_TOKEN_NS, HOST_LAUNCH_NS = 1000, 40, 20, 200


@dataclass(frozen=True)
class Shape:
    """The model: vocabulary, hidden size, MLP width, and eta of the TTT update."""

    vocab: int = 64
    d_model: int = 16
    ffn: int = 32
    eta: float = 0.5


@dataclass
class Owner:
    """A request being served: where its state is and how far its program got."""

    request: Request
    slot: int
    ids: list[int]          # token ids: the prompt, then each generated token
    chunk_h: Any            # [C, ffn] MLP activations of the current chunk, by token % C
    pos: int = 0            # the next token to READ
    version: int = 0        # WRITEs this engine committed for the owner (the tags it logs)
    closing: int | None = None  # the chunk end the next WRITE closes, when one is due

    @property
    def done(self) -> bool:
        r = self.request
        return self.pos == r.prompt_tokens + r.output_tokens and self.closing is None


@dataclass
class Result:
    """What a run produced: each request's output token ids, and its size."""

    outputs: dict[int, list[int]]
    steps: int = 0
    batches: int = 0
    struck: int = 0         # how many times the bug changed what the engine did
    end_ns: int = 0


@dataclass
class _Commit:
    end_ns: int
    slot: int
    weights: Any
    stamp: tuple[int, int]


class Engine:
    """Serves requests in batches over `slots` state slots and logs every step to `recorder`.

    REQUIRES: chunk >= 1, slots >= 1, every request's prompt_tokens >= 1 (the first READ needs a
    token), requests in order of arrival. `bug` is None or a key of BUGS.
    """

    def __init__(self, recorder: HistoryRecorder, *, slots: int = 4, chunk: int = 8,
                 seed: int = 0, bug: str | None = None, backend: Tensors | None = None,
                 shape: Shape = Shape()) -> None:
        if bug is not None and bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}: one of {', '.join(BUGS)}")
        self.rec, self.slots, self.chunk, self.seed, self.bug = recorder, slots, chunk, seed, bug
        self.t = backend or Tensors()
        self.shape = shape
        rng = philox(seed, WEIGHTS_STREAM)
        self.embed = self.t.from_numpy(rng.normal(size=(shape.vocab, shape.d_model))
                                       / np.sqrt(shape.d_model))       # [vocab, d_model]
        self.w_up = self.t.from_numpy(rng.normal(size=(shape.d_model, shape.ffn))
                                      / np.sqrt(shape.d_model))        # [d_model, ffn]
        self.w0 = self.t.from_numpy(rng.normal(size=(shape.ffn, shape.d_model))
                                    / np.sqrt(shape.ffn))              # [ffn, d_model]
        self.weights = self.t.zeros((slots, shape.ffn, shape.d_model))  # [slots, ffn, d_model]
        self.stamps: list[tuple[int, int] | None] = [None] * slots     # (owner, version) per slot
        self.clock = 0                       # when the host can launch the next batch (ns)
        self.write_stream_free = 0           # when the last WRITE batch ends (ns)
        self.in_flight: list[_Commit] = []   # read-before-commit: WRITEs not yet landed
        self.result = Result(outputs={})

    # Admission ---------------------------------------------------------------------------------

    def _admit(self, request: Request, seat: int) -> Owner:
        slot = 0 if self.bug == "shared-state" else seat
        self._land_commits(slot=slot)  # reusing a slot waits for the writes to it
        fresh = self.stamps[slot] is None
        if self.bug == "shared-state" and not fresh:
            self.result.struck += 1     # the one shared state is initialised once, never reset
        elif self.bug == "slot-reuse" and not fresh:
            self.result.struck += 1     # the reset below is what the bug forgets
        else:
            self.weights[slot] = self.w0
            self.stamps[slot] = (request.id, 0)
        prompt = philox(self.seed, PROMPTS_STREAM + request.id).integers(
            0, self.shape.vocab, size=request.prompt_tokens)
        return Owner(request, slot, [int(i) for i in prompt],
                     self.t.zeros((self.chunk, self.shape.ffn)))

    def _land_commits(self, *, until_ns: int | None = None, slot: int | None = None) -> None:
        """Applies the in-flight WRITEs that ended by `until_ns`, and all those to `slot`."""
        keep = []
        for c in self.in_flight:
            if (until_ns is not None and c.end_ns <= until_ns) or c.slot == slot:
                self.weights[c.slot] = c.weights
                self.stamps[c.slot] = c.stamp
            else:
                keep.append(c)
        self.in_flight = keep

    # Batches -----------------------------------------------------------------------------------

    def _read_batch(self, owners: list[Owner]) -> None:
        C, P = self.chunk, [o.request.prompt_tokens for o in owners]
        spans = [(o.pos, min(p, (o.pos // C + 1) * C) if o.pos < p else o.pos + 1)
                 for o, p in zip(owners, P)]
        lengths = [b - a for a, b in spans]
        start = self.clock
        self._land_commits(until_ns=start)
        end = start + LAUNCH_NS + READ_TOKEN_NS * sum(lengths)
        ids = np.zeros((len(owners), max(lengths)), dtype=np.int64)   # [B, L], padded with 0
        for i, (o, (a, b)) in enumerate(zip(owners, spans)):
            ids[i, :b - a] = o.ids[a:b]
        x = self.embed[self.t.index(ids)]                                # [B, L, d_model]
        h = self.t.tanh(self.t.einsum("bld,df->blf", x, self.w_up))     # [B, L, ffn]
        w = self.weights[self.t.index([o.slot for o in owners])]        # [B, ffn, d_model]
        y = x + self.t.einsum("blf,bfd->bld", h, w)                     # each owner's own W
        rows = self.t.index(range(len(owners)))
        last = y[rows, self.t.index([n - 1 for n in lengths])]          # [B, d_model]
        next_ids = self.t.argmax(self.t.einsum("bd,vd->bv", last, self.embed))
        with self.rec.batch(start, end) as batch:
            for i, (o, (a, b)) in enumerate(zip(owners, spans)):
                batch.read(o.request.id, o.version, (a, b), slot=o.slot, seen=self.stamps[o.slot])
                o.chunk_h[a % C:a % C + b - a] = h[i, :b - a]
                o.pos = b
                if b == len(o.ids):               # past the prompt: the READ generated token b
                    o.ids.append(next_ids[i])
                if b % C == 0:
                    if self.bug == "skip-write" and b <= o.request.prompt_tokens:
                        self.result.struck += 1   # the prefill path forgets the update
                    else:
                        o.closing = b
        self._finish_batch(len(owners), end, clock=end)

    def _write_batch(self, owners: list[Owner]) -> None:
        C = self.chunk
        start = max(self.clock, self.write_stream_free)
        self._land_commits(until_ns=start)
        end = start + LAUNCH_NS + WRITE_TOKEN_NS * C * len(owners)
        slots = [o.slot for o in owners]
        seen = [self.stamps[s] for s in slots]
        targets = np.array([o.ids[o.closing - C + 1:o.closing + 1] for o in owners])  # [B, C]
        h = self.t.zeros((len(owners), C, self.shape.ffn))              # [B, C, ffn]
        for i, o in enumerate(owners):
            h[i] = o.chunk_h
        v = self.embed[self.t.index(targets)]                           # [B, C, d_model]
        new = (self.weights[self.t.index(slots)]
               + self.shape.eta * self.t.einsum("bcf,bcd->bfd", h, v))  # W + eta H^T V
        commit_slots = slots
        if self.bug == "wrong-slot":
            commit_slots = list(range(len(owners)))  # the scatter index is the batch row
            self.result.struck += sum(1 for s, r in zip(slots, commit_slots) if s != r)
        commits = [_Commit(end, c, new[i], (o.request.id, o.version + 1))
                   for i, (o, c) in enumerate(zip(owners, commit_slots))]
        if self.bug == "read-before-commit":
            self.in_flight += commits             # lands at `end`; nobody waits for it
            self.write_stream_free = end
            self.result.struck += len(owners)
        else:
            for c in commits:
                self.weights[c.slot] = c.weights
                self.stamps[c.slot] = c.stamp
        with self.rec.batch(start, end) as batch:
            for o, s, c in zip(owners, seen, commits):
                batch.write(o.request.id, o.version, (o.closing - C, o.closing), slot=o.slot,
                            seen=s, commit=(c.slot, c.stamp[1]))
                o.version += 1
                o.closing = None
        asynchronous = self.bug == "read-before-commit"
        self._finish_batch(len(owners), end, clock=start + HOST_LAUNCH_NS if asynchronous else end)

    def _finish_batch(self, size: int, end: int, *, clock: int) -> None:
        """Counts a batch that ends at `end`; the host is free for the next one at `clock`."""
        self.result.steps += size
        self.result.batches += 1
        self.result.end_ns = max(self.result.end_ns, end)
        self.clock = clock

    # The serving loop --------------------------------------------------------------------------

    def serve(self, requests: list[Request]) -> Result:
        """Serves `requests` to completion and returns their outputs. Each iteration admits the
        requests that have arrived into free slots (lowest first), then runs one batch: every
        owner whose next step is a WRITE, else every owner's next READ."""
        self.result = Result(outputs={})
        waiting = list(requests)
        seats: list[Owner | None] = [None] * self.slots
        while waiting or any(o is not None for o in seats):
            for seat in range(self.slots):
                if seats[seat] is None and waiting and waiting[0].arrival_ns <= self.clock:
                    seats[seat] = self._admit(waiting.pop(0), seat)
            active = [o for o in seats if o is not None]
            if not active:
                self.clock = max(self.clock, waiting[0].arrival_ns)
                continue
            writes = [o for o in active if o.closing is not None]
            if writes:
                self._write_batch(writes)
            else:
                self._read_batch(active)
            for seat, o in enumerate(seats):
                if o is not None and o.done:
                    r = o.request
                    self.result.outputs[r.id] = o.ids[r.prompt_tokens:r.prompt_tokens
                                                      + r.output_tokens]
                    seats[seat] = None
        self._land_commits(until_ns=self.result.end_ns)
        return self.result


def run(history: str | os.PathLike, requests: list[Request], *, slots: int = 4, chunk: int = 8,
        seed: int = 0, bug: str | None = None, backend: str = "numpy") -> Result:
    """Serves `requests` and writes the history to `history` and the workload beside it
    (h.jsonl -> h.trace.jsonl), named in the header with `chunk`, so that `rwttt check history`
    checks the chunk rule and every step of every program. Returns the Result."""
    history = os.fspath(history)
    stem = history[:-len(".jsonl")] if history.endswith(".jsonl") else history
    trace = stem + ".trace.jsonl"
    write_trace(trace, requests)
    policy = "python-engine" + (f" --bug {bug}" if bug else "")
    with HistoryRecorder(history, policy=policy, chunk=chunk, trace=trace, seed=seed,
                         backend=backend) as rec:
        engine = Engine(rec, slots=slots, chunk=chunk, seed=seed, bug=bug,
                        backend=tensors(backend))
        return engine.serve(requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="A batched TTT decode engine that logs history format v1 for rwttt check.",
        epilog="bugs: " + "; ".join(f"{k}: {v}" for k, v in BUGS.items()))
    parser.add_argument("--requests", type=int, default=16, help="random requests (default 16)")
    parser.add_argument("--trace", help="serve this native trace instead of random requests")
    parser.add_argument("--slots", type=int, default=4, help="state slots (default 4)")
    parser.add_argument("--chunk", type=int, default=8, help="C, tokens per chunk (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="workload and weights (default 0)")
    parser.add_argument("--bug", choices=sorted(BUGS), help="switch in one bug")
    parser.add_argument("--backend", choices=("numpy", "torch"), default="numpy")
    parser.add_argument("--out", default="out/python-engine/history.jsonl",
                        help="the history (default out/python-engine/history.jsonl); the trace "
                             "goes beside it as .trace.jsonl")
    args = parser.parse_args(argv)
    if args.slots < 1 or args.chunk < 1 or args.requests < 0:
        parser.error("--slots and --chunk must be at least 1, --requests at least 0")
    requests = (read_trace(args.trace) if args.trace
                else random_workload(args.seed, args.requests, args.chunk))
    if any(r.prompt_tokens < 1 for r in requests):
        parser.error("every request needs a prompt of at least 1 token")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    result = run(args.out, requests, slots=args.slots, chunk=args.chunk, seed=args.seed,
                 bug=args.bug, backend=args.backend)
    bug = f"; bug {args.bug} struck {result.struck} times" if args.bug else ""
    print(f"python-engine: {len(requests)} requests, {result.steps} steps in {result.batches} "
          f"batches, {result.end_ns} ns ({args.slots} slots, C = {args.chunk}, "
          f"{args.backend}){bug}")
    print(f"wrote {args.out}; check it with: rwttt check {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
