"""Benchmark: the spatial pooler learning on chip (``gaba.hdl.htm.SpatialPoolerEngine``) in
LUTs, flip-flops, block RAMs and fmax, from real Yosys and nextpnr runs, with its clocks per
learning step.

    python benchmarks/htm_cost.py [--size 64x128,100x256] [--flows ecp5,ice40]
        [--seeds 1] [--no-pnr] [--jobs 2]

The engine is built alone in a small harness that keeps every part of it in use on few pins:
its seed, first step and step count come from a 96-bit shift register fed from a pin, its
start and its result's ready from pins, and each result (the active columns and the clocks)
is captured and shifted out of one pin. The harness adds 96 + columns + clock bits
flip-flops. Prints one row per size (inputs x columns) and flow: clocks per learning step
(``gaba.hdl.htm.step_clocks``), Yosys' cells after synthesis, nextpnr's logic cells and fmax
(``gaba.boards.build.core_cost``; nextpnr constrained at 100 MHz on the iCE40UP5K and 200 MHz on
the ECP5-85F, ``--timing-allow-fail``); a design that does not fit says so. Outputs go to
build/htm_cost/.
"""

import argparse
from concurrent.futures import ThreadPoolExecutor

from amaranth.back import rtlil
from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from gaba.boards.build import add_core_arguments, core_command_lines, core_cost
from gaba.golden.htm.fixed import SpatialPoolerConfig
from gaba.golden.htm.reference import SpatialPoolerParams
from gaba.hdl.htm import SpatialPoolerEngine, step_clocks
from gaba.sim.runner import build_root


class Harness(wiring.Component):
    """The engine between a shift register of its run inputs and one of its results."""

    feed: In(1)
    start: In(1)
    ready: In(1)
    shift: In(1)
    out: Out(1)

    def __init__(self, engine):
        self.engine = engine
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.engine = eng = self.engine
        run = Signal(96)
        m.d.sync += run.eq(Cat(self.feed, run[:-1]))
        m.d.comb += [
            eng.seed.eq(run[:32]),
            eng.first.eq(run[32:64]),
            eng.count.eq(run[64:]),
            eng.start.eq(self.start),
            eng.res.ready.eq(self.ready),
        ]
        word = eng.res.payload.as_value()
        held = Signal(len(word))
        with m.If(self.shift):
            m.d.sync += held.eq(held >> 1)
        with m.Elif(eng.res.valid & self.ready):
            m.d.sync += held.eq(word)
        m.d.comb += self.out.eq(held[0])
        return m


def measure(inputs: int, columns: int, flow: str, seeds, pnr: bool) -> dict:
    cfg = SpatialPoolerConfig(params=SpatialPoolerParams(inputs=inputs, columns=columns))
    directory = build_root() / "htm_cost" / f"{inputs}x{columns}-{flow}"
    text = rtlil.convert(Harness(SpatialPoolerEngine(cfg)), name="top")
    row = {"size": f"{inputs}x{columns}", "flow": flow, "clocks": step_clocks(cfg, True)}
    row.update(core_cost(text, directory, flow, seeds=seeds, pnr=pnr, keep_unplaced=True))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="64x128", help="inputs x columns, comma-separated")
    add_core_arguments(ap, flows="ecp5,ice40")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.size.split(",")]
    jobs = [(i, c, flow) for flow in args.flows.split(",") for i, c in sizes]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(*job, seeds, not args.no_pnr), jobs))
    print(
        f"{'size':<9}{'flow':>7}{'clocks':>8}{'LUT4':>8}{'carry':>7}{'FF':>7}{'BRAM':>6}"
        f"{'pnr LCs':>9}{'fmax MHz':>10}  note"
    )
    for r in rows:
        print(
            f"{r['size']:<9}{r['flow']:>7}{r['clocks']:>8}{r['lut4']:>8}{r['carry']:>7}"
            f"{r['ff']:>7}{r['bram']:>6}{r['cells'] or '-':>9}{r['fmax'] or '-':>10}"
            f"  {r.get('note', '')}"
        )
    print(
        "\nclocks: per learning step; LUT4, carry, FF, BRAM: Yosys stat after synthesis (the "
        "harness adds 96 + columns + clock-bit FF);\npnr LCs: nextpnr's ICESTORM_LC or "
        f"TRELLIS_COMB; fmax: nextpnr, median of seeds {args.seeds}. Commands, in "
        "build/htm_cost/<inputs>x<columns>-<flow>/:"
    )
    print("\n".join(core_command_lines(args.flows.split(","), seeds[0], pnr=not args.no_pnr)))


if __name__ == "__main__":
    main()
