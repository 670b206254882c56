"""Benchmark: k-WTA by the bit-serial threshold search against the comparator-tree top-k, in
clocks, LUTs, flip-flops and fmax at growing n, from real Yosys and nextpnr runs.

    python benchmarks/kwta_cost.py [--n 16,64,256] [--k-frac 0.25] [--width 8]
        [--flows ice40,ecp5] [--seeds 1] [--no-pnr] [--jobs 2]

Each selector (``gaba.hdl.kwta.KWinners``, ``gaba.hdl.kwta.TreeTopK``) is built alone in a
small harness so that nothing is optimised away and few pins are used: its n scores come
from a chain of n * width flip-flops that a 32-bit xorshift register feeds a bit a clock
(so no two scores share their bits); its mask and threshold are captured and shifted out of
one pin. The harness adds 32 + n * width + n + width flip-flops and about n + width + 40
LUTs to every row. Prints
one row per selector, n and flow: clocks from load to result (the golden model's
``serial_clocks``/``tree_clocks``), Yosys' cells after synthesis and nextpnr's logic cells and
fmax (``gaba.boards.build.core_cost``; nextpnr constrained at 100 MHz on the iCE40UP5K and
200 MHz on the ECP5-85F, ``--timing-allow-fail``); a design that does not fit says so. Outputs
go to build/kwta_cost/.
"""

import argparse
from concurrent.futures import ThreadPoolExecutor

from amaranth.back import rtlil
from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from gaba.boards.build import add_core_arguments, core_command_lines, core_cost
from gaba.golden.kwta import KwtaConfig, serial_clocks, tree_clocks
from gaba.hdl import arith
from gaba.hdl.kwta import KWinners, TreeTopK
from gaba.sim.runner import build_root

SELECTORS = {"serial": (KWinners, serial_clocks), "tree": (TreeTopK, tree_clocks)}


class Harness(wiring.Component):
    """A selector between a generator of scores and a shift register that reads it out."""

    load: In(1)
    shift: In(1)
    done: Out(1)
    out: Out(1)

    def __init__(self, selector):
        self.selector = selector
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.select = sel = self.selector
        n, width = len(sel.mask), len(sel.threshold)
        # the scores: a chain of n * width bits, a new one from the generator each clock, so
        # no two scores are the same bits (Yosys would merge their registers)
        rng = Signal(32, init=1)
        chain = Signal(n * width)
        m.d.sync += [rng.eq(arith.xorshift32(m, rng)), chain.eq(Cat(rng[0], chain[:-1]))]
        m.d.comb += [sel.load.eq(self.load), self.done.eq(sel.done)]
        m.d.comb += [sel.i[i].eq(chain[width * i : width * (i + 1)]) for i in range(n)]
        held = Signal(n + width)
        with m.If(self.shift):
            m.d.sync += held.eq(held >> 1)
        with m.Else():
            m.d.sync += held.eq(Cat(sel.mask, sel.threshold))
        m.d.comb += self.out.eq(held[0])
        return m


def measure(kind: str, n: int, k: int, width: int, flow: str, seeds, pnr: bool) -> dict:
    selector, clocks = SELECTORS[kind]
    cfg = KwtaConfig.paper(n=n, k=k, width=width)
    directory = build_root() / "kwta_cost" / f"{kind}-n{n}-k{k}-w{width}-{flow}"
    text = rtlil.convert(Harness(selector(cfg)), name="top")
    row = {"selector": kind, "n": n, "k": k, "flow": flow, "clocks": clocks(cfg)}
    row.update(core_cost(text, directory, flow, seeds=seeds, pnr=pnr, keep_unplaced=True))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="16,64,256")
    ap.add_argument("--k-frac", type=float, default=0.25, help="k = max(1, round(k_frac * n))")
    ap.add_argument("--width", type=int, default=8)
    add_core_arguments(ap, flows="ice40,ecp5")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [
        (kind, n, max(1, round(args.k_frac * n)), args.width, flow)
        for flow in args.flows.split(",")
        for n in (int(v) for v in args.n.split(","))
        for kind in SELECTORS
    ]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(*job, seeds, not args.no_pnr), jobs))
    print(
        f"{'selector':<9}{'n':>5}{'k':>5}{'flow':>7}{'clocks':>8}{'LUT4':>7}{'carry':>7}"
        f"{'FF':>7}{'pnr LCs':>9}{'fmax MHz':>10}  note"
    )
    for r in rows:
        print(
            f"{r['selector']:<9}{r['n']:>5}{r['k']:>5}{r['flow']:>7}{r['clocks']:>8}"
            f"{r['lut4']:>7}{r['carry']:>7}{r['ff']:>7}{r['cells'] or '-':>9}"
            f"{r['fmax'] or '-':>10}  {r.get('note', '')}"
        )
    print(
        f"\nscore width {args.width}; clocks: load to result; LUT4, carry, FF: Yosys stat after "
        "synthesis (the harness adds 32 + n*width + n + width FF);\n"
        "pnr LCs: nextpnr's ICESTORM_LC or "
        f"TRELLIS_COMB; fmax: nextpnr, median of seeds {args.seeds}. Commands, in "
        "build/kwta_cost/<selector>-n<n>-k<k>-w<width>-<flow>/:"
    )
    print("\n".join(core_command_lines(args.flows.split(","), seeds[0], pnr=not args.no_pnr)))


if __name__ == "__main__":
    main()
