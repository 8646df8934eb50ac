"""Random workloads for the example engine, deterministic by seed.

    requests = random_workload(seed=3, count=16, chunk=8)   # prompts 1..3C, outputs 1..2C tokens

Randomness comes from numpy's Philox generator keyed by (seed, stream), one stream per use, so the
workload, the model's weights and each request's prompt are independent and reproducible: stream
0 is the workload, 1 the weights, 2 + id the prompt of request id (the same batched or alone).
"""

from __future__ import annotations

import numpy as np

from rwttt import Request

WORKLOAD_STREAM, WEIGHTS_STREAM, PROMPTS_STREAM = 0, 1, 2


def philox(seed: int, stream: int) -> np.random.Generator:
    """A generator keyed by (seed, stream). REQUIRES: 0 <= seed < 2^64, 0 <= stream < 2^64."""
    return np.random.Generator(np.random.Philox(key=(stream << 64) | seed))


def random_workload(seed: int, count: int, chunk: int, mean_gap_ns: int = 4000) -> list[Request]:
    """`count` requests with ids 0..count-1 in arrival order: exponential gaps of mean
    `mean_gap_ns` (integer ns, the first at 0), prompts of 1 to 3*chunk tokens and outputs of 1 to
    2*chunk, uniformly. The gaps are short next to a batch (about 2 us) so that requests queue
    for slots and slots are reused."""
    rng = philox(seed, WORKLOAD_STREAM)
    gaps = rng.exponential(mean_gap_ns, size=count)
    prompts = rng.integers(1, 3 * chunk, size=count, endpoint=True)
    outputs = rng.integers(1, 2 * chunk, size=count, endpoint=True)
    requests, arrival = [], 0
    for i in range(count):
        if i > 0:
            arrival += int(gaps[i])
        requests.append(Request(id=i, arrival_ns=arrival, prompt_tokens=int(prompts[i]),
                                output_tokens=int(outputs[i])))
    return requests
