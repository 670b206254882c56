"""boards.session on a stand-in board (no simulator): the Config check against INFO, the
board's clocks per step, a run's commands, counters, verdict and JSON. The simulated board
runs the same functions end to end in tests/cli/test_board.py and test_foldiak_top.py."""

from types import SimpleNamespace

import pytest

from gaba.boards import session
from gaba.boards.host import BoardError, RunResult
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig


def _cfg(**changes):
    return Config.paper(n=2, dt=0.0625, horizon=30.0, **changes)


class FakeBoard:
    """What run_trials asks of a Board, recorded; INFO of ``cfg`` (or ``digest``)."""

    timeout = 0.5

    def __init__(self, cfg, *, digest=None, step_clocks=1, counted=None):
        self.info_reply = SimpleNamespace(
            kind=cfg.kind,
            n=cfg.n,
            config_digest=digest or cfg.digest(),
            clock_hz=100_000_000,
            step_clocks=step_clocks,
        )
        self.counted, self.calls = counted, []

    def info(self):
        self.calls.append("info")
        return self.info_reply

    def start(self, seed, first, count, **kw):
        self.calls.append(("start", seed, first, count, kw))
        self.trials = count

    def results(self, count, *, progress=None):
        self.calls.append(("results", count))
        if progress:
            progress(count, count)
        return [RunResult(trial=3 + k, word=0) for k in range(count)]

    def wait_idle(self, timeout):
        self.calls.append(("wait_idle", timeout))

    def summary(self):
        self.calls.append("summary")
        trials = self.trials if self.counted is None else self.counted
        return SimpleNamespace(trials=trials, decided=0, run_cycles=10)


def test_check_config_names_both_configs():
    cfg = _cfg()
    board = FakeBoard(cfg)
    session.check_config(cfg, board.info())
    other = FakeBoard(cfg, digest="0" * 16).info()
    with pytest.raises(session.ConfigMismatch) as e:
        session.check_config(cfg, other)
    assert str(e.value) == (
        f"the board runs nwta n=2, Config {'0' * 16}; these options give Config {cfg.digest()} "
        "(pass the options the bitstream was built with)"
    )
    assert isinstance(e.value, ValueError)
    fcfg = FoldiakConfig.paper()
    info = SimpleNamespace(m=64, n=16, config_digest="1" * 16)
    with pytest.raises(session.ConfigMismatch, match=r"^the board runs foldiak m=64 n=16, "):
        session.check_config(fcfg, info)


def test_board_clocks_are_taken_when_valid():
    cfg = _cfg()
    assert session.board_clocks(cfg, SimpleNamespace(step_clocks=6)).step_clocks == 6
    assert session.board_clocks(cfg, SimpleNamespace(step_clocks=0)) is cfg


def test_counters_only_run():
    cfg = _cfg()
    board = FakeBoard(cfg)
    run = session.run_trials(board, cfg, seed=5, trials=4, first=3, check=False, source="p")
    assert board.calls == [
        "info",
        ("start", 5, 3, 4, {"top": None, "delta_q": None, "stream": False}),
        ("wait_idle", 0.5 * 4),
        "summary",
    ]
    assert run.report is None and run.counted and run.ok
    j = run.to_json()
    assert j["bit_exact"] is None and j["trials"] == 4 and j["port"] == "p"
    assert j["config_digest"] == cfg.digest() and j["summary"]["trials"] == 4
    miscounted = session.run_trials(FakeBoard(cfg, counted=3), cfg, seed=5, trials=4, check=False)
    assert not miscounted.counted and not miscounted.ok


def test_streamed_results_are_held_to_the_golden_model():
    cfg = _cfg()
    seen = []
    run = session.run_trials(
        FakeBoard(cfg), cfg, seed=5, trials=2, first=3, progress=lambda *a: seen.append(a)
    )
    assert seen == [(2, 2)]
    assert run.report is not None and run.report.bit_exact is False and not run.ok
    j = run.to_json()
    assert j["bit_exact"] is False and j["mismatches"] > 0 and j["trials"] == 2


def test_the_board_must_run_the_config():
    cfg = _cfg()
    board = FakeBoard(cfg, digest="0" * 16)
    with pytest.raises(session.ConfigMismatch):
        session.run_trials(board, cfg, seed=1, trials=1)
    assert board.calls == ["info"]  # nothing started


def test_a_real_board_s_clocks_per_step_are_adopted():
    built = _cfg(step_clocks=6)
    board = FakeBoard(built, step_clocks=6)
    run = session.run_trials(board, _cfg(), seed=1, trials=1, check=False, adopt_clocks=True)
    assert run.cfg.step_clocks == 6 and run.ok
    with pytest.raises(session.ConfigMismatch):
        session.run_trials(FakeBoard(built, step_clocks=6), _cfg(), seed=1, trials=1)


def test_a_missing_serial_port_is_a_board_error():
    with pytest.raises(BoardError, match="cannot open serial port /dev/gaba-no-such-port"):
        session.connect("/dev/gaba-no-such-port", _cfg(), baud=115200)
