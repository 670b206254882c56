"""Evidence-in trials (gaba.golden.evidence): the numba kernel equals the readable model, one
vector is the task's trial, and bad evidence is refused."""

from __future__ import annotations

import numpy as np
import pytest

from gaba.golden import evidence, fixed, primitives
from gaba.golden.config import Config
from gaba.golden.evidence import Registers, run_evidence

NOISY = Config.paper(n=5, delta=0.2, dt=2**-5, horizon=40.0)
QUIET = Config.paper(n=6, sigma=0.0, dt=2**-5, horizon=30.0)


def random_trials(cfg, count, *, vectors=4, seed=1, over=300):
    rng = np.random.default_rng(seed)
    return [
        rng.integers(0, cfg.b_hi + over, size=(rng.integers(1, vectors + 1), cfg.n))
        for _ in range(count)
    ]


def readable_rows(cfg, trials, seed, registers):
    return [evidence.trace(cfg, v, seed, j, registers=registers)[1] for j, v in enumerate(trials)]


@pytest.mark.parametrize(
    ("cfg", "registers", "count"),
    # as many trials as a case takes to time out in some (the readable model steps in Python)
    [
        (NOISY, Registers(hold=7), 24),
        (NOISY, Registers(hold=1, max_steps=300), 12),
        (QUIET, Registers(hold=3, theta_q=600, stop_q=5000, max_steps=700), 12),
        (
            Config.paper(n=3, kind="wta", delta=0.1, dt=2**-5, horizon=40.0),
            Registers(hold=2),
            12,
        ),
    ],
)
def test_the_kernel_runs_the_readable_model(cfg, registers, count):
    trials = random_trials(cfg, count)
    got = run_evidence(cfg, trials, 11, registers=registers)
    assert [got.row(j) for j in range(len(trials))] == readable_rows(cfg, trials, 11, registers)
    # the cases reach what they are about: decisions, timeouts and clamped inputs read
    assert got.decided.any() and got.in_sat.any() and not got.in_sat.all()
    assert not got.decided.all()


def test_the_readable_model_replays_a_stop_no_config_takes():
    # STOP = x_max is unreachable without noise (a Config refuses it; the core's register
    # takes it): every trial times out, on the kernel and on the readable model alike
    registers = Registers(hold=2, stop_q=QUIET.x_max, max_steps=90)
    trials = random_trials(QUIET, 6)
    got = run_evidence(QUIET, trials, 11, registers=registers)
    assert [got.row(j) for j in range(len(trials))] == readable_rows(QUIET, trials, 11, registers)
    assert not got.decided.any() and (got.steps == 90).all()


def test_the_comparison_fails_when_the_readable_model_rounds_otherwise(monkeypatch):
    trials = random_trials(NOISY, 6)
    got = run_evidence(NOISY, trials, 11, registers=Registers(hold=7))
    monkeypatch.setattr(primitives, "mulr", lambda v, c, cf: (v * c + (1 << (cf - 1)) - 1) >> cf)
    rows = readable_rows(NOISY, trials, 11, Registers(hold=7))
    assert [got.row(j) for j in range(len(trials))] != rows


def test_one_vector_of_the_task_inputs_is_the_task_trial():
    cfg = Config.paper(n=8, delta=0.1, dt=2**-5, horizon=60.0)
    tops = np.array([0, 3, 7, 5, 1, 2])
    task = fixed.run_trials(cfg, len(tops), 9, first_trial=4, top=tops)
    vectors = []
    for top in tops:
        b = np.full(cfg.n, cfg.b_lo)
        b[top] = cfg.b_hi
        vectors.append(b)
    got = run_evidence(cfg, vectors, 9, first_trial=4)
    for name in ("winner", "steps", "eta_sat", "r_sat", "state_hash"):
        assert np.array_equal(getattr(got, name), getattr(task, name)), name
    assert not got.in_sat.any()


def test_clamped_values_count_only_when_a_step_reads_them():
    cfg = QUIET
    calm = np.full(cfg.n, cfg.b_hi // 2)
    loud = np.full(cfg.n, cfg.b_hi + 5)
    got = run_evidence(cfg, [np.stack([calm] * 2 + [loud])], registers=Registers(hold=10))
    assert got.steps[0] > 20 and got.in_sat[0]
    unread = run_evidence(
        cfg, [np.stack([calm, calm, loud])], registers=Registers(hold=10, max_steps=20)
    )
    assert unread.steps[0] == 20 and not unread.in_sat[0]


@pytest.mark.parametrize(
    ("trials", "registers", "message"),
    [
        ([], Registers(), "at least one trial"),
        ([np.zeros(5, int)], Registers(), "must be n = 6 values"),
        ([np.full(6, -1)], Registers(), "must lie in 0..65535"),
        ([np.full(6, 1 << 16)], Registers(), "must lie in 0..65535"),
        ([np.zeros(6)], Registers(), "must be integers"),
        ([np.zeros(6, int)], Registers(hold=0), "hold must be an integer in 1..65535"),
        ([np.zeros(6, int)], Registers(stop_q=0), "stop_q must be an integer in 1..16383"),
        ([np.zeros(6, int)], Registers(max_steps=0), "max_steps must be an integer in 1..1023"),
    ],
)
def test_bad_evidence_is_refused(trials, registers, message):
    with pytest.raises(ValueError, match=message):
        run_evidence(QUIET, trials, registers=registers)


def test_conventional_wta_takes_no_gate_threshold():
    with pytest.raises(ValueError, match="nWTA only"):
        run_evidence(
            Config.paper(n=3, kind="wta"), [np.zeros(3, int)], registers=Registers(theta_q=5)
        )


def test_the_kernel_refuses_a_register_it_does_not_have():
    with pytest.raises(TypeError, match="no register stop"):
        fixed.kernel_args(QUIET, evidence=True, stop=5)  # (stop_q is the register)


def test_a_trial_streams_as_n_beats_a_vector_with_last_on_its_last():
    assert evidence.beats([[1, 2], [3, 4]]) == [(1, 0), (2, 0), (3, 0), (4, 1)]
    assert evidence.beats(np.array([5, 6, 7])) == [(5, 0), (6, 0), (7, 1)]
