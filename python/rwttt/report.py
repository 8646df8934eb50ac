"""Typed views of the CLI's JSON: `rwttt check --json` (Report) and `rwttt replay --json` (Metrics).

Each is built from the CLI's parsed JSON by `from_json` and gives it back by `to_json`; `raw` keeps
the object as the CLI printed it, so fields added by a later rwttt (format v1 only ever adds) stay
reachable:

    report = Report.from_json(json.loads(stdout))
    report.valid, report.types          # False, frozenset({'owner-leak'})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Anomaly", "CheckStatus", "Report", "Latency", "Metrics"]

# The checks of `rwttt check`, in the order they run (docs/checker.md#the-checks).
CHECKS = ("structure", "owner-isolation", "version-linearizability", "dependency-graph",
          "serial-reference")


@dataclass(frozen=True)
class Anomaly:
    """One finding: its `type` ("owner-leak", "stale-read", ...), the `owner` (None for a cycle
    across owners), the `steps` involved (step ids), the checker's `explanation` in words, and on
    a `cycle` its Adya class (`G0`, `G1c`, `G-single`, `G2`)."""

    type: str
    owner: int | None
    steps: tuple[int, ...]
    explanation: str
    cycle_class: str | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Anomaly:
        return cls(obj["type"], obj.get("owner"), tuple(obj["steps"]), obj["explanation"],
                   obj.get("cycle_class"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "owner": self.owner, "steps": list(self.steps)}
        if self.cycle_class is not None:
            out["cycle_class"] = self.cycle_class
        out["explanation"] = self.explanation
        return out

    def __str__(self) -> str:
        owner = f" (owner {self.owner})" if self.owner is not None else ""
        steps = ", ".join(map(str, self.steps))
        return f"{self.type}{owner}: steps {steps}\n  {self.explanation}"


@dataclass(frozen=True)
class CheckStatus:
    """Whether one check ran, why not (`reason`), and what it reports besides (`details`: for
    "structure", `chunk`, `chunk_source`, `completeness`, `completeness_note`)."""

    ran: bool
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CheckStatus:
        details = {k: v for k, v in obj.items() if k not in ("ran", "reason")}
        return cls(obj["ran"], obj.get("reason"), details)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ran": self.ran}
        if self.reason is not None:
            out["reason"] = self.reason
        out.update(self.details)
        return out


@dataclass(frozen=True)
class Report:
    """The checker's verdict on one history (docs/checker.md#reports).

    `valid` means every check that ran found nothing. `anomalies` are those reported in detail
    (at most `max_per_type` of each type); `counts` has every anomaly found, by type, and `types`
    their names. `serial_order` is given only when asked for (`serial_order=` in `rwttt.check`).
    """

    valid: bool
    steps_checked: int
    anomalies: tuple[Anomaly, ...]
    counts: dict[str, int]
    checks: dict[str, CheckStatus]
    serial_order: tuple[int, ...] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Report:
        order = obj.get("serial_order")
        return cls(valid=obj["valid"], steps_checked=obj["steps_checked"],
                   anomalies=tuple(Anomaly.from_json(a) for a in obj["anomalies"]),
                   counts=dict(obj["counts"]),
                   checks={k: CheckStatus.from_json(v) for k, v in obj["checks"].items()},
                   serial_order=None if order is None else tuple(order), raw=obj)

    def to_json(self) -> dict[str, Any]:
        """The report as the CLI prints it (without fields this version does not know)."""
        out: dict[str, Any] = {"valid": self.valid, "steps_checked": self.steps_checked,
                               "anomalies": [a.to_json() for a in self.anomalies],
                               "counts": dict(self.counts),
                               "checks": {k: v.to_json() for k, v in self.checks.items()}}
        if self.serial_order is not None:
            out["serial_order"] = list(self.serial_order)
        return out

    @property
    def types(self) -> frozenset[str]:
        """The type of every anomaly found, detailed or only counted."""
        return frozenset(t for t, n in self.counts.items() if n > 0)

    def of_type(self, type_: str) -> list[Anomaly]:
        """The detailed anomalies of one type, in the order found."""
        return [a for a in self.anomalies if a.type == type_]

    @property
    def chunk(self) -> int | None:
        """The chunk size C the checker used (None when unknown)."""
        structure = self.checks.get("structure")
        return None if structure is None else structure.details.get("chunk")

    def summary(self) -> str:
        """The CLI's verdict line, e.g. "INVALID: 9 steps checked, anomalies: 2 owner-leak; 4 of 5
        checks ran"."""
        ran = sum(1 for c in self.checks.values() if c.ran)
        checks = (f"all {len(self.checks)} checks ran" if ran == len(self.checks)
                  else f"{ran} of {len(self.checks)} checks ran")
        if self.valid:
            return f"valid: {self.steps_checked} steps checked, no anomalies; {checks}"
        found = ", ".join(f"{n} {t}" for t, n in self.counts.items())
        return f"INVALID: {self.steps_checked} steps checked, anomalies: {found}; {checks}"

    def explain(self) -> str:
        """The verdict, each detailed anomaly with its steps and explanation, the counts of those
        not shown and the checks that did not run: what `rwttt check` prints, from the JSON."""
        parts = [self.summary()]
        parts += [str(a) for a in self.anomalies]
        hidden = [f"... and {n - len(self.of_type(t))} more {t} anomalies not shown"
                  for t, n in self.counts.items() if n > len(self.of_type(t))]
        skipped = [f"{name} check skipped: {status.reason}"
                   for name, status in self.checks.items() if not status.ran]
        parts += ["\n".join(block) for block in (hidden, skipped) if block]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.explain()


@dataclass(frozen=True)
class Latency:
    """A latency distribution in nanoseconds (nearest-rank percentiles). A metric with no samples
    has count 0 and None elsewhere (never 0)."""

    count: int
    mean_ns: float | None
    p50_ns: int | None
    p90_ns: int | None
    p99_ns: int | None
    max_ns: int | None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Latency:
        return cls(obj["count"], obj["mean_ns"], obj["p50_ns"], obj["p90_ns"], obj["p99_ns"],
                   obj["max_ns"])

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "mean_ns": self.mean_ns, "p50_ns": self.p50_ns,
                "p90_ns": self.p90_ns, "p99_ns": self.p99_ns, "max_ns": self.max_ns}


_RUN = ("trace", "policy", "model", "hardware", "seed", "backend", "timing", "faults_injected")
_COUNTS = ("requests", "steps", "batches", "prompt_tokens", "output_tokens", "first_arrival_ns",
           "last_completion_ns", "makespan_s", "output_tokens_per_s", "requests_per_s")
_LATENCIES = ("ttft", "tpot", "itl", "e2e", "admission_wait")
_DEVICE = ("lanes", "busy_fraction", "peak_memory_bytes", "budget_bytes", "peak_admitted",
           "offloads", "restores", "peak_host_bytes")


@dataclass(frozen=True)
class Metrics:
    """What `rwttt replay --json` reports (docs/simulator.md#the-report): what ran, then the
    metrics. Rates are None for a makespan of 0; `batch_sizes` maps a batch size to how many
    batches had it; `check` is the checker's report when the replay ran with `check=True`."""

    trace: str
    policy: str
    model: str
    hardware: str
    seed: int
    backend: str
    timing: str
    faults_injected: int
    requests: int
    steps: int
    batches: int
    prompt_tokens: int
    output_tokens: int
    first_arrival_ns: int | None
    last_completion_ns: int | None
    makespan_s: float
    output_tokens_per_s: float | None
    requests_per_s: float | None
    ttft: Latency
    tpot: Latency
    itl: Latency
    e2e: Latency
    admission_wait: Latency
    batch_sizes: dict[int, int]
    lanes: int
    busy_fraction: float | None
    peak_memory_bytes: int
    budget_bytes: int
    # The most owners admitted at once, and the host tier's copies (docs/simulator.md); None from
    # an rwttt that did not report them.
    peak_admitted: int | None = None
    offloads: int | None = None
    restores: int | None = None
    peak_host_bytes: int | None = None
    check: Report | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Metrics:
        m = obj["metrics"]
        check = obj.get("check")
        return cls(**{k: obj[k] for k in _RUN}, **{k: m.get(k) for k in _COUNTS},
                   **{k: Latency.from_json(m[k]) for k in _LATENCIES},
                   batch_sizes={int(k): v for k, v in m["batch_sizes"].items()},
                   **{k: m.get(k) for k in _DEVICE},
                   check=None if check is None else Report.from_json(check), raw=obj)

    def to_json(self) -> dict[str, Any]:
        """The report as the CLI prints it (without fields this version does not know)."""
        metrics: dict[str, Any] = {k: getattr(self, k) for k in _COUNTS}
        metrics.update((k, getattr(self, k).to_json()) for k in _LATENCIES)
        metrics["batch_sizes"] = {str(k): v for k, v in self.batch_sizes.items()}
        metrics.update((k, getattr(self, k)) for k in _DEVICE)
        out: dict[str, Any] = {k: getattr(self, k) for k in _RUN}
        out["metrics"] = metrics
        if self.check is not None:
            out["check"] = self.check.to_json()
        return out
