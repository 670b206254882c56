"""Benchmark: the spatial pooler learning on chip (``gaba.hdl.htm.SpatialPoolerEngine``) in
LUTs, flip-flops, block RAMs and fmax, from real Yosys and nextpnr runs, with its clocks per
learning step.

    python benchmarks/htm_cost.py [--size 64x128,100x256] [--flows ecp5,ice40]
        [--digits] [--seeds 1] [--no-pnr] [--jobs 2]

The engine is built alone in a small harness that keeps every part of it in use on few pins:
its run inputs (seed, first step, step count, and with ``--digits`` the learning steps) come
from a shift register of 32 bits each fed from a pin, its start and its result's ready from
pins, and each result (the active columns and the clocks, with ``--digits`` the image and the
learning flag too) is captured and shifted out of one pin. The harness adds 32 per run input
+ the result's bits of flip-flops. ``--digits``: the engine that learns the digits from its
image ROM (``gaba.hdl.htm.DigitsPoolerEngine``, 64 inputs) instead of the one with the random
input source. Prints one row per size (inputs x columns) and flow: clocks per learning step
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
from gaba.hdl.htm import DigitsPoolerEngine, SpatialPoolerEngine, step_clocks
from gaba.sim.designs.htm import HTM_DIGITS
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
        names = [p for p in ("seed", "first", "count", "learning") if hasattr(eng, p)]
        run = Signal(32 * len(names))
        m.d.sync += run.eq(Cat(self.feed, run[:-1]))
        m.d.comb += [getattr(eng, p).eq(run[32 * k : 32 * k + 32]) for k, p in enumerate(names)]
        m.d.comb += [eng.start.eq(self.start), eng.res.ready.eq(self.ready)]
        word = eng.res.payload.as_value()
        held = Signal(len(word))
        with m.If(self.shift):
            m.d.sync += held.eq(held >> 1)
        with m.Elif(eng.res.valid & self.ready):
            m.d.sync += held.eq(word)
        m.d.comb += self.out.eq(held[0])
        return m


def measure(inputs: int, columns: int, flow: str, seeds, pnr: bool, digits: bool) -> dict:
    if digits:
        if inputs != 64:
            raise SystemExit(f"--digits: the digits have 64 pixels, not {inputs} inputs")
        cfg = HTM_DIGITS.config(n=columns)
        engine, name = DigitsPoolerEngine(cfg), f"digits-{columns}-{flow}"
    else:
        cfg = SpatialPoolerConfig(params=SpatialPoolerParams(inputs=inputs, columns=columns))
        engine, name = SpatialPoolerEngine(cfg), f"{inputs}x{columns}-{flow}"
    directory = build_root() / "htm_cost" / name
    text = rtlil.convert(Harness(engine), name="top")
    row = {"size": f"{inputs}x{columns}", "flow": flow, "clocks": step_clocks(cfg, True)}
    row.update(core_cost(text, directory, flow, seeds=seeds, pnr=pnr, keep_unplaced=True))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="64x128", help="inputs x columns, comma-separated")
    ap.add_argument("--digits", action="store_true", help="the engine of the digits' ROM")
    add_core_arguments(ap, flows="ecp5,ice40")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.size.split(",")]
    jobs = [(i, c, flow) for flow in args.flows.split(",") for i, c in sizes]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(*job, seeds, not args.no_pnr, args.digits), jobs))
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
        "harness adds 32 per run input + the result's bits of FF);\n"
        "pnr LCs: nextpnr's ICESTORM_LC or TRELLIS_COMB; fmax: nextpnr, median of seeds "
        f"{args.seeds}. Commands, in "
        "build/htm_cost/<inputs>x<columns>-<flow>/ (digits-<columns>-<flow>/):"
    )
    print("\n".join(core_command_lines(args.flows.split(","), seeds[0], pnr=not args.no_pnr)))


if __name__ == "__main__":
    main()
