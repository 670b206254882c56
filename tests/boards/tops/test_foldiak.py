# amaranth: UnusedElaboratable=no
"""The Foldiak layer's board top and its host driver, end to end on the simulated board.

Every byte crosses the top's UART pins bit by bit inside Verilator (gaba.boards.bench_board);
the host code (gaba.boards.host.FoldiakBoard) is the one that drives a real serial port. The
results and the state read back are held to the golden model by check_foldiak (the readable
model gaba.golden.foldiak.fixed.trace, or the numba kernels, through the layer's scoreboard in
gaba.sim.designs.foldiak) and, independently, compared here with the readable model directly.
"""

import json
import struct

import numpy as np
import pytest

from gaba.boards import protocol as P
from gaba.boards.build import build
from gaba.boards.host import Board, BoardError, BoardTimeout, FoldiakBoard, RunResult
from gaba.boards.simboard import SIM_DIVISOR, SIM_FIFO_DEPTH, SimTransport, sim_info_payload
from gaba.boards.tops.foldiak import FoldiakBoardTop, foldiak_info_payload
from gaba.cli import main
from gaba.golden.config import Config
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl import foldiak as layer
from gaba.hdl.foldiak import cycles_per_presentation, presentation_layout
from gaba.sim.designs import foldiak as foldiak_design

check_foldiak = foldiak_design.FOLDIAK.check_board  # a board run held to the scoreboard

# the paper's layer with 4 units: what `gaba board ... foldiak --n 4` builds (one simulated
# board for the tests and the CLI); a presentation takes 516 clocks, its RESULT frame 1760
CFG = FoldiakConfig.paper(n=4)
PRE = CFG.pre_presentations
SIM = ["foldiak", "--n", "4", "--port", "sim"]


@pytest.fixture(scope="module")
def board():
    with SimTransport(CFG) as transport:
        yield FoldiakBoard(transport, CFG, timeout=5.0)


@pytest.fixture(autouse=True)
def _idle(request):
    """Each test starts with an idle board and an empty receive buffer."""
    if "board" in request.fixturenames:
        request.getfixturevalue("board").resync()
    yield


def _golden(seed, run, presentations):
    """The readable model's state after ``presentations`` (the pre-run included)."""
    tr = foldiak.trace(CFG, seed, run, max(0, presentations - PRE))
    return {name: values[presentations] for name, values in tr.signals().items()}, tr


# the top without a simulator -------------------------------------------------------------------


def test_info_payload_describes_the_layer():
    top = FoldiakBoardTop(CFG, divisor=217, clock_hz=25_000_000, fifo_depth=16)
    info = P.FoldiakInfo.decode(top.info_payload())
    assert (info.kind, info.m, info.n, info.config_digest) == ("foldiak", 64, 4, CFG.digest())
    assert (info.q_bits, info.w_bits, info.t_bits, info.y_bits) == (12, 16, 16, 12)
    assert (info.settle_steps, info.pre_presentations) == (64, 100)
    assert (info.clock_hz, info.divisor, info.fifo_depth) == (25_000_000, 217, 16)
    assert info.result_bits == presentation_layout(CFG).size
    assert top.info_payload() == foldiak_info_payload(CFG, 217, 25_000_000, 16)
    # a host that expects the other design says so
    with pytest.raises(P.ProtocolError, match="the board runs the foldiak design, not nwta"):
        P.Info.decode(top.info_payload())


def test_protocol_names_the_layers_read_back_selects():
    assert (P.F_READ_Q, P.F_READ_W, P.F_READ_T) == (layer.READ_Q, layer.READ_W, layer.READ_T)
    assert P.f_row_bytes(CFG) == {P.F_READ_Q: 6, P.F_READ_W: 8, P.F_READ_T: 8}
    assert P.f_row_bytes(FoldiakConfig.paper()) == {0: 24, 1: 32, 2: 32}
    for code, length in P.REQUEST_LENGTH.items():
        assert length <= P.MAX_REQUEST and code in P.COMMANDS


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="FoldiakBoardTop needs a FoldiakConfig, not Config"):
        FoldiakBoardTop(Config.paper(n=2), divisor=8, clock_hz=1)
    with pytest.raises(ValueError, match="m must be 64, not 16"):
        FoldiakBoardTop(FoldiakConfig.paper(m=16), divisor=8, clock_hz=1)
    with pytest.raises(ValueError, match="at most 255 bytes; n = 160 needs 320"):
        FoldiakBoardTop(FoldiakConfig.paper(n=160), divisor=8, clock_hz=1)
    with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4"):
        FoldiakBoardTop(CFG, divisor=2, clock_hz=1)


def test_the_icebreaker_cannot_hold_the_layer(capsys):
    with pytest.raises(ValueError, match="the Foldiak layer does not fit the iCE40UP5K"):
        build(CFG, "icebreaker")
    assert main(["build", "foldiak", "--board", "icebreaker"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gaba build: the Foldiak layer does not fit the iCE40UP5K (5280 logic cells, 30 block "
        "RAMs, 8 DSP blocks): at n = 16 it needs 20894 LUT4s with its multipliers in logic; "
        "build it for the ULX3S (--board ulx3s)"
    ]


# the simulated board --------------------------------------------------------------------------


def test_info_names_the_layer(board):
    info = board.info()
    assert info.kind == "foldiak" and info.n == 4 and info.config_digest == CFG.digest()
    assert board.command(P.CMD_INFO) == sim_info_payload(CFG)
    assert info.divisor == SIM_DIVISOR and info.fifo_depth == SIM_FIFO_DEPTH
    with pytest.raises(BoardError, match="the board runs the foldiak design, not nwta or wta"):
        Board(board.transport, timeout=5.0).info()


def test_training_is_bit_exact_and_the_state_reads_back(board):
    seed, run, first, second = 7, 2, 60, 50  # two F_TRAINs: the pre-run ends in the second
    board.init(seed, run)
    start = board.state()
    assert check_foldiak(CFG, seed=seed, run=run, presentations=0, state=start).bit_exact
    np.testing.assert_array_equal(start["q"], foldiak.initial_q(CFG, seed, 1, run)[0])
    train = board.train(first) + board.train(second)
    state = board.state()
    report = check_foldiak(CFG, seed=seed, run=run, train=train, state=state)
    assert report.bit_exact, report.first_mismatch.describe()
    assert report.summary["presentations"] == first + second and report.mismatches == 0
    # the same, held to the readable model here
    golden, tr = _golden(seed, run, first + second)
    for name in ("q", "w", "t"):
        np.testing.assert_array_equal(state[name], golden[name])
    assert (state["w_sat"], state["t_sat"]) == (golden["w_sat"], golden["t_sat"]) == (0, 0)
    assert np.any(state["w"] < 0) and np.any(state["q"] != start["q"])  # it learned
    words = [foldiak_decode(r.word) for r in train]
    np.testing.assert_array_equal([w["ystar"] for w in words], tr.ystar[: first + second])
    assert [r.trial for r in train] == [w["index"] for w in words] == list(range(110))
    # the counters: every presentation, the last command's results and clocks
    s = board.summary()
    assert (s.presentations, s.results, s.w_sat, s.t_sat) == (110, second, False, False)
    assert s.run_cycles >= second * cycles_per_presentation(CFG)
    st = board.status()
    assert not st.busy and st.results == second and st.streaming and st.fifo_level == 0


def foldiak_decode(word):
    from gaba.sim.designs.foldiak import FOLDIAK

    return FOLDIAK.decode(CFG, word)


def test_counters_only_training_then_test_patterns(board):
    seed, run, count = 3, 0, PRE + 12
    board.init(seed, run)
    assert board.train(count, stream=False) == []
    with pytest.raises(BoardTimeout):  # no RESULT frame came
        FoldiakBoard(board.transport, CFG, timeout=0.3).results(1)
    s = board.summary()
    assert s.presentations == count and s.results == count
    # the clock counts from the cycle after F_TRAIN (the layer's start strobe): it never waited
    assert s.run_cycles == count * cycles_per_presentation(CFG)
    state = board.state()
    test = board.test(8)
    again = board.test(8)  # every F_TEST starts at the run's first test pattern
    assert [r.word for r in again] == [r.word for r in test]
    report = check_foldiak(CFG, seed=seed, run=run, presentations=count, state=state, test=test)
    assert report.bit_exact, report.first_mismatch.describe()
    assert report.summary["tests"] == 8
    assert board.summary().presentations == count  # testing learns nothing
    assert board.state()["q"].tolist() == state["q"].tolist()


def test_status_polls_do_not_slow_counters_only_training(board):
    """The host asks STATUS back to back while the layer trains without streaming: each
    result is still taken in the clock it is offered (boards.hostlink), so the training takes
    exactly its presentations' clocks (a link that held the layer while a STATUS reply went
    out lost up to a reply's 960 clocks per poll)."""
    board.init(3, 0)
    count = PRE + 900
    board.command(P.CMD_F_TRAIN, P.f_count_payload(count, stream=False))
    polls = 0
    while board.status().busy:
        polls += 1
    s = board.summary()
    assert polls >= 3 and s.results == count
    assert s.run_cycles == count * cycles_per_presentation(CFG)


def test_the_numba_kernel_agrees_as_the_golden_side(board, monkeypatch):
    """Beyond TRACE_PRESENTATIONS presentations (gaba.sim.designs.foldiak) check_foldiak's
    golden side is the kernel (gaba.golden.foldiak.fixed.train), which keeps no
    per-presentation flags."""
    board.init(11, 4)
    train = board.train(PRE + 5)
    state = board.state()
    traced = check_foldiak(CFG, seed=11, run=4, train=train, state=state)
    monkeypatch.setattr(foldiak_design, "TRACE_PRESENTATIONS", 0)
    kernel = check_foldiak(CFG, seed=11, run=4, train=train, state=state)
    assert traced.bit_exact and kernel.bit_exact
    assert traced.compared - kernel.compared == 2 * len(train)


def test_a_perturbed_golden_model_or_state_is_caught(board):
    """The companion of the tests above: the same check fails, and names where."""
    seed, run = 5, 1
    board.init(seed, run)
    train = board.train(PRE + 10)
    state = board.state()
    assert check_foldiak(CFG, seed=seed, run=run, train=train, state=state).bit_exact
    # a golden model whose beta is one LSB higher: it learns q differently after the pre-run
    beta = CFG.replace(beta=(CFG.beta_c + 1) / 2**CFG.coef_bits)
    assert beta.beta_c == CFG.beta_c + 1
    r = check_foldiak(beta, seed=seed, run=run, train=train, state=state, hw_config=CFG)
    m = r.first_mismatch
    assert not r.bit_exact and (m["phase"], m["presentation"], m.signal) == ("train", PRE + 9, "q")
    assert abs(m.golden - m.hardware) == 1
    assert m.describe().startswith(f"train presentation {PRE + 9}: q["), m.describe()
    # one value of the state read back off by one LSB
    bad = {**state, "w": state["w"].copy()}
    bad["w"][2, 1] += 1
    m = check_foldiak(CFG, seed=seed, run=run, train=train, state=bad).first_mismatch
    assert (m.signal, m.index, m.golden + 1) == ("w", (2, 1), m.hardware)
    # a result of another presentation, a RESULT frame with another index, another run
    swapped = [*train[:4], train[5], train[4], *train[6:]]
    m = check_foldiak(CFG, seed=seed, run=run, train=swapped, state=state).first_mismatch
    assert (m["phase"], m["presentation"], m.signal) == ("train", 4, "frame_index")
    moved = [*train[:7], RunResult(8, train[7].word), *train[8:]]
    m = check_foldiak(CFG, seed=seed, run=run, train=moved, state=state).first_mismatch
    assert (m["presentation"], m.signal, m.golden, m.hardware) == (7, "frame_index", 7, 8)
    assert not check_foldiak(CFG, seed=seed, run=run + 1, train=train, state=state).bit_exact
    short = check_foldiak(CFG, seed=seed, run=run, presentations=len(train), train=train[:-1])
    assert short.first_mismatch.signal == "results"


def test_commands_while_busy_are_refused_and_abort_stops_the_layer(board):
    board.init(1, 0)
    board.command(P.CMD_F_TRAIN, P.f_count_payload(1_000_000, stream=False))
    assert board.status().busy
    for cmd, payload in (
        (P.CMD_F_TRAIN, P.f_count_payload(1)),
        (P.CMD_F_TEST, P.f_count_payload(1)),
        (P.CMD_F_INIT, P.f_init_payload(1, 0)),
        (P.CMD_F_READ, P.f_read_payload(P.F_READ_T)),
    ):
        with pytest.raises(BoardError, match=f"refused {P.COMMANDS[cmd]}: busy") as e:
            board.command(cmd, payload)
        assert e.value.code == P.E_BUSY
    assert board.summary().presentations > 0  # it trains meanwhile, and answers
    board.abort()
    assert not board.status().busy and board.summary().presentations == 0
    board.init(1, 0)  # a new run starts from scratch
    train = board.train(4)
    assert check_foldiak(CFG, seed=1, run=0, train=train, state=board.state()).bit_exact


def _refused(board, cmd, payload, what, code):
    with pytest.raises(BoardError, match=f"refused {P.COMMANDS.get(cmd, '')}.*{what}") as e:
        board.command(cmd, payload)
    assert e.value.code == code


def test_wrong_lengths_arguments_and_unknown_commands(board):
    for cmd, length in P.REQUEST_LENGTH.items():
        if cmd != P.CMD_RUN:
            _refused(board, cmd, bytes(length + 1), "bad payload length", P.E_LENGTH)
    _refused(board, P.CMD_F_INIT, bytes(7), "bad payload length", P.E_LENGTH)
    for which, row in ((P.F_READ_Q, 64), (P.F_READ_W, 4), (P.F_READ_T, 1), (3, 0), (255, 0)):
        _refused(board, P.CMD_F_READ, P.f_read_payload(which, row), "bad argument", P.E_ARGUMENT)
    for cmd in (P.CMD_F_TRAIN, P.CMD_F_TEST):
        _refused(board, cmd, struct.pack("<IB", 1, 0x03), "bad argument", P.E_ARGUMENT)
    for code in (P.CMD_RUN, 0x14, 0x1F, 0x42):  # RUN is the trial engine's
        _refused(board, code, b"", "unknown command", P.E_UNKNOWN)
    assert len(board.read_row(P.F_READ_Q, 63)) == 6 and len(board.read_row(P.F_READ_W, 3)) == 8
    assert not board.status().busy and board.info().n == 4


def test_gaba_board_run_foldiak_on_the_simulated_board(capsys):
    argv = ["board", "run", *SIM, "--trials", "104", "--tests", "5", "--seed", "9", "--run", "3"]
    assert main([*argv, "--json", "--quiet"]) == 0
    o = json.loads(capsys.readouterr().out)
    assert o["bit_exact"] is True and o["first_mismatch"] is None and o["mismatches"] == 0
    assert (o["presentations"], o["tests"], o["run"], o["seed"]) == (104, 5, 3, 9)
    assert o["summary"]["presentations"] == 104 and o["summary"]["results"] == 5
    assert o["streamed"] is True and o["config_digest"] == CFG.digest()
    assert main(["board", "info", *SIM, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"foldiak m=64 n=4, FoldiakConfig {CFG.digest()} (matches)" in out
    assert main(["board", "read", *SIM, "--json", "--quiet"]) == 0
    o = json.loads(capsys.readouterr().out)  # a board just out of reset: nothing learned
    assert o["presentations"] == 0 and np.array(o["w"]).shape == (4, 4)
    assert np.array(o["q"]).shape == (4, 64) and o["frac_bits"] == 12


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["board", "run", *SIM, "--top", "1"], "gaba board run: --top is for nwta and wta only"),
        (["board", "run", *SIM, "--first", "2", "--delta-in", "0.1"], "--first, --delta-in are"),
        (["board", "run", "nwta", "--port", "sim", "--tests", "3"], "--tests is for foldiak"),
        (["board", "read", "nwta", "--port", "sim"], "nwta has no learned weights"),
        (["board", "info", *SIM, "--latency", "1"], "foldiak takes --n, --frac-bits only"),
        (["build", "foldiak", "--board", "ulx3s", "--n", "200"], "n = 200 needs 400"),
    ],
)
def test_bad_foldiak_options_are_one_line_and_exit_2(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


@pytest.mark.synth
def test_ulx3s_bitstream(tmp_path):
    result = build(FoldiakConfig.paper(), "ulx3s", out=tmp_path)
    assert result.kind == "foldiak" and result.bitstream and result.fmax_mhz >= result.system_mhz
    assert 5000 < result.luts < result.available["luts"] and result.dsps > 0


@pytest.mark.slow  # its own board build: 20 s
def test_gaba_board_run_foldiak_digits_on_the_simulated_board(capsys):
    # the Földiák top on the digits' ROM: training images drawn, test patterns in order
    argv = ["board", "run", "foldiak-digits", "--port", "sim", "--n", "4", "--trials", "105"]
    assert main([*argv, "--tests", "20", "--json", "--quiet"]) == 0
    o = json.loads(capsys.readouterr().out)
    assert o["bit_exact"] is True and o["mismatches"] == 0 and o["design"] == "foldiak-digits"
    assert o["summary"]["presentations"] == 105 and o["summary"]["results"] == 20
