"""The host driver against the simulated board top (Verilator), end to end.

Every byte crosses the board top's UART pins bit by bit inside the simulator
(gaba.boards.bench_board); the host code is the one that drives a real serial port. The results
are held to the golden model by the nWTA design's own scoreboard (check_board of
gaba.sim.designs.nwta).
"""

import time

import pytest

from gaba.boards import protocol as P
from gaba.boards.host import Board, BoardError, BoardTimeout, RunResult
from gaba.boards.simboard import SIM_DIVISOR, SIM_FIFO_DEPTH, SimTransport, sim_info_payload
from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.hdl.engine import result_layout
from gaba.sim import designs

# dt = 2**-4: trials decide in a few hundred steps; the datapath is the paper's
check_run = designs.get("nwta").check_board  # a board run held to the scoreboard
CFG = Config.paper(n=4, dt=2.0**-4, horizon=30.0)
FIFO = SIM_FIFO_DEPTH


@pytest.fixture(scope="module")
def board():
    with SimTransport(CFG) as transport:
        b = Board(transport, timeout=5.0)
        yield b


@pytest.fixture(autouse=True)
def _idle(request):
    """Each test starts with an idle board and an empty receive buffer."""
    if "board" in request.fixturenames:
        request.getfixturevalue("board").resync()
    yield


def test_info_names_the_design(board):
    info = board.info()
    assert info.kind == "nwta" and info.n == 4 and info.config_digest == CFG.digest()
    assert board.command(P.CMD_INFO) == sim_info_payload(CFG)
    assert info.result_bits == result_layout(CFG).size and info.divisor == SIM_DIVISOR
    assert info.max_steps == CFG.max_steps and info.latency == 0 and info.fifo_depth == FIFO
    assert info.protocol == P.PROTOCOL_VERSION and info.version == "0.1.0"


@pytest.mark.parametrize(
    "seed,first,top,delta_q", [(7, 0, None, None), (3, 2**32 - 5, 2, 300), (11, 40, None, 0)]
)
def test_run_is_bit_exact_and_counted(board, seed, first, top, delta_q):
    count = 24
    board.start(seed, first, count, top=top, delta_q=delta_q)
    results = board.results(count)
    report = check_run(CFG, results, seed=seed, first=first, top=top, delta_q=delta_q)
    assert report.bit_exact, report.first_mismatch
    assert [r.trial for r in results] == [(first + j) % 2**32 for j in range(count)]
    # the board's counters agree with the golden model's trials
    g = report.outputs["golden"]
    s = board.summary()
    assert s.trials == count and s.decided == int(g.decided.sum())
    assert s.correct == int((g.decided & (g.winner == g.top)).sum())
    assert s.saturated == int((g.eta_sat | g.r_sat).sum())
    assert s.steps == int(g.steps.sum())
    assert board.status().busy is False


def test_a_perturbed_result_is_caught(board):
    """The companion of the test above: the same check fails when one value is off."""
    board.start(5, 0, 6)
    results = board.results(6)
    assert check_run(CFG, results, seed=5, first=0).bit_exact
    flipped = list(results)
    flipped[3] = RunResult(results[3].trial, results[3].word ^ (1 << 20))  # inside the digest
    report = check_run(CFG, flipped, seed=5, first=0)
    assert not report.bit_exact and report.first_mismatch["trial"] == 3
    assert report.first_mismatch.signal == "digest"
    shifted = [RunResult(r.trial + 1, r.word) for r in results]
    assert check_run(CFG, shifted, seed=5, first=0).first_mismatch.signal == "trial"
    assert not check_run(CFG, results, seed=6, first=0).bit_exact  # another run's results


def test_backpressure_loses_no_result(board):
    """Three FIFOs' worth of results while a RESULT frame takes longer to send than a trial
    takes to run: the FIFO fills, the engine waits (res.ready low), and every result arrives,
    in order, exact."""
    count = 3 * FIFO
    board.start(9, 100, count)
    results = board.results(count)
    assert check_run(CFG, results, seed=9, first=100).bit_exact
    frame_cycles = (P.HEADER + 4 + (result_layout(CFG).size + 7) // 8 + P.TRAILER) * 10
    frame_cycles *= SIM_DIVISOR
    golden = fixed.run_trials(CFG, count, 9, first_trial=100)
    assert frame_cycles > int(golden.steps.max()) + 140  # the UART is the bottleneck
    s = board.summary()
    # the last result could be taken only after the FIFO had sent all but 32 of the others
    assert s.run_cycles >= (count - FIFO - 1) * frame_cycles
    assert s.run_cycles > int(golden.steps.sum()) + count * 140  # so the engine waited


def test_counters_only_run(board):
    board.start(4, 0, 50, stream=False)
    st = board.wait_idle(20)
    assert st.results == 50 and st.fifo_level == 0 and not st.streaming
    g = fixed.run_trials(CFG, 50, 4)
    s = board.summary()
    assert (s.trials, s.decided, s.steps) == (50, int(g.decided.sum()), int(g.steps.sum()))
    with pytest.raises(BoardTimeout):  # and no RESULT frame came
        Board(board.transport, timeout=0.3).results(1)


def test_run_while_busy_is_refused_and_abort_stops_it(board):
    board.start(1, 0, 100_000, stream=False)
    assert board.status().busy
    with pytest.raises(BoardError, match="refused RUN: busy") as e:
        board.start(2, 0, 1)
    assert e.value.code == P.E_BUSY
    board.abort()
    st = board.status()
    assert not st.busy and st.fifo_level == 0
    board.start(2, 0, 3)
    assert check_run(CFG, board.results(3), seed=2, first=0).bit_exact


def _raw(board, frame: bytes, cmd: int, timeout=5.0):
    board.transport.write(frame)
    return board._reply(cmd, timeout)


def test_bad_crc_is_answered_and_dropped(board):
    frame = bytearray(P.encode_frame(P.CMD_RUN, P.run_payload(1, 0, 5)))
    frame[-1] ^= 0x01
    before = board.status()
    with pytest.raises(BoardError, match="refused RUN: bad CRC") as e:
        _raw(board, bytes(frame), P.CMD_RUN)
    assert e.value.code == P.E_CRC
    st = board.status()
    assert not st.busy and st.results == before.results  # the run did not start
    assert st.bad_frames == before.bad_frames + 1


def test_truncated_frame_times_out_on_the_board(board):
    frame = P.encode_frame(P.CMD_RUN, P.run_payload(1, 0, 5))
    with pytest.raises(BoardError, match="truncated frame") as e:
        _raw(board, frame[:8], P.CMD_RUN)
    assert e.value.code == P.E_TIMEOUT
    assert board.info().n == 4  # the link works again at once


def test_unknown_command_and_wrong_lengths(board):
    for code in (0x42, 0x10, 0x00, 0xFF):  # 0x10: reserved for the Foldiak layer
        with pytest.raises(BoardError, match="unknown command") as e:
            _raw(board, P.encode_frame(code, b"\x01"), code)
        assert e.value.code == P.E_UNKNOWN
    with pytest.raises(BoardError, match="refused INFO: bad payload length"):
        _raw(board, P.encode_frame(P.CMD_INFO, b"\x00"), P.CMD_INFO)
    with pytest.raises(BoardError, match="refused RUN: bad payload length"):
        _raw(board, P.encode_frame(P.CMD_RUN, P.run_payload(1, 0, 5)[:-1]), P.CMD_RUN)
    with pytest.raises(BoardError, match="bad payload length"):  # longer than the buffer
        _raw(board, P.encode_frame(P.CMD_STATUS, bytes(P.MAX_REQUEST + 6)), P.CMD_STATUS)
    assert not board.status().busy


def test_noise_without_sync_gets_no_reply_and_the_host_times_out(board):
    t = time.monotonic()
    with pytest.raises(BoardTimeout, match="no reply from the board within 0.4 s"):
        _raw(board, bytes([0x00, 0x13, 0x37, 0xFF] * 4), P.CMD_INFO, timeout=0.4)
    assert 0.35 < time.monotonic() - t < 3
    assert board.info().config_digest == CFG.digest()


class _Corrupting:
    """A transport that flips one bit of the nth byte read."""

    def __init__(self, inner, at: int):
        self.inner, self.at, self.seen = inner, at, 0

    def write(self, data):
        self.inner.write(data)

    def read(self, size, timeout):
        data = bytearray(self.inner.read(size, timeout))
        if self.seen <= self.at < self.seen + len(data):
            data[self.at - self.seen] ^= 0x04
        self.seen += len(data)
        return bytes(data)


def test_a_corrupted_reply_is_detected_by_the_host(board):
    host = Board(_Corrupting(board.transport, at=10), timeout=5.0)
    with pytest.raises(BoardError, match="bad CRC"):
        host.info()


@pytest.mark.slow  # a simulated board of its own (a Verilator build)
def test_a_board_with_several_clocks_per_step_is_bit_exact():
    # the board builds' default: the step spread over 6 clocks, the same results
    cfg = CFG.replace(step_clocks=6)
    with SimTransport(cfg) as transport:
        b = Board(transport, timeout=5.0)
        info = b.info()
        assert info.step_clocks == 6 and info.config_digest == cfg.digest() != CFG.digest()
        b.start(5, 0, 12)
        results = b.results(12)
        report = check_run(cfg, results, seed=5, first=0)
        assert report.bit_exact, report.first_mismatch
        s = b.summary()
        assert s.steps == int(report.outputs["golden"].steps.sum())
        # the run took at least 6 clocks for every step, and not twice that
        assert 6 * s.steps <= s.run_cycles < 12 * s.steps


@pytest.mark.slow  # a simulated board of its own (a Verilator build)
def test_a_board_with_four_engines_is_bit_exact_and_shares_the_run():
    # four engines (trials r, r + 4, ...) merged back into trial order; counters only, then
    # streamed and held to the golden model
    cfg = CFG.replace(step_clocks=1, latency=2)
    with SimTransport(cfg, replicas=4) as transport:
        b = Board(transport, timeout=5.0)
        b.start(5, 3, 40, stream=False)
        b.wait_idle(60.0)
        s = b.summary()
        golden = fixed.run_trials(cfg, 40, 5, first_trial=3)
        assert s.trials == 40 and s.steps == int(golden.steps.sum())
        # four engines: well under half the cycles one engine needs for these steps
        assert s.run_cycles < s.steps / 2
        b.start(5, 3, 21)
        results = b.results(21)
        report = check_run(cfg, results, seed=5, first=3)
        assert report.bit_exact, report.first_mismatch
        # the companion: the same results held to another seed's golden trials fail
        assert not check_run(cfg, results, seed=6, first=3).bit_exact
