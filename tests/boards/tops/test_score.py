"""gaba.boards.tops.score: the score engines' board top on the simulated board (Verilator).

Runs of kwta and htm-digits (its ``learning`` run input carried by RUN) are held to each
design's own golden rows, and a perturbed golden side is caught; RUN's payload is checked
(length, flags), refused while busy, stopped by ABORT. The
INFO payload and the top's checks need no simulator; the ULX3S bitstream is marked ``synth``.
"""

import struct

import pytest

from gaba.boards import designs as board_designs
from gaba.boards import protocol as P
from gaba.boards.designs.score import run_scores
from gaba.boards.host import BoardError, ScoreBoard
from gaba.boards.simboard import SIM_DIVISOR, SIM_FIFO_DEPTH, SimTransport, sim_info_payload
from gaba.boards.tops.score import check_design, run_inputs
from gaba.sim import designs

KWTA = designs.get("kwta")
DIGITS = designs.get("htm-digits")
KWTA_CFG = KWTA.config(n=8)
DIGITS_CFG = DIGITS.config(n=8)


def test_every_score_engine_of_the_registry_has_a_board_entry():
    score = {n for n, d in designs.REGISTRY.items() if hasattr(d, "golden_rows")}
    assert score <= set(board_designs.names())
    assert {"argmax", "kwta", "maass-parity", "htm", "htm-digits"} <= score
    assert board_designs.get("htm-digits").top is board_designs.get("kwta").top
    # kwta and topk-tree share their Config: the name picks the design
    assert board_designs.of(KWTA_CFG, "topk-tree").name == "topk-tree"
    with pytest.raises(ValueError, match="kwta does not take this SpatialPoolerConfig"):
        board_designs.of(DIGITS_CFG, "kwta")


def test_info_payload_names_the_design_and_its_run_inputs():
    info = P.ScoreInfo.decode(sim_info_payload(DIGITS_CFG, "htm-digits"))
    assert (info.kind, info.design, info.n, info.inputs) == ("score", "htm-digits", 8, 1)
    assert info.config_digest == DIGITS_CFG.digest() and info.divisor == SIM_DIVISOR
    assert info.result_bits == DIGITS.result_layout(DIGITS_CFG).size
    assert info.fifo_depth == SIM_FIFO_DEPTH and run_inputs(DIGITS) == ("learning",)
    with pytest.raises(P.ProtocolError, match="the board runs the score design, not nwta"):
        P.Info.decode(sim_info_payload(KWTA_CFG, "kwta"))


def test_run_payload_layout():
    p = P.score_run_payload(7, 2, 5, (9,), stream=False)
    assert len(p) == P.score_run_length(1) == 17 and p == struct.pack("<IIIBI", 7, 2, 5, 0, 9)
    assert P.score_run_payload(1, 0, 3)[12] == P.RUN_STREAM


def test_the_top_s_checks():
    with pytest.raises(ValueError, match="kwta needs a KwtaConfig, not"):
        check_design(KWTA, DIGITS_CFG)
    with pytest.raises(ValueError, match="RESULT frame carries at most 255 bytes; htm-digits"):
        check_design(DIGITS, DIGITS.config(n=2048))


@pytest.fixture(scope="module")
def kwta_board():
    with SimTransport(KWTA_CFG, design="kwta") as transport:
        yield ScoreBoard(transport, timeout=5.0)


@pytest.fixture(scope="module")
def digits_board():
    with SimTransport(DIGITS_CFG, design="htm-digits") as transport:
        yield ScoreBoard(transport, timeout=5.0)


def test_kwta_runs_bit_exact(kwta_board):
    kwta_board.resync()
    run = run_scores(kwta_board, KWTA, KWTA_CFG, seed=5, trials=20, first=2**32 - 3)
    assert run.ok, run.lines()
    assert run.report.compared == 20 and run.summary.results == 20
    assert [r["mask"] for r in run.report.outputs["results"]] == [
        g["mask"] for g in KWTA.golden_rows(KWTA_CFG, 20, 5, 2**32 - 3)
    ]


# The htm-digits board is a Verilator build of its own (the image ROM's: about 35 s of CPU): its
# runs with their run input are in the slow tier. The default run holds the score top on the
# kwta board (a run bit-exact and its companion, RUN's payload checks) and htm-digits on the
# simulator (tests/sim/designs/test_htm.py: bit-exact, with its companions).


@pytest.mark.slow
def test_htm_digits_learns_then_codes_bit_exact(digits_board):
    digits_board.resync()
    run = run_scores(digits_board, DIGITS, DIGITS_CFG, seed=3, trials=6, inputs={"learning": 4})
    assert run.ok, run.lines()
    learn = [r["learn"] for r in run.report.outputs["results"]]
    assert learn == [1, 1, 1, 1, 0, 0] and run.inputs == {"learning": 4}
    # the design's own default: half the run learns
    run = run_scores(digits_board, DIGITS, DIGITS_CFG, seed=3, trials=4, check=False)
    assert run.ok and run.report is None and run.inputs == {"learning": 2}


def test_a_perturbed_golden_side_is_caught(kwta_board, monkeypatch):
    kwta_board.resync()
    golden = KWTA.golden_rows

    def perturbed(cfg, trials, seed, first, **inputs):
        rows = golden(cfg, trials, seed, first, **inputs)
        rows[3] = {**rows[3], "threshold": rows[3]["threshold"] ^ 1}
        return rows

    monkeypatch.setattr(KWTA, "golden_rows", perturbed)
    run = run_scores(kwta_board, KWTA, KWTA_CFG, seed=5, trials=8)
    assert not run.ok and run.report.mismatches == 1
    mm = run.report.first_mismatch
    assert (mm.signal, mm["trial"]) == ("threshold", 3)


def _refused(board, payload, what, code):
    with pytest.raises(BoardError, match=f"refused RUN: {what}") as e:
        board.command(P.CMD_RUN, payload)
    assert e.value.code == code


def _check_run_payloads(board, inputs, name, other, other_cfg):
    """RUN refused, and nothing run, with a payload a byte short or long or with a flag it
    does not know; refused while a run is busy, until ABORT; and a host of another design
    told so (``inputs``: the board's run inputs; ``name``: its design)."""
    good = P.score_run_payload(1, 0, 1, inputs)
    before = board.summary()
    _refused(board, good[:-1], "bad payload length", P.E_LENGTH)
    _refused(board, good + b"\0", "bad payload length", P.E_LENGTH)
    for flags in (0x01, 0x02, 0x80):
        head = struct.pack(P.SCORE_RUN_HEAD, 1, 0, 1, flags | P.RUN_STREAM)
        bad = head + good[len(head) :]
        _refused(board, bad, "bad argument", P.E_ARGUMENT)
    assert not board.status().busy and board.summary() == before  # none ran
    # a long run refuses another RUN until ABORT stops it
    board.start(1, 0, 2**32 - 1, inputs, stream=False)  # (the clock runs free)
    _refused(board, good, "busy", P.E_BUSY)
    board.abort()
    assert not board.status().busy
    with pytest.raises(BoardError, match=f"the board runs {name}, not {other.name}"):
        run_scores(board, other, other_cfg, seed=1, trials=1)


def test_run_payload_is_validated(kwta_board):
    kwta_board.resync()
    _check_run_payloads(kwta_board, (), "kwta", DIGITS, DIGITS_CFG)


@pytest.mark.slow  # on the htm-digits board (see above)
def test_run_payload_with_a_run_input_is_validated(digits_board):
    digits_board.resync()
    # its one run input missing
    _refused(digits_board, P.score_run_payload(1, 0, 1), "bad payload length", P.E_LENGTH)
    _check_run_payloads(digits_board, (0,), "htm-digits", KWTA, KWTA_CFG)


def test_the_kwta_board_refuses_a_run_input_it_has_none_of(kwta_board):
    kwta_board.resync()
    _refused(kwta_board, P.score_run_payload(1, 0, 1, (0,)), "bad payload length", P.E_LENGTH)
    with pytest.raises(ValueError, match="kwta takes no run input learning"):
        run_scores(kwta_board, KWTA, KWTA_CFG, seed=1, trials=1, inputs={"learning": 1})


@pytest.mark.synth
@pytest.mark.parametrize("name", ["kwta", "htm-digits"])
def test_ulx3s_bitstream(tmp_path, name):
    from gaba.boards.build import build

    cfg = designs.get(name).config(n=32)
    r = build(cfg, "ulx3s", out=tmp_path / name, design=name)
    assert r.kind == name and r.bitstream and r.fmax_mhz >= r.system_mhz
