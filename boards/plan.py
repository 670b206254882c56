"""``gaba plan``: which folded networks fit a board, and what each would cost and decide.

For a board and n the planner lists every lane count K (a power of two below n) with its
predicted logic, flip-flops, block RAMs, DSP blocks, fmax, clocks per step
(``gaba.hdl.folded.pass_clocks``), decision latency at delta = 0.1 and decisions per second.

Where the predictions come from:

- logic and flip-flops: a fixed part (the host link, the trial engine, the trees'
  accumulators) plus a part per lane, fitted to real builds of the board (:data:`COSTS`,
  each with the builds it was fitted to; docs/boards.md holds them against the predictions);
- block RAMs: counted from the memories' shapes (each lane's ``state``, ``gen`` and
  generator-constant ROM, ``rows`` deep, a ROM of :data:`SMALL_ROM` rows or fewer in logic,
  a memory of :data:`LUT_RAM_DEPTH` rows or fewer in LUT RAM;
  the host link's INFO ROM) and the device's block RAM aspect ratios, the
  cheapest for each memory (what the memory mapper picks);
- fmax: the lowest the board's builds reached (it barely depends on K or n: the lanes are
  alike and the trees are pipelined); the clock is the board's PLL setting at or below it;
- steps to decide: the golden model's mean at delta = 0.1 (a few trials, numba), times the
  clocks per step, at that clock.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from gaba.golden.config import Config

__all__ = [
    "COSTS",
    "LUT_RAM_DEPTH",
    "SMALL_ROM",
    "BoardCosts",
    "Option",
    "lane_memories",
    "memory_blocks",
    "plan",
]

#: A ROM this deep or shallower is built in logic, not block RAM (what Yosys' memory mapper
#: chose for the generator constants at 64 rows on both families).
SMALL_ROM = 64

#: Memories this deep or shallower go to the device's LUT RAM, not block RAM (the ECP5 build
#: of n = 256 with 16 lanes: every 16-row lane memory; the iCE40 has no LUT RAM).
LUT_RAM_DEPTH = {"ice40": 0, "ecp5": 16}

#: Block RAM aspect ratios (depth, width) of each device family.
RAM_SHAPES = {
    "ice40": ((256, 16), (512, 8), (1024, 4), (2048, 2)),
    "ecp5": ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1)),
}


@dataclass(frozen=True)
class BoardCosts:
    """A board's measured costs of the folded network (nWTA, latency 1).

    ``luts = fixed_luts + lane_luts * K`` (and the same for flip-flops), fitted to
    ``builds``; ``fmax_mhz``: the lowest fmax of those builds; ``pll_mhz``: the clock the
    planner assumes (a PLL setting below fmax); ``family``: for block RAM shapes.
    """

    family: str
    fixed_luts: float
    lane_luts: float
    fixed_ffs: float
    lane_ffs: float
    fmax_mhz: float
    pll_mhz: float
    builds: tuple[str, ...]


# ULX3S: fitted to its two builds (LUTs and FFs = fixed + per lane * K)
# (n = 1024, K = 16: 21336 LUTs, 9373 FFs, 60.91 MHz; n = 16384, K = 32: 35490, 15688, 54.98)
ULX_FIXED_LUTS, ULX_LANE_LUTS = 7182, 884.625
ULX_FIXED_FFS, ULX_LANE_FFS = 3058, 394.6875
ULX_FMAX = 54.98

#: From the builds in docs/boards.md ("Folded networks"), each a
#: ``gaba build nwta --board B --n N --lanes K --latency 1 --pll-mhz F --json``.
COSTS: dict[str, BoardCosts] = {
    # one lane: n = 1024 (4287 logic cells, 2406 FFs); a lane more: n = 512 with two lanes
    # against one after synthesis, +874 LUT4 and +500 FFs, as logic cells at the one-lane
    # build's ratio of cells to LUT4 (1.53) (two lanes did not place: see the docs)
    "icebreaker": BoardCosts(
        family="ice40",
        fixed_luts=4287 - 1336,
        lane_luts=1336,
        fixed_ffs=2406 - 500,
        lane_ffs=500,
        fmax_mhz=24.54,
        pll_mhz=24.0,
        builds=("n=1024 K=1 L=1", "n=1024 K=1 L=0", "n=512 K=1 L=1", "n=512 K=2 L=1 (synthesis)"),
    ),
    # n = 1024 with 16 lanes and n = 16384 with 32
    "ulx3s": BoardCosts(
        family="ecp5",
        fixed_luts=ULX_FIXED_LUTS,
        lane_luts=ULX_LANE_LUTS,
        fixed_ffs=ULX_FIXED_FFS,
        lane_ffs=ULX_LANE_FFS,
        fmax_mhz=ULX_FMAX,
        pll_mhz=50.0,
        builds=("n=1024 K=16 L=1", "n=16384 K=32 L=1"),
    ),
}


def memory_blocks(family: str, depth: int, width: int) -> int:
    """Block RAMs a ``depth`` x ``width`` memory takes in its cheapest aspect ratio."""
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in RAM_SHAPES[family])


def lane_memories(cfg: Config) -> list[tuple[str, int, int]]:
    """(name, depth, width) of one lane's memories."""
    from gaba.hdl import folded

    rows = folded.rows(cfg)
    return [
        ("state", rows, folded.state_word(cfg).size),
        ("gen", rows, folded.gen_word(cfg).size),
        ("salt", rows, 32),
    ]


@dataclass(frozen=True)
class Option:
    """One lane count's predicted build and behaviour."""

    lanes: int
    luts: int
    ffs: int
    brams: int
    dsps: int
    fmax_mhz: float
    clock_mhz: float
    clocks_per_step: int
    decision_latency_us: float
    decisions_per_second: float
    fits: bool

    def to_dict(self) -> dict:
        return asdict(self)


def fixed_brams(family: str) -> int:
    """Block RAMs outside the lanes on a folded network's board top: the host link's INFO ROM
    (both families; the result FIFO, 4 deep, is flip-flops or LUT RAM)."""
    return 1


def mean_steps(cfg: Config, trials: int, seed: int = 1) -> float:
    """The golden model's mean decision steps (decided trials) for ``cfg``."""
    from gaba.golden import fixed

    res = fixed.run_trials(cfg, trials, seed)
    steps = res.steps[res.decided]
    return float(steps.mean()) if steps.size else float(cfg.max_steps)


def plan(board: str, n: int, *, latency: int = 1, delta: float = 0.1, trials: int = 20):
    """The folded networks of nWTA with ``n`` options on ``board``, one :class:`Option` per
    lane count K = 1, 2, 4, ... < n (``fits``: within the device's logic and block RAMs)."""
    from gaba.boards.platforms import board as board_spec
    from gaba.hdl import folded

    spec = board_spec(board)
    costs = COSTS.get(board)
    if costs is None:
        raise ValueError(f"no measured folded-network costs for {board!r}")
    cap_luts = next(iter(spec.capacity.values()))
    cap_brams = spec.capacity["block RAMs"]
    base = Config.paper(n=n, latency=latency, delta=delta)
    steps = mean_steps(base, trials)
    out = []
    k = 1
    while k < n:
        cfg = base.replace(lanes=k)
        luts = round(costs.fixed_luts + costs.lane_luts * k)
        ffs = round(costs.fixed_ffs + costs.lane_ffs * k)
        lane = sum(
            memory_blocks(costs.family, d, w)
            for name, d, w in lane_memories(cfg)
            if d > LUT_RAM_DEPTH[costs.family] and (name != "salt" or d > SMALL_ROM)
        )
        brams = lane * k + fixed_brams(costs.family)
        clocks = folded.pass_clocks(cfg)
        seconds = steps * clocks / (costs.pll_mhz * 1e6)
        out.append(
            Option(
                lanes=k,
                luts=luts,
                ffs=ffs,
                brams=brams,
                dsps=0,
                fmax_mhz=costs.fmax_mhz,
                clock_mhz=costs.pll_mhz,
                clocks_per_step=clocks,
                decision_latency_us=seconds * 1e6,
                decisions_per_second=1 / seconds,
                fits=luts <= cap_luts and ffs <= cap_luts and brams <= cap_brams,
            )
        )
        k *= 2
    return steps, out
