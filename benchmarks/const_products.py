"""Benchmark: the neuron's constant products built by Yosys' ``*`` and by shifts and adds.

    python benchmarks/const_products.py [--products eta_a,xi_c,beta_d,alpha_x]
        [--methods '*,csd,*/2,csd/2'] [--flows ice40,ice40-dsp,ecp5,ecp5-nodsp]
        [--seeds 1] [--no-pnr] [--jobs 2]

Each product of the paper's Config (``Config.paper()``) is one small component: a registered
input, the rounded product ``mulr(v, c, cf)`` and a registered output (as wide as the exact
result). Methods: ``*`` is :func:`gaba.hdl.arith.mulr` (a multiplier Yosys builds, or a DSP
block), ``csd`` :func:`gaba.hdl.arith.mulr_csd` (canonical signed digits, a balanced adder
tree); ``*/2`` and ``csd/2`` are the same split over two clocks (``mulr_parts``/``mulr_join``,
``mulr_csd_parts``/``mulr_csd_join``) with a register between the halves. Flows: ``ice40`` is
``synth_ice40`` (LUTs only) and nextpnr for the iCE40UP5K (SG48), ``ice40-dsp`` the same with
``-dsp`` (SB_MAC16), ``ecp5`` ``synth_ecp5`` (MULT18X18D where it multiplies) and nextpnr for
the LFE5U-85F (CABGA381, speed 6), ``ecp5-nodsp`` with ``-nodsp``. Shifts and adds have no
multiplier, so a flow's DSP option changes nothing for them; they run the two base flows only.

Prints one row per product, method and flow: Yosys' cell counts after synthesis (``stat``:
LUT4s, carry cells, DSP blocks, flip-flops) and, unless ``--no-pnr``, nextpnr's logic cells
(iCE40 ICESTORM_LC, ECP5 TRELLIS_COMB: a CCU2C counts two) and the fmax of the median seed
(nextpnr constrained at 100 MHz on the iCE40, 200 MHz on the ECP5, ``--timing-allow-fail``),
then the commands. fmax of a design this small moves by several MHz between placement seeds:
compare methods on more than one seed (``--seeds 1,2,3``). The SB_MAC16 flows' fmax is
nextpnr's, which times a combinational MAC16 apart from the clock (see gaba.boards.platforms).
Outputs go to build/const_products/ (``gaba.boards.build.core_cost`` runs the tools).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

from amaranth.back import rtlil
from amaranth.hdl import Module, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from gaba.boards.build import CORE_FLOWS, add_core_arguments, core_command_lines, core_cost
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.sim.runner import build_root

FLOWS = CORE_FLOWS
#: the flows that differ from another only in the use of DSP blocks
DSP_VARIANTS = ("ice40-dsp", "ecp5-nodsp")
METHODS = ("*", "csd", "*/2", "csd/2")


def products(cfg: Config) -> dict:
    """The neuron's products by a Config constant: name -> (input shape, constant)."""
    return {
        "eta_a": (signed(cfg.eta_bits), cfg.ou_a_c),
        "xi_c": (signed(11), cfg.c_xi),
        "beta_d": (unsigned(cfg.d_bits), cfg.beta_c),
        "alpha_x": (unsigned(cfg.x_bits), cfg.alpha_c),
    }


class ConstProduct(wiring.Component):
    """``mulr(v, c, cf)`` between a registered input and a registered output, by ``method``
    (a register between the halves for the split methods)."""

    def __init__(self, shape, c: int, cf: int, method: str):
        if method not in METHODS:
            raise ValueError(f"Method must be one of {', '.join(METHODS)}, not {method!r}")
        self.c, self.cf, self.method = c, cf, method
        exact = arith.mulr_csd(Signal(shape), c, cf).shape()  # the fewest bits of the result
        super().__init__({"v": In(shape), "p": Out(exact)})

    def elaborate(self, platform):
        m = Module()
        v = Signal.like(self.v, name="v_q")
        m.d.sync += v.eq(self.v)
        c, cf = self.c, self.cf

        def registered(values):
            regs = [Signal(x.shape(), name=f"part{k}") for k, x in enumerate(values)]
            m.d.sync += [r.eq(x) for r, x in zip(regs, values, strict=True)]
            return regs

        if self.method == "*":
            product = arith.mulr(v, c, cf)
        elif self.method == "csd":
            product = arith.mulr_csd(v, c, cf)
        elif self.method == "*/2":
            lo, hi, h = arith.mulr_parts(v, c, cf)
            product = arith.mulr_join(*registered([lo, hi]), h, cf)
        else:
            parts, split = arith.mulr_csd_parts(v, c, cf)
            product = arith.mulr_csd_join(registered(parts), split)
        m.d.sync += self.p.eq(product)  # exact: p holds every value of the product
        return m


def measure(name: str, method: str, flow: str, seeds: list[int], pnr: bool) -> dict:
    """Synthesise (and place and route) one product; its row of the table."""
    cfg = Config.paper()
    shape, c = products(cfg)[name]
    directory = build_root() / "const_products" / f"{name}-{method.replace('/', 'h')}-{flow}"
    dut = ConstProduct(shape, c, cfg.coef_bits, method)
    cost = core_cost(rtlil.convert(dut, name="top"), directory, flow, seeds=seeds, pnr=pnr)
    row = {
        "product": f"{name} ({shape.width}-bit {'s' if shape.signed else 'u'}, c={c})",
        "method": method,
        "flow": flow,
        **cost,
    }
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", default=",".join(products(Config.paper())))
    ap.add_argument("--methods", default=",".join(METHODS))
    add_core_arguments(ap, flows=",".join(FLOWS))
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [
        (name, method, flow)
        for name in args.products.split(",")
        for method in args.methods.split(",")
        for flow in args.flows.split(",")
        if not ("csd" in method and flow in DSP_VARIANTS)
    ]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(*job, seeds, not args.no_pnr), jobs))
    head = f"{'product':<30}{'method':<7}{'flow':<11}{'LUT4':>6}{'carry':>6}{'DSP':>5}{'FF':>5}"
    print(head + ("" if args.no_pnr else f"{'pnr LCs':>9}{'fmax MHz':>10}"))
    for r in rows:
        pnr = "" if r["cells"] is None else f"{r['cells']:>9}{r['fmax'] or '-':>10}"
        print(
            f"{r['product']:<30}{r['method']:<7}{r['flow']:<11}{r['lut4']:>6}{r['carry']:>6}"
            f"{r['dsp']:>5}{r['ff']:>5}{pnr}"
        )
    print(
        "\nLUT4, carry (SB_CARRY or CCU2C), DSP (SB_MAC16 or MULT18X18D), FF: Yosys stat after "
        "synthesis;\npnr LCs: nextpnr's ICESTORM_LC or TRELLIS_COMB; fmax: nextpnr, median of "
        f"seeds {args.seeds}. Commands, in build/const_products/<product>-<method>-<flow>/:"
    )
    print("\n".join(core_command_lines(args.flows.split(","), seeds[0], pnr=not args.no_pnr)))


if __name__ == "__main__":
    main()
