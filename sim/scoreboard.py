"""The scoreboard: what the hardware did, held to the golden model, for every design.

Every comparison of gaba (a simulator bench of any design, a board's results over its serial
link) ends in one :class:`Report`: whether the two sides are bit-exact, how many values
disagree, the :class:`Mismatch` that comes first, and what the run cost (simulated clock
cycles and seconds). A design's scoreboard (``gaba.sim.designs``) decodes the hardware's
words with the design's ``amaranth.lib.data`` layouts (:func:`decode`) and feeds each value
and its golden twin to one :class:`Tally`, which counts and remembers the first difference
with where it happened (the trial or presentation, the clock cycle, the step, the neuron...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from amaranth.lib import data

__all__ = ["Mismatch", "Report", "Tally", "decode"]


def decode(layout, word: int) -> dict:
    """A word of ``layout`` (an ``amaranth.lib.data`` layout) as plain data: a struct as a dict
    by field name, an array as a list, a signed field as a negative int where it is one."""

    def plain(value):
        if isinstance(value, int):
            return value
        inner = value.shape()
        if isinstance(inner, data.ArrayLayout):
            return [plain(value[i]) for i in range(inner.length)]
        return {name: plain(value[name]) for name, _ in inner}

    return plain(layout.from_bits(word))


@dataclass(frozen=True)
class Mismatch:
    """The first value where hardware and golden model disagree.

    ``where`` locates it, most general first (e.g. ``{"trial": 3, "cycle": 120, "step": 5,
    "neuron": 2}`` or ``{"phase": "train", "presentation": 7, "cycle": 9000}``); ``index`` is
    the element of an array signal (``q[i, j]``), empty for a scalar.
    """

    signal: str
    golden: int
    hardware: int
    where: dict = field(default_factory=dict)
    index: tuple = ()

    def __getitem__(self, key):
        """A location by name (``mm["trial"]``); None where the design does not name it."""
        return self.where.get(key)

    def describe(self) -> str:
        """One line: where, signal, golden and hardware values."""
        parts, qualifier = [], ""
        for k, v in self.where.items():
            if isinstance(v, str):  # a word that qualifies the next location ("train")
                qualifier += f"{v} "
            elif v is not None:
                parts.append(f"{qualifier}{k} {v}")
                qualifier = ""
        idx = f"[{', '.join(str(i) for i in self.index)}]" if self.index else ""
        head = f"{', '.join(parts)}: " if parts else ""
        return f"{head}{self.signal}{idx} golden {self.golden} hardware {self.hardware}"

    def to_json(self) -> dict:
        return {
            **self.where,
            "signal": self.signal,
            "index": list(self.index),
            "golden": self.golden,
            "hardware": self.hardware,
        }


class Tally:
    """Counts compared and mismatching values and keeps the first :class:`Mismatch`: the
    earliest by clock cycle where the values say when the hardware produced them, else the
    first compared.

    Values are compared as integers (booleans count as 0 and 1), arrays element by element.
    """

    def __init__(self):
        self.compared = 0
        self.mismatches = 0
        self.first: Mismatch | None = None

    def _miss(self, count: int, where: dict, make) -> None:
        """Count ``count`` mismatches; ``make()`` builds the Mismatch if it is the first: the
        first fed, unless both name the clock cycle at which the hardware produced them and
        this one came earlier (values may be fed in another order than they happened)."""
        self.mismatches += count
        first = self.first
        if first is None or (
            where.get("cycle") is not None
            and first["cycle"] is not None
            and where["cycle"] < first["cycle"]
        ):
            self.first = make()

    def value(self, signal: str, golden, hardware, **where) -> bool:
        """Compare one value; True when equal."""
        self.compared += 1
        g, h = int(golden), int(hardware)
        if g != h:
            self._miss(1, where, lambda: Mismatch(signal, g, h, where))
        return g == h

    def fields(self, pairs, **where) -> None:
        """Compare each ``(signal, golden, hardware)`` of ``pairs``."""
        for signal, g, h in pairs:
            self.value(signal, g, h, **where)

    def array(self, signal: str, golden, hardware, *, axes: tuple = (), **where) -> bool:
        """Compare two arrays element by element; True when all are equal.

        The first differing element's index goes into the mismatch's ``index``, or into its
        ``where`` under the names ``axes`` (e.g. ``axes=("neuron",)``).
        """
        g, h = np.asarray(golden), np.asarray(hardware)
        if g.shape != h.shape:
            self.compared += 1
            self._miss(1, where, lambda: Mismatch(f"{signal}.size", g.size, h.size, where))
            return False
        self.compared += g.size
        bad = np.argwhere(g != h)
        if len(bad):
            at = tuple(int(v) for v in bad[0])

            def make():
                if axes:
                    return Mismatch(
                        signal,
                        int(g[at]),
                        int(h[at]),
                        {**where, **dict(zip(axes, at, strict=False))},
                    )
                return Mismatch(signal, int(g[at]), int(h[at]), where, at)

            self._miss(len(bad), where, make)
        return not len(bad)


@dataclass
class Report:
    """Outcome of one comparison of hardware and golden model.

    Parameters
    ----------
    design, source, mode : str
        What ran (a registry name), where (a simulator, or a board's port) and how (the
        design's comparison mode).
    compared : int
        How many ``unit`` were compared (``unit``: "cycles" in lockstep, "trials",
        "values", ...); ``to_json`` names the count ``<unit>_compared``.
    mismatches : int
        Mismatching values; 0 is bit-exact.
    first_mismatch : Mismatch or None
    seconds, cycles : float, int
        Wall time of the simulation (or the board's run) and the clock cycles it took.
    build_seconds : float
        Time spent generating and building the model (small when cached).
    waveform : str or None
        A kept waveform (the run's, or the window of the first mismatch).
    summary : dict
        The design's own JSON fields (n, seed, decided fraction, ...).
    outputs : dict
        What the hardware produced, for experiments built on the comparison (decoded results,
        learned weights, the golden results it was held to, ...); not part of the JSON.
    """

    design: str
    source: str
    mode: str
    compared: int
    unit: str
    mismatches: int
    first_mismatch: Mismatch | None
    seconds: float = 0.0
    cycles: int = 0
    build_seconds: float = 0.0
    waveform: str | None = None
    summary: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)

    @classmethod
    def of(cls, tally: Tally, design: str, source: str, mode: str, compared: int, unit: str, **kw):
        """The report of a finished :class:`Tally`."""
        return cls(design, source, mode, compared, unit, tally.mismatches, tally.first, **kw)

    @property
    def bit_exact(self) -> bool:
        return self.mismatches == 0

    @property
    def cycles_per_second(self) -> float:
        return self.cycles / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict:
        """The keys of ``gaba compare --json`` (and of ``gaba board run --json``)."""
        return {
            "bit_exact": self.bit_exact,
            f"{self.unit}_compared": self.compared,
            "mismatches": self.mismatches,
            "first_mismatch": None
            if self.first_mismatch is None
            else self.first_mismatch.to_json(),
            "design": self.design,
            "simulator": self.source,
            "mode": self.mode,
            **self.summary,
            "waveform": self.waveform,
            "build_seconds": round(self.build_seconds, 3),
            "sim_seconds": round(self.seconds, 3),
            "sim_cycles": self.cycles,
            "cycles_per_second": round(self.cycles_per_second, 1),
        }
