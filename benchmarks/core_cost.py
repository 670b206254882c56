"""Benchmark: the exported evidence-in core (``gaba.hdl.core.AxiStreamCore``) alone, at growing
n, in LUTs, flip-flops, block RAMs, DSPs and fmax, from real Yosys and nextpnr runs.

    python benchmarks/core_cost.py [--n 16,256] [--lanes 0,8] [--latency 3] [--sigma 0.33]
        [--flows ice40,ecp5] [--seeds 1] [--no-pnr] [--jobs 2]

The core is built alone in a small harness so that nothing is optimised away and few pins are
used: every input (the evidence stream, the result stream's ready, the Wishbone bus) takes bits
of a 32-bit xorshift register that advances each clock, and every output is folded by XOR into
one register read out on one pin. ``--lanes`` lists the architectures: 0 the parallel network
(one clock per step), K the folded one of K lanes (rows of K neurons, their state in block RAM;
K < n, else the row is skipped). The harness adds 33 flip-flops and a few dozen LUTs to every
row. Prints one row per n and flow: Yosys' cells after synthesis and nextpnr's logic cells and
fmax (``gaba.boards.build.core_cost``; nextpnr constrained at 100 MHz on the iCE40UP5K and 200
MHz on the ECP5-85F, ``--timing-allow-fail``); a core that does not fit keeps its synthesis
counts and says so. Outputs go to build/core_cost/.
"""

import argparse
from concurrent.futures import ThreadPoolExecutor

from amaranth.back import rtlil
from amaranth.hdl import Cat, Module, Shape, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

from gaba.boards.build import add_core_arguments, core_command_lines, core_cost
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.core import AxiStreamCore
from gaba.sim.runner import build_root


class Harness(wiring.Component):
    """The core between a generator of its inputs and an XOR of its outputs."""

    out: Out(1)

    def __init__(self, core: AxiStreamCore):
        self.core = core
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.core = core = self.core
        rng = Signal(32, init=1)
        m.d.sync += rng.eq(arith.xorshift32(m, rng))
        fold = Signal()
        bit, taps = 0, []
        for name, member in core.signature.members.items():
            port = getattr(core, name)
            width = Shape.cast(member.shape).width
            if member.flow == wiring.In:
                m.d.comb += port.eq(rng.rotate_left(bit % 32)[:width])
                bit += 7
            else:
                taps.append(port.xor())
        m.d.sync += fold.eq(Cat(*taps).xor())
        m.d.comb += self.out.eq(fold)
        return m


def measure(n: int, lanes: int, latency: int, sigma: float, flow: str, seeds, pnr: bool) -> dict:
    cfg = Config.paper(n=n, latency=latency, sigma=sigma, lanes=lanes or None)
    arch = f"-K{lanes}" if lanes else ""
    directory = build_root() / "core_cost" / f"n{n}{arch}-L{latency}-s{sigma}-{flow}"
    text = rtlil.convert(Harness(AxiStreamCore(cfg)), name="top")
    row = {"n": n, "lanes": lanes, "latency": latency, "sigma": sigma, "flow": flow}
    row.update(core_cost(text, directory, flow, seeds=seeds, pnr=pnr, keep_unplaced=True))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="16,256")
    ap.add_argument("--lanes", default="0", help="0: parallel; K: folded, K lanes")
    ap.add_argument("--latency", type=int, default=3)
    ap.add_argument("--sigma", type=float, default=0.33, help="0: the core without noise")
    add_core_arguments(ap, flows="ice40,ecp5")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [
        (n, k, args.latency, args.sigma, flow)
        for flow in args.flows.split(",")
        for n in (int(v) for v in args.n.split(","))
        for k in (int(v) for v in args.lanes.split(","))
        if k < n
    ]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(*job, seeds, not args.no_pnr), jobs))
    print(
        f"{'n':>5}{'lanes':>6}{'flow':>7}{'LUT4':>8}{'carry':>7}{'FF':>7}{'BRAM':>6}{'DSP':>5}"
        f"{'pnr LCs':>9}{'fmax MHz':>10}  note"
    )
    for r in rows:
        print(
            f"{r['n']:>5}{r['lanes'] or '-':>6}{r['flow']:>7}{r['lut4']:>8}{r['carry']:>7}"
            f"{r['ff']:>7}{r['bram']:>6}"
            f"{r['dsp']:>5}{r['cells'] or '-':>9}{r['fmax'] or '-':>10}  {r.get('note', '')}"
        )
    print(
        f"\nlatency {args.latency}, sigma {args.sigma}; LUT4, carry, FF, BRAM, DSP: Yosys stat "
        "after synthesis (the harness adds 33 FF);\npnr LCs: nextpnr's ICESTORM_LC or "
        f"TRELLIS_COMB; fmax: nextpnr, median of seeds {args.seeds}. Commands, in "
        "build/core_cost/n<n>[-K<lanes>]-L<latency>-s<sigma>-<flow>/:"
    )
    print("\n".join(core_command_lines(args.flows.split(","), seeds[0], pnr=not args.no_pnr)))


if __name__ == "__main__":
    main()
