"""Stand-in build tools for tests of the build's error paths (no YoWASP run needed)."""

import json
import stat
import textwrap

import pytest

# A trimmed nextpnr --report (field names and nesting as nextpnr-ice40 writes them).
REPORT = {
    "fmax": {
        "board_clk": {"achieved": 94.9, "constraint": 12.0},
        "clk_$glb_clk": {"achieved": 8.34, "constraint": 36.0},
    },
    "utilization": {
        "ICESTORM_LC": {"available": 5280, "used": 4773},
        "ICESTORM_RAM": {"available": 30, "used": 4},
        "ICESTORM_DSP": {"available": 8, "used": 0},
        "SB_IO": {"available": 39, "used": 5},
    },
    "critical_paths": [
        {
            "from": "posedge clk_$glb_clk",
            "to": "posedge clk_$glb_clk",
            "path": [
                {"type": "clk-to-q", "delay": 1.4, "from": {"cell": "a_DFFLC"}, "to": {}},
                {"type": "routing", "delay": 3.0, "net": "top.engine.key[3]", "from": {}},
                {"type": "logic", "delay": 2.0, "from": {}, "to": {}},
                {"type": "routing", "delay": 4.0, "net": "x", "from": {}},
                {"type": "setup", "delay": 1.0, "to": {"cell": "top.s_inh_SB_DFFESR_Q_DFFLC"}},
            ],
        },
        {  # longer, but from the asynchronous inputs: not a register-to-register path
            "from": "<async>",
            "to": "posedge clk_$glb_clk",
            "path": [{"type": "routing", "delay": 50.0, "net": "rx", "from": {}, "to": {}}],
        },
    ],
}


def _tool(path, body):
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    """Stand-ins for Yosys, nextpnr and the packers; ``$FAKE`` picks their behaviour."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    yosys = _tool(
        bindir / "yosys",
        """\
        if grep -q -- '-nodsp' gaba_top.ys; then dsp=0; else dsp=$FAKE_DSP; fi
        echo "{\\"design\\": {\\"num_cells_by_type\\": {\\"LUT4\\": 90000, \\"TRELLIS_FF\\": 9,
          \\"MULT18X18D\\": $dsp, \\"SB_LUT4\\": 9000, \\"SB_DFF\\": 7}}}" > gaba_top.stat.json
        echo synthesised
        """,
    )
    pnr = _tool(
        bindir / "nextpnr",
        """\
        if [ "$FAKE" = crash ]; then echo "ERROR: bad constraint"; exit 1; fi
        if [ "$FAKE" = nofit ]; then
          echo "Info: Device utilisation:"; echo "ERROR: Unable to place cell 'x'"; exit 1
        fi
        cat "$FAKE_REPORT" > gaba_top.report.json
        """,
    )
    pack = _tool(bindir / "pack", "for a; do case $a in *.bin|*.bit) echo bits > $a;; esac; done\n")
    for var, exe in (
        ("YOSYS", yosys),
        ("NEXTPNR_ICE40", pnr),
        ("NEXTPNR_ECP5", pnr),
        ("ICEPACK", pack),
        ("ECPPACK", pack),
    ):
        monkeypatch.setenv(var, exe)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(REPORT))
    monkeypatch.setenv("FAKE_REPORT", str(report))
    monkeypatch.setenv("FAKE_DSP", "0")
    return tmp_path
