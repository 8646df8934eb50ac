"""The few tensor operations the engine uses, on numpy arrays or (optionally) torch tensors.

The engine's math is written once against `Tensors`; only creation and conversion differ:

    t = tensors("numpy")                   # or "torch", where Debian's python3-torch is installed
    y = t.einsum("bld,bdf->blf", x, w)     # batched over the batch dimension b

Everything is float64 on the CPU, so that a run is deterministic and the two agree to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Tensors:
    """numpy implementation; TorchTensors overrides what differs."""

    name = "numpy"

    def from_numpy(self, array: np.ndarray) -> Any:
        """A float64 (or int64 for integer input) tensor holding a copy of `array`."""
        return np.array(array, dtype=np.int64 if array.dtype.kind in "iu" else np.float64)

    def zeros(self, shape: tuple[int, ...]) -> Any:
        return np.zeros(shape, dtype=np.float64)

    def einsum(self, spec: str, *operands: Any) -> Any:
        return np.einsum(spec, *operands)

    def tanh(self, x: Any) -> Any:
        return np.tanh(x)

    def argmax(self, x: Any) -> list[int]:
        """Row-wise argmax of a [rows, n] tensor, as Python ints (first index on ties)."""
        return [int(i) for i in np.argmax(x, axis=-1)]

    def index(self, indices: list[int] | np.ndarray) -> Any:
        """An index tensor for gathering and scattering along the first dimension."""
        return np.asarray(indices, dtype=np.int64)


class TorchTensors(Tensors):
    name = "torch"

    def __init__(self) -> None:
        import torch  # optional: only this backend needs it

        self.torch = torch

    def from_numpy(self, array: np.ndarray) -> Any:
        return self.torch.from_numpy(np.ascontiguousarray(super().from_numpy(array)))

    def zeros(self, shape: tuple[int, ...]) -> Any:
        return self.torch.zeros(shape, dtype=self.torch.float64)

    def einsum(self, spec: str, *operands: Any) -> Any:
        return self.torch.einsum(spec, *operands)

    def tanh(self, x: Any) -> Any:
        return self.torch.tanh(x)

    def argmax(self, x: Any) -> list[int]:
        return [int(i) for i in self.torch.argmax(x, dim=-1).tolist()]

    def index(self, indices: list[int] | np.ndarray) -> Any:
        return self.torch.as_tensor(np.asarray(indices, dtype=np.int64))


def tensors(name: str) -> Tensors:
    """The backend called `name` ("numpy" or "torch"). Raises ImportError when torch is asked for
    and not installed, ValueError for another name."""
    if name == "numpy":
        return Tensors()
    if name == "torch":
        return TorchTensors()
    raise ValueError(f"unknown backend {name!r}: numpy or torch")
