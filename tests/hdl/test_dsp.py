"""gaba.hdl.dsp: a product by a constant between two registers, the ECP5 block's own.

The flip-flop form is simulated here against its definition; the ECP5 form (a ``MULT18X18D``
instance) is simulated on Icarus beside the flip-flop form, the block replaced by a model of
the one mode it is configured in (tests/hdl/data/mult18x18d_registered.v, after Lattice
TN1267), so the instance's pins, bit order, constant and slice are checked clock by clock.
The model is this project's reading of the data sheet, not Lattice's cell library; the
builds' bitstreams carry the configuration (``REG_INPUTA_CLK CLK0``, ``REG_OUTPUT_CLK CLK0``
in the ``MULT18`` tiles of nextpnr's text configuration).
"""

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from amaranth.back import verilog
from amaranth.hdl import Fragment, Instance, Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from gaba.hdl import dsp
from tests.simulate import simulate

ECP5 = SimpleNamespace(family="ecp5")
ICE40 = SimpleNamespace(family="ice40")
MODEL = Path(__file__).parent / "data" / "mult18x18d_registered.v"
BETA = 9830  # the paper's beta in 14 coefficient bits, as the n = 128 builds take it


class Product(wiring.Component):
    """``p`` = the registered product of ``v`` by ``c``, on ``platform``'s form."""

    def __init__(self, width: int, c: int):
        self._c = c
        super().__init__({"v": In(width), "p": Out(width + c.bit_length())})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.p.eq(dsp.registered_product(m, platform, self.v, self._c))
        return m


def test_the_block_takes_only_an_ecp5_and_operands_that_fit():
    v = Signal(16)
    assert dsp.block_registers(ECP5, v, BETA)
    assert not dsp.block_registers(ICE40, v, BETA)
    assert not dsp.block_registers(None, v, BETA)
    assert not dsp.block_registers(ECP5, Signal(19), BETA)
    assert not dsp.block_registers(ECP5, Signal(signed(16)), BETA)
    assert not dsp.block_registers(ECP5, v, 2**18)
    assert dsp.block_registers(ECP5, Signal(18), 2**18 - 1)


def test_on_an_ecp5_the_registers_are_the_blocks():
    fragment = Fragment.get(Product(16, BETA), ECP5)
    (block,) = [sub for sub, _, _ in fragment.subfragments if isinstance(sub, Instance)]
    assert block.type == "MULT18X18D"
    params = block.parameters
    assert params["REG_INPUTA_CLK"] == "CLK0" and params["REG_OUTPUT_CLK"] == "CLK0"
    assert params["REG_INPUTB_CLK"] == "NONE" and params["REG_PIPELINE_CLK"] == "NONE"
    assert "sync" not in fragment.statements  # no flip-flop of its own
    # the flip-flop form has two registers
    assert len(Fragment.get(Product(16, BETA), None).statements["sync"]) == 2


def test_off_an_ecp5_the_product_is_two_clocks_behind():
    dut = Product(16, BETA)
    values = np.random.default_rng(5).integers(0, 2**16, 200).tolist()
    got = []

    async def bench(ctx):
        for v in values:
            ctx.set(dut.v, v)
            await ctx.tick()
            got.append(ctx.get(dut.p))

    simulate(dut, bench)
    # after the clock that took v(t), p holds v(t - 1) * c
    assert got[1:] == [v * BETA for v in values[:-1]]


def _bench(tmp_path: Path, model: Path, values: list[int]) -> str:
    """Icarus: the ECP5 form (with ``model``) and the flip-flop form side by side, driven by
    ``values``; the bench prints MISMATCH lines and a last line ``CHECKED k``."""
    block = verilog.convert(Product(16, BETA), name="block", platform=ECP5, emit_src=False)
    twin = verilog.convert(Product(16, BETA), name="twin", emit_src=False)
    data = tmp_path / "values.hex"
    data.write_text("".join(f"{v:04x}\n" for v in values))
    bench = tmp_path / "bench.v"
    bench.write_text(f"""`timescale 1ns/1ps
module bench;
    reg clk = 0, rst = 1;
    reg [15:0] v = 0;
    reg [15:0] values [0:{len(values) - 1}];
    wire [29:0] p_block, p_twin;
    integer k, bad = 0;
    block b (.clk(clk), .rst(rst), .v(v), .p(p_block));
    twin t (.clk(clk), .rst(rst), .v(v), .p(p_twin));
    always #5 clk = ~clk;
    initial begin
        $readmemh("{data}", values);
        @(negedge clk) rst = 0;
        for (k = 0; k < {len(values)}; k = k + 1) begin
            v = values[k];
            @(negedge clk);
            if (p_block !== p_twin) begin
                bad = bad + 1;
                $display("MISMATCH clock %0d: block %0d twin %0d", k, p_block, p_twin);
            end
        end
        $display("CHECKED %0d", k);
        $finish;
    end
endmodule
""")
    (tmp_path / "block.v").write_text(block)
    (tmp_path / "twin.v").write_text(twin)
    sources = [bench, tmp_path / "block.v", tmp_path / "twin.v", model]
    out = tmp_path / "bench.vvp"
    subprocess.run(["iverilog", "-o", str(out), *map(str, sources)], check=True)
    return subprocess.run(["vvp", "-n", str(out)], capture_output=True, text=True).stdout


needs_icarus = pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus")


@needs_icarus
def test_the_block_is_wired_as_the_flip_flops(tmp_path):
    values = np.random.default_rng(7).integers(0, 2**16, 300).tolist() + [0xFFFF, 0, 1]
    out = _bench(tmp_path, MODEL, values)
    assert "MISMATCH" not in out and f"CHECKED {len(values)}" in out, out


@needs_icarus
def test_a_block_without_its_input_register_is_caught(tmp_path):
    # the companion: the same model with the A register bypassed is a clock early
    text = MODEL.read_text().replace(
        "wire signed [18:0] a_ext = {SIGNEDA & a_reg[17], a_reg};",
        "wire signed [18:0] a_ext = {SIGNEDA & a[17], a};",
    )
    assert text != MODEL.read_text()
    model = tmp_path / "early.v"
    model.write_text(text)
    out = _bench(tmp_path, model, np.random.default_rng(7).integers(0, 2**16, 50).tolist())
    assert "MISMATCH clock 0" in out or "MISMATCH clock 1" in out, out
