"""The generated Verilog under `verilator --lint-only -Wall` with gaba's waivers (sim/lint.vlt):
every registered design and board top lints clean; a real problem is still reported; each
waiver covers the Amaranth construct it names, and is needed."""

import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from amaranth import Cat, Const, Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.crc import catalog
from amaranth.lib.wiring import In, Out

from gaba.boards import designs as board_designs
from gaba.boards.simboard import SimBoard
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.sim import designs, runner

# Verilator runs here (the conftest guard): these tests are simulator tests.
pytestmark = pytest.mark.sim


def _small(design):
    """``design``'s Config at n = 4; the spatial pooler at 16 inputs, not 64 (linting 64 takes
    Verilator three times as long; the digits' designs lint the pooler at 64)."""
    return design.config(n=4, **({"inputs": 16} if "inputs" in design.options else {}))


def _cases():
    for name, d in designs.REGISTRY.items():
        if name == "foldiak":  # as the Verilator lockstep test builds it: its Verilog is reused
            cfg = FoldiakConfig.paper(pre_presentations=3, settle_steps=8)
            yield pytest.param(d, cfg, False, id="foldiak-n16")
        elif name == "htm-digits":  # as tests/sim/designs/test_htm.py builds it, likewise
            yield pytest.param(d, d.config(n=32), False, id="htm-digits-n32")
        else:
            yield pytest.param(d, _small(d), False, id=f"{name}-n4")
        if d.debug:  # several clocks per step and the lockstep ports, as lockstep benches run
            cfg = d.config(n=4, step_clocks=6)
            yield pytest.param(d, cfg, True, id=f"{name}-n4-p6-debug")
    for name, b in board_designs.REGISTRY.items():
        yield pytest.param(SimBoard(b), _small(b.design), False, id=f"{name}-board-n4")
    # constants that zero a product (no noise, no inhibition) or make it a rounding shift
    # (beta = 1/4) in the folded lane's pipeline: the register bits feeding them that nothing
    # reads must go too (found by the Verilator fuzz)
    nwta = designs.get("nwta")
    for name, value in (("sigma", 0.0), ("beta", 0.0), ("beta", 0.25)):
        cfg = Config.paper(n=4, lanes=2, **{name: value})
        yield pytest.param(nwta, cfg, True, id=f"nwta-n4-K2-{name}{value:g}-debug")


def _issues(warnings: list[str]) -> set[tuple[str, str]]:
    """(rule, message) of Verilator's warning lines, without the file and line."""
    out = set()
    for w in warnings:
        m = re.match(r"%Warning-(\w+): \S+:\d+:\d+: (.*)", w)
        assert m, w
        out.add((m.group(1), m.group(2)))
    return out


def _lint(command: list[str]) -> list[str]:
    err = subprocess.run(command, capture_output=True, text=True).stderr.splitlines()
    assert not [e for e in err if e.startswith("%Error") and "Exiting due to" not in e], err
    return [line for line in err if line.startswith("%Warning")]


@pytest.mark.parametrize(("design", "cfg", "debug"), list(_cases()))
def test_the_generated_verilog_lints_clean(design, cfg, debug):
    warnings = runner.lint(design, cfg, debug=debug)
    assert not warnings, "\n".join(warnings)


BAD = """\
module gaba_bad(clk, a, spare, y, z);
  input clk;
  input [7:0] a;
  input [3:0] spare;
  output [3:0] y;
  output [9:0] z;
  reg [7:0] dead;
  wire [3:0] y;
  wire [9:0] z;
  always @(posedge clk) dead <= a;
  assign y = a;
  assign z = a;
endmodule
"""


def test_real_problems_are_still_reported(tmp_path):
    # a truncating and a widening assignment, a register and an input nothing reads, in a
    # file the waivers' file pattern covers: no waiver may swallow them
    source = tmp_path / "gaba_bad.v"
    source.write_text(BAD)
    assert _issues(_lint(runner.lint_command([source], "gaba_bad"))) == {
        (
            "WIDTHTRUNC",
            "Operator ASSIGNW expects 4 bits on the Assign RHS, but Assign RHS's VARREF 'a' "
            "generates 8 bits.",
        ),
        (
            "WIDTHEXPAND",
            "Operator ASSIGNW expects 10 bits on the Assign RHS, but Assign RHS's VARREF 'a' "
            "generates 8 bits.",
        ),
        ("UNUSEDSIGNAL", "Signal is not used: 'dead'"),
        ("UNUSEDSIGNAL", "Signal is not used: 'spare'"),
    }


class _Artefacts(wiring.Component):
    """One of each construct the waivers name (sim/lint.vlt), as Amaranth writes it."""

    a: In(8)
    b: In(signed(8))
    k: In(3)
    rx: In(1)
    y: Out(8)
    s: Out(signed(12))
    pick: Out(1)
    ge: Out(1)
    first: Out(1)
    match: Out(1)
    top: Out(1)

    def elaborate(self, platform):
        m = Module()
        rx = Signal(init=1)
        m.submodules.sync = FFSynchronizer(self.rx, rx, init=1)  # reads no rst
        m.submodules.crc = crc = catalog.CRC16_CCITT(data_width=8).create()  # its wire `crc`
        m.d.comb += [crc.data.eq(self.a), crc.valid.eq(rx), self.match.eq(crc.match_detected)]
        settle = Signal(range(1))  # zero width
        m.d.sync += settle.eq(settle + 1)
        product = Signal(16)
        m.d.comb += product.eq(self.a * self.a)
        x_next = Signal(8)  # a named alias: the register reads the adder's net
        m.d.comb += x_next.eq(product[8:] + 1)  # product's low bits unused
        m.d.sync += self.y.eq(x_next)  # a register with an initial value
        wide = Signal(2176)  # one whose declaration is too long for Verilator to quote
        m.d.sync += wide.eq(Cat(self.a, wide[:-8]))
        m.d.comb += self.top.eq(wide.any())
        m.d.comb += self.s.eq(self.b + 1000)  # operand extension
        m.d.comb += self.pick.eq(Const(0x9E3779B9, 32).bit_select(self.k, 1))  # variable select
        m.d.comb += self.ge.eq(self.a >= 0)  # a Config constant of 0
        with m.FSM():  # three states in two bits (incomplete case); `state == 0` (logical not)
            with m.State("A"):
                m.d.comb += self.first.eq(1)
                m.next = "B"
            with m.State("B"):
                m.next = "C"
            with m.State("C"):
                m.next = "A"
        return m


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory):
    """The constructs' Verilog and simulation top as the runner writes them, and the Verilog
    as `gaba verilog` names its file: (sources, top module) pairs."""
    from amaranth.back import verilog

    folder = tmp_path_factory.mktemp("artefacts")
    design = SimpleNamespace(module="gaba_artefacts", toplevel="gaba_artefacts_sim")
    component = _Artefacts()
    text = verilog.convert(component, name=design.module, emit_src=False)
    files = {
        "gaba_artefacts.v": text,
        "gaba_artefacts_sim.v": runner.wrapper_text(design, component.signature),
        "gaba_artefacts_n1.v": text,
    }
    for name, content in files.items():
        (folder / name).write_text(content)
    pair = [folder / "gaba_artefacts.v", folder / "gaba_artefacts_sim.v"]
    return [(pair, design.toplevel), ([folder / "gaba_artefacts_n1.v"], design.module)]


def _waivers() -> list[str]:
    text = runner.LINT_WAIVERS.read_text()
    return [line for line in text.splitlines() if line.startswith("lint_off")]


def _lint_with(waivers: Path | None, sources, toplevel) -> list[str]:
    command = runner.lint_command(sources, toplevel)
    i = command.index(str(runner.LINT_WAIVERS))
    command[i : i + 1] = [str(waivers)] if waivers else []
    return _lint(command)


def test_the_waivers_cover_the_constructs_they_name(artefacts):
    for sources, toplevel in artefacts:
        assert _lint_with(runner.LINT_WAIVERS, sources, toplevel) == []
        assert _lint_with(None, sources, toplevel)  # and there is something to cover


def test_every_waiver_is_needed(artefacts, tmp_path):
    # take each waiver out in turn: a warning of its rule comes back
    waivers = _waivers()
    assert waivers
    reduced = tmp_path / "reduced.vlt"
    for i, waiver in enumerate(waivers):
        kept = waivers[:i] + waivers[i + 1 :]
        reduced.write_text("".join(f"{line}\n" for line in ["`verilator_config", *kept]))
        rule = waiver.split()[2]
        back = [
            w
            for sources, toplevel in artefacts
            for w in _lint_with(reduced, sources, toplevel)
            if w.startswith(f"%Warning-{rule}:")
        ]
        assert back, waiver
