# amaranth: UnusedElaboratable=no
import pytest

from gaba.golden import baselines
from gaba.golden.config import Config
from gaba.hdl.baselines import ParallelIntegrators, SerialIntegrator


def run(engine, cls, cfg, steps, count, seed, first=0):
    """(winner, top, cycles) of each trial of ``cls`` built from ``cfg``."""
    got = engine(
        cls(cfg),
        count,
        inputs={"seed": seed, "first": first, "steps": steps},
        max_cycles=count * (cfg.n * (steps + 2) + 8),
    )
    return [(p.winner, p.top, p.cycles) for p in got]


CASES = [
    (ParallelIntegrators, baselines.parallel_cycles),
    (SerialIntegrator, baselines.serial_cycles),
]


@pytest.mark.parametrize(("cls", "cycles"), CASES, ids=["parallel", "serial"])
@pytest.mark.parametrize("n", [2, 5])
def test_integrators_match_the_golden_model(trial_engine, cls, cycles, n):
    cfg = Config.paper(n=n, delta=0.05)
    steps, count, seed = 37, 6, 9
    winner, top = baselines.integrator_trials(cfg, steps, count, seed, first_trial=3)
    got = run(trial_engine, cls, cfg, steps, count, seed, first=3)
    assert [(w, t) for w, t, _ in got] == list(zip(winner.tolist(), top.tolist(), strict=True))
    assert {c for _, _, c in got} == {cycles(n, steps)}
    assert any(w != t for w, t, _ in got) or n == 2  # short T: some wrong answers compared too


@pytest.mark.parametrize(("cls", "cycles"), CASES, ids=["parallel", "serial"])
def test_integrator_check_fails_for_another_config(trial_engine, cls, cycles):
    # companion: hardware with a different gap must disagree with the golden model somewhere
    cfg = Config.paper(n=5, delta=0.05)
    winner, top = baselines.integrator_trials(cfg, 37, 8, 9)
    got = run(trial_engine, cls, cfg.replace(delta=0.4), 37, 8, 9)
    assert [(w, t) for w, t, _ in got] != list(zip(winner.tolist(), top.tolist(), strict=True))


def test_validation():
    with pytest.raises(ValueError, match="Integrators need a gaba Config"):
        ParallelIntegrators({"n": 4})
