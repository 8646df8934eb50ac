#!/usr/bin/env python3
"""Replays the public Mooncake and Azure traces with and without the KV cache term.

For each trace (its first ten minutes, whole and with a 10% sample of its requests, so once
overloaded and once not) it replays rwttt on the inplace-ttt-4b preset on one h100-sxm twice: as the preset is (Qwen3-4B's attention: every READ
reads its context's K and V, every owner reserves its KV for prompt + output) and with the
attention fields removed (no KV, as rwttt did before), and prints one Markdown table row per run.

    python3 bench/kv_analysis.py build/cli/rwttt [../shared/traces]

Standard library only. docs/performance.md#the-kv-cache shows the table and what it means.
"""
import json
import os
import subprocess
import sys
import tempfile

TRACES = [("Mooncake conversation", "mooncake/conversation_trace.jsonl", "mooncake"),
          ("Azure LLM 2023 conv", "azure-llm-2023/AzureLLMInferenceTrace_conv.csv", "azure")]
ATTENTION = ("attention_heads", "attention_kv_heads", "attention_head_dim", "kv_dtype",
             "attention_window")


def replay(rwttt, path, fmt, model, sample):
    out = subprocess.run([rwttt, "replay", path, "--format", fmt, "--window", "0,600", "--sample",
                          str(sample), "--model", model, "--hardware", "h100-sxm", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["metrics"]


def row(name, sample, kv, m):
    ms = lambda summary, q: summary[q] / 1e6 if summary[q] is not None else float("nan")
    largest = max(int(k) for k in m["batch_sizes"])
    return (f"| {name} | {sample:g} | {kv} | {m['requests']} | {largest} | {ms(m['ttft'], 'p50_ns') / 1e3:.2f} | "
            f"{ms(m['ttft'], 'p99_ns') / 1e3:.2f} | {ms(m['tpot'], 'p50_ns'):.2f} | "
            f"{ms(m['tpot'], 'p99_ns'):.2f} | {m['output_tokens_per_s']:.1f} | "
            f"{m['makespan_s']:.0f} | {m['peak_memory_bytes'] / 2**30:.2f} |")


def main():
    rwttt = sys.argv[1] if len(sys.argv) > 1 else "build/cli/rwttt"
    traces = sys.argv[2] if len(sys.argv) > 2 else os.path.join("..", "shared", "traces")
    preset = json.loads(subprocess.run([rwttt, "profiles", "--show", "inplace-ttt-4b"], check=True,
                                       capture_output=True, text=True).stdout)
    without = {k: v for k, v in preset.items() if k not in ATTENTION}
    without["name"] = "inplace-ttt-4b-without-kv"
    print("| trace (first 600 s) | sample | KV cache | requests | largest batch | TTFT p50 (s) | "
          "TTFT p99 (s) | TPOT p50 (ms) | TPOT p99 (ms) | output tok/s | makespan (s) | "
          "peak memory (GiB) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(without, f)
        f.flush()
        for name, rel, fmt in TRACES:
            path = os.path.join(traces, rel)
            if not os.path.exists(path):
                print(f"| {name} | | skipped: {path} is absent | | | | | | | | | |")
                continue
            for sample in (1, 0.1):
                print(row(name, sample, "counted",
                          replay(rwttt, path, fmt, "inplace-ttt-4b", sample)))
                print(row(name, sample, "left out", replay(rwttt, path, fmt, f.name, sample)))


if __name__ == "__main__":
    main()
