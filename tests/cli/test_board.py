"""``gaba build`` and ``gaba board``: bad input gets one line and exit 2, tool and board
failures one line and exit 1; ``gaba board run --port sim`` end to end."""

import json

import pytest

from gaba.cli import main
from gaba.golden.config import Config

SIM = ["nwta", "--n", "4", "--dt", "0.0625", "--horizon", "30", "--port", "sim"]

#: gaba build of the smallest iCEBreaker design
ICE2 = ["build", "nwta", "--board", "icebreaker", "--n", "2"]


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["build", "nwta", "--board", "de10"], "invalid choice: 'de10'"),
        (["build", "nwta"], "the following arguments are required: --board"),
        (["build", "nwta", "--board", "ulx3s", "--n", "0"], "expected a positive integer"),
        (["build", "nwta", "--board", "ulx3s", "--baud", "9x"], "expected a baud rate"),
        (["build", "nwta", "--board", "ulx3s", "--target-mhz", "-3"], "positive frequency"),
        (["build", "nwta", "--board", "ulx3s", "--clock-div", "0"], "positive integer"),
        (["build", "nwta", "--board", "ulx3s", "--dsp", "maybe"], "invalid choice: 'maybe'"),
        (["build", "serial-integrator", "--board", "ulx3s"], "invalid choice"),
        (["build", "nwta", "--board", "ulx3s", "--latency", "-1"], "latency"),
        (["board", "run", "nwta"], "required: --port"),
        (["board", "fly", "nwta", "--port", "sim"], "invalid choice: 'fly'"),
        (["board", "run", *SIM, "--trials", "0"], "expected a positive integer"),
        (["board", "run", *SIM, "--seed", "-1"], "seed must be in 0..2**32-1"),
        (["board", "run", *SIM, "--top", "4"], "--top must be below n = 4, not 4"),
        (["board", "run", *SIM, "--delta-in", "9"], "--delta-in must lie in"),
        (["board", "info", *SIM, "--timeout", "0"], "positive number of seconds"),
        (
            ["board", "run", *SIM, "--tests", "3"],
            "gaba board run: --tests is for foldiak and foldiak-digits only",
        ),
        (["board", "run", "foldiak", "--port", "sim", "--top", "1"], "is for nwta and wta only"),
        (["board", "read", *SIM], "gaba board read: nwta has no learned weights; use foldiak"),
        (["board", "run", *SIM, "--first", "x"], "expected an integer, not 'x'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(fails, argv, needle):
    fails(argv, 2, needle)


def test_baud_that_the_clock_cannot_make(fails):
    fails(
        [*ICE2, "--latency", "2", "--baud", "4000000"],
        2,
        "Baud rate 4000000 cannot be made from the 12 MHz clock",
    )
    # one clock per step with the inhibition inside it (latency 0): the board's clock halved
    fails(
        [*ICE2, "--step-clocks", "1", "--latency", "0", "--baud", "3000000"],
        2,
        "Baud rate 3000000 cannot be made from the 6 MHz clock",
    )


def test_missing_serial_port_is_a_tool_error(fails):
    fails(
        ["board", "info", "nwta", "--port", "/dev/gaba-no-such-port"],
        1,
        "gaba: cannot open serial port /dev/gaba-no-such-port: no such device",
    )


def test_missing_build_tool_says_what_to_do(fails, monkeypatch, tmp_path):
    monkeypatch.setenv("YOSYS", str(tmp_path / "no-yosys"))
    fails(
        ["build", "nwta", "--board", "icebreaker", "--n", "2", "--out", str(tmp_path)],
        1,
        "is not an executable yosys",
    )


def test_board_run_on_the_simulated_board(run_json):
    o = run_json(["board", "run", *SIM, "--trials", "12", "--seed", "5", "--first", "3", "--json"])
    assert o["bit_exact"] is True and o["trials"] == 12 and o["mismatches"] == 0
    assert o["summary"]["trials"] == 12 and o["first_mismatch"] is None
    from gaba.golden import fixed
    from gaba.golden.config import Config

    g = fixed.run_trials(Config.paper(n=4, dt=0.0625, horizon=30.0), 12, 5, first_trial=3)
    assert o["summary"]["steps"] == int(g.steps.sum())
    assert o["summary"]["decided"] == int(g.decided.sum())


def test_board_info_and_counters_only_run(capsys, run_json):
    o = run_json(["board", "info", *SIM, "--json"])
    assert o["config_matches"] is True and o["n"] == 4 and o["kind"] == "nwta"
    assert main(["board", "run", *SIM, "--trials", "20", "--no-check", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "not streamed" in out and "20 trials" in out


def test_board_run_refuses_another_design(fails, monkeypatch):
    import dataclasses

    from gaba.boards.host import Board

    real = Board.info
    monkeypatch.setattr(
        Board, "info", lambda self: dataclasses.replace(real(self), config_digest="0" * 16)
    )
    fails(
        ["board", "run", *SIM, "--trials", "3", "--quiet"],
        2,
        "the board runs nwta n=4, Config 0000000000000000; these options give Config",
    )


def test_build_text_json_and_timing_failure(capsys, fails, run_json, fake_tools, monkeypatch):
    monkeypatch.setenv("FAKE", "ok")
    out = str(fake_tools / "out")
    # the canned report is of a build with one clock per step: it runs at half the board clock
    one = ["--step-clocks", "1", "--latency", "0"]
    assert main([*ICE2, "--out", out, *one]) == 0
    text = capsys.readouterr().out
    assert "icebreaker (iCE40UP5K): nwta n=2" in text
    assert "4773 / 5280 logic cells" in text
    assert "fmax 8.3 MHz; runs at 6 MHz = board clock 12 MHz / 2; target 36 MHz missed" in text
    o = run_json([*ICE2, "--out", out, "--json", *one])
    for key in ("board", "device", "luts", "ffs", "brams", "dsps", "fmax_mhz", "bitstream"):
        assert key in o
    assert (o["board"], o["luts"], o["fmax_mhz"], o["n"]) == ("icebreaker", 4773, 8.34, 2)
    fails(
        [*ICE2, "--out", out, "--clock-div", "1", "--quiet", *one],
        1,
        "misses timing on icebreaker: fmax 8.34 MHz is below its 12 MHz clock (the board "
        "clock); critical path",
    )
    # the board's default, one clock per step, with latency (the inhibition computed ahead)
    # runs at the board clock
    fails(
        [*ICE2, "--out", out, "--quiet", "--latency", "2"],
        1,
        "fmax 8.34 MHz is below its 12 MHz clock (the board clock); critical path",
    )
    # so do the defaults (latency 2 on the iCEBreaker), which the saved report names
    fails([*ICE2, "--out", out, "--quiet"], 1, "below its 12 MHz clock (the board clock)")
    saved = json.loads((fake_tools / "out" / "gaba_build.json").read_text())
    want = Config.paper(n=2, step_clocks=1, latency=2).digest()
    assert (saved["latency"], saved["step_clocks"], saved["config_digest"]) == (2, 1, want)
