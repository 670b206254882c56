"""gaba.boards.designs.nwta on a stand-in board (no simulator): the Config check against INFO,
the board's clocks per step, a run's commands, counters, verdict, JSON and text; the entries'
build fields, default clock division and run options. The simulated board runs the same
functions end to end in tests/cli/test_board.py and tests/boards/test_host.py."""

from types import SimpleNamespace

import pytest

from gaba.boards import protocol as P
from gaba.boards.designs import nwta
from gaba.boards.designs.nwta import NWTA, WTA, as_built, run_trials
from gaba.boards.host import ConfigMismatch, RunResult, check_config
from gaba.boards.platforms import ICEBREAKER, ULX3S
from gaba.golden.config import Config


def _cfg(**changes):
    return Config.paper(n=2, dt=0.0625, horizon=30.0, **changes)


class FakeBoard:
    """What run_trials asks of a Board, recorded; INFO of ``cfg`` (or ``digest``)."""

    timeout = 0.5

    def __init__(self, cfg, *, digest=None, step_clocks=1, counted=None):
        self.info_reply = P.Info(
            protocol=P.PROTOCOL_VERSION,
            version="0.1.0",
            kind=cfg.kind,
            n=cfg.n,
            config_digest=digest or cfg.digest(),
            result_bits=52,
            max_steps=cfg.max_steps,
            clock_hz=100_000_000,
            divisor=8,
            fifo_depth=32,
            latency=cfg.latency,
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
        return P.Summary(trials, 0, 0, 0, 0, run_cycles=10)


def test_check_config_names_both_configs():
    cfg = _cfg()
    board = FakeBoard(cfg)
    check_config(cfg, board.info())
    other = FakeBoard(cfg, digest="0" * 16).info()
    with pytest.raises(ConfigMismatch) as e:
        check_config(cfg, other)
    assert str(e.value) == (
        f"the board runs nwta n=2, Config {'0' * 16}; these options give Config {cfg.digest()} "
        "(pass the options the bitstream was built with)"
    )
    assert isinstance(e.value, ValueError)


def _built(step_clocks=1, latency=3, shared_noise=False, pipelined=False, products="shift-add"):
    return SimpleNamespace(
        step_clocks=step_clocks,
        latency=latency,
        shared_noise=shared_noise,
        pipelined=pipelined,
        products=products,
    )


def test_the_board_build_is_taken_when_valid():
    cfg = _cfg()
    clocks = ("step_clocks",)
    assert as_built(cfg, _built(step_clocks=6), clocks).step_clocks == 6
    assert as_built(cfg, _built(step_clocks=0), clocks) is cfg
    # the latency too, where the user did not give it
    built = _built()
    both = as_built(cfg, built)
    assert (both.step_clocks, both.latency) == (1, 3) and both.digest() != cfg.digest()
    assert as_built(cfg, built, ("step_clocks",)).latency == cfg.latency
    assert as_built(cfg, built, ()) is cfg
    # the noise units, pipelining and products, as INFO's build byte gives them
    board = _built(8, 5, shared_noise=True, pipelined=True, products="multiplier")
    assert as_built(cfg, board) == cfg.replace(
        step_clocks=8, latency=5, shared_noise=True, pipelined=True, products="multiplier"
    )
    # options given that cannot join the board's build leave the Config to the digest check
    zero = cfg.replace(latency=0)
    assert as_built(zero, board, ("step_clocks", "shared_noise", "pipelined")) is zero


def test_counters_only_run():
    cfg = _cfg()
    board = FakeBoard(cfg)
    run = run_trials(board, cfg, seed=5, trials=4, first=3, check=False, source="p")
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
    miscounted = run_trials(FakeBoard(cfg, counted=3), cfg, seed=5, trials=4, check=False)
    assert not miscounted.counted and not miscounted.ok


def test_streamed_results_are_held_to_the_golden_model():
    cfg = _cfg()
    seen = []
    run = run_trials(
        FakeBoard(cfg), cfg, seed=5, trials=2, first=3, progress=lambda *a: seen.append(a)
    )
    assert seen == [(2, 2)]
    assert run.report is not None and run.report.bit_exact is False and not run.ok
    j = run.to_json()
    assert j["bit_exact"] is False and j["mismatches"] > 0 and j["trials"] == 2


def test_the_board_must_run_the_config():
    cfg = _cfg()
    board = FakeBoard(cfg, digest="0" * 16)
    with pytest.raises(ConfigMismatch):
        run_trials(board, cfg, seed=1, trials=1)
    assert board.calls == ["info"]  # nothing started


def test_a_real_board_s_clocks_per_step_are_adopted():
    built = _cfg(step_clocks=6)
    board = FakeBoard(built, step_clocks=6)
    run = run_trials(board, _cfg(), seed=1, trials=1, check=False, adopt=True)
    assert run.cfg.step_clocks == 6 and run.ok
    with pytest.raises(ConfigMismatch):
        run_trials(FakeBoard(built, step_clocks=6), _cfg(), seed=1, trials=1)


def test_a_run_reads_as_text_and_warns_when_miscounted():
    cfg = _cfg()
    run = NWTA.run(
        FakeBoard(cfg), cfg, seed=5, count=4, check=False, adopt=False, source="p", first=3
    )
    assert run.lines()[0] == f"nwta n=2 on p (Config {cfg.digest()}): 4 trials from 3, seed 5"
    assert "not streamed (--no-check)" in run.lines()[1] and run.warnings() == []
    run = NWTA.run(FakeBoard(cfg, counted=3), cfg, seed=5, count=None, check=False, adopt=False,
                   source="p")  # fmt: skip
    assert run.trials == 100 and run.warnings() == ["the board counted 3 trials, expected 100"]
    streamed = NWTA.run(FakeBoard(cfg), cfg, seed=5, count=2, check=True, adopt=False, source="p")
    assert streamed.lines()[1].startswith("  results    MISMATCH (")
    assert streamed.lines()[2].startswith("  first      trial 0: ")


def test_run_options_are_checked_against_the_config():
    cfg = _cfg()
    given = {"first": None, "top": None, "delta_in": None}
    assert NWTA.check_options(cfg, given) == {"first": 0, "top": None, "delta_q": None}
    got = NWTA.check_options(cfg, {"first": 7, "top": 1, "delta_in": 0.5})
    assert got == {"first": 7, "top": 1, "delta_q": 2**cfg.frac_bits // 2}
    with pytest.raises(ValueError, match="--top must be below n = 2, not 2"):
        NWTA.check_options(cfg, {**given, "top": 2})
    with pytest.raises(ValueError, match="--delta-in must lie in 0.."):
        NWTA.check_options(cfg, {**given, "delta_in": -1.0})
    assert [o.flag for o in NWTA.run_options] == ["--first", "--top", "--delta-in"]


def test_the_entries_hold_their_configs_and_build_fields():
    assert (NWTA.name, WTA.name) == ("nwta", "wta") and nwta.DESIGNS == (NWTA, WTA)
    cfg = Config.paper(n=3, latency=1, step_clocks=6)
    assert NWTA.holds(cfg) and not WTA.holds(cfg) and WTA.holds(cfg.replace(kind="wta"))
    hardware = {"shared_noise": False, "pipelined": False, "products": "shift-add"}
    assert NWTA.build_fields(cfg) == {"latency": 1, "step_clocks": 6, "lanes": None, **hardware}
    folded = Config.paper(n=8, lanes=2)
    assert NWTA.build_fields(folded) == {"latency": 0, "step_clocks": 1, "lanes": 2, **hardware}
    shared = Config.paper(n=8, step_clocks=4, shared_noise=True, products="multiplier")
    assert NWTA.build_fields(shared) == {
        "latency": 0,
        "step_clocks": 4,
        "lanes": None,
        "shared_noise": True,
        "pipelined": False,
        "products": "multiplier",
    }
    assert NWTA.label(cfg) == f"nwta n=3, Config {cfg.digest()}, latency 1"
    # one clock per Euler step is a long path: the board's divided clock; else the board's
    one = cfg.replace(step_clocks=1)
    assert NWTA.clock_div(cfg, ULX3S) == NWTA.clock_div(one, ULX3S) == 1
    assert NWTA.clock_div(one.replace(latency=0), ULX3S) == 2
    assert NWTA.clock_div(folded, ULX3S) == 1  # the folded lane is a pipeline
    # shared noise keeps the one-clock x loop: at latency 0 a long path too
    assert (
        NWTA.clock_div(shared, ULX3S) == 2 and NWTA.clock_div(shared.replace(latency=1), ULX3S) == 1
    )
    NWTA.check_board(cfg, ICEBREAKER)  # any board can hold it (whether it fits: the build)
    with pytest.raises(ValueError, match="BoardTop needs a gaba Config"):
        NWTA.check_board(3, ICEBREAKER)
    assert NWTA.adopt(cfg, _built(step_clocks=8, latency=1)).step_clocks == 8
