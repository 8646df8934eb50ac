#!/usr/bin/python3
"""Plots `rwttt bench sweep` CSV: decode tok/s and p99 TPOT vs streams, one line per policy.

    rwttt bench sweep -o sweep.csv
    python3 bench/plot_sweep.py sweep.csv docs/img/sweep.svg      # .svg or .png by the name
    python3 bench/plot_sweep.py lact.csv docs/img/lact.svg --by-chunk --streams 32

With --by-chunk the x axis is the chunk size instead, for one stream count (--streams, default the
largest), and the second panel shows the worst gap between a stream's consecutive tokens (ITL
max: the WRITE stalls) beside the p99 TPOT.

Needs Debian's matplotlib (`apt-get install python3-matplotlib`); nothing else in the build or the
tests uses it. One panel pair per chunk size would repeat the same picture (the chunk barely moves
the result, docs/paper-reproduction.md), so the figure shows the chunk given by --chunk (default:
the middle one in the file) and marks the paper's point (8 streams).
"""
import argparse
import csv
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

PAPER = {"rwttt": 274.61, "sequential": 274.61 / 9.31, "replicas": 274.61 / 3.44}
STYLE = {"rwttt": "tab:blue", "sequential": "tab:red", "replicas": "tab:green"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("out", help="output image, .svg or .png")
    ap.add_argument("--chunk", type=int, help="chunk size to plot (default: the middle one)")
    ap.add_argument("--by-chunk", action="store_true", help="x axis: chunk size")
    ap.add_argument("--streams", type=int, help="with --by-chunk: the stream count to plot")
    args = ap.parse_args()

    rows = list(csv.DictReader(open(args.csv, newline="")))
    if args.by_chunk:
        plot_by_chunk(rows, args)
        return
    chunks = sorted({int(r["chunk"]) for r in rows})
    chunk = args.chunk if args.chunk is not None else chunks[len(chunks) // 2]
    series = defaultdict(list)
    for r in rows:
        if int(r["chunk"]) == chunk:
            series[r["policy"]].append(
                (int(r["streams"]), float(r["decode_tok_s"]), number(r["tpot_p99_ms"])))

    fig, (ax_tok, ax_tpot) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for policy, points in series.items():
        points.sort()
        streams = [p[0] for p in points]
        color = STYLE.get(policy)
        ax_tok.plot(streams, [p[1] for p in points], marker="o", label=policy, color=color)
        ax_tpot.plot(streams, [p[2] for p in points], marker="o", label=policy, color=color)
        if policy in PAPER:
            ax_tok.plot([8], [PAPER[policy]], marker="*", markersize=12, color=color,
                        linestyle="none")
    ax_tok.set(xscale="log", xlabel="streams", ylabel="decode tok/s (aggregate)",
               title=f"throughput, chunk {chunk} (stars: the paper, 8 streams)")
    ax_tpot.set(xscale="log", yscale="log", xlabel="streams", ylabel="p99 TPOT (ms)",
                title="time per output token, p99")
    finish(fig, (ax_tok, ax_tpot), series, args.out)


def number(field):
    """A CSV field as a float; an empty one (no samples: one output token has no TPOT) as NaN,
    which matplotlib leaves out of the line."""
    return float(field) if field else float("nan")


def finish(fig, axes, series, out, legend_size=None):
    """Ticks at the plotted x values, grids and legends, then the file (an SVG without a date)."""
    for ax in axes:
        ax.set_xticks(sorted({p[0] for pts in series.values() for p in pts}))
        ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=legend_size)
    fig.savefig(out, metadata={"Date": None} if out.endswith(".svg") else None)


def plot_by_chunk(rows, args):
    streams = args.streams or max(int(r["streams"]) for r in rows)
    series = defaultdict(list)
    for r in rows:
        if int(r["streams"]) == streams:
            series[r["policy"]].append((int(r["chunk"]), float(r["decode_tok_s"]),
                                        number(r["tpot_p99_ms"]), number(r["itl_max_ms"])))
    fig, (ax_tok, ax_lat) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for policy, points in sorted(series.items()):
        points.sort()
        chunks = [p[0] for p in points]
        color = STYLE.get(policy)
        ax_tok.plot(chunks, [p[1] for p in points], marker="o", label=policy, color=color)
        ax_lat.plot(chunks, [p[3] for p in points], marker="o", label=f"{policy} ITL max",
                    color=color)
        ax_lat.plot(chunks, [p[2] for p in points], marker=".", linestyle="--",
                    label=f"{policy} TPOT p99", color=color)
    ax_tok.set(xscale="log", xlabel="chunk C (tokens)", ylabel="decode tok/s (aggregate)",
               title=f"throughput, {streams} streams")
    ax_lat.set(xscale="log", yscale="log", xlabel="chunk C (tokens)", ylabel="ms",
               title="worst token gap (ITL max) and p99 TPOT")
    finish(fig, (ax_tok, ax_lat), series, args.out, legend_size="small")


if __name__ == "__main__":
    main()
