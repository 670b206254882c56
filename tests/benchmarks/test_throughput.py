"""benchmarks/throughput.py end to end on a small build report: the golden model's rate, the
simulated board's cycles (its steps held to the golden model's) and the ratios."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gaba.golden import fixed
from gaba.golden.config import Config

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "throughput.py"


def _bench(tmp_path, build, *extra):
    path = tmp_path / "gaba_build.json"
    path.write_text(json.dumps(build))
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, str(_PATH), "--build", str(path), "--json", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc, (json.loads(out.read_text()) if out.exists() else None)


@pytest.mark.slow  # a simulated board of its own (a Verilator build)
def test_throughput_of_a_two_engine_build(tmp_path):
    cfg = Config.paper(n=4, latency=2, step_clocks=1)
    build = {
        "kind": "nwta",
        "n": 4,
        "latency": 2,
        "step_clocks": 1,
        "config_digest": cfg.digest(),
        "system_mhz": 50.0,
        "fmax_mhz": 60.0,
        "replicas": 2,
    }
    proc, out = _bench(tmp_path, build, "--trials", "40", "--repeats", "2")
    assert proc.returncode == 0, proc.stderr
    golden = fixed.run_trials(cfg.replace(delta=round(0.1 * 4096) / 4096), 40, 1)
    assert out["steps"] == int(golden.steps.sum()) and out["replicas"] == 2
    # two engines: a trial's cycles are about half its steps (plus load, priming, result)
    per_trial = out["run_cycles"] / 40
    assert golden.steps.mean() / 2 < per_trial < golden.steps.mean() / 2 * 1.2
    for clock, mhz in (("clock", 50.0), ("fmax", 60.0)):
        rate = out[f"hardware_trials_per_s_at_{clock}"]
        assert rate == pytest.approx(mhz * 1e6 / per_trial, rel=1e-3)
        assert out[f"ratio_at_{clock}"] == pytest.approx(rate / out["golden_trials_per_s"], 0.01)
    assert "x the golden model" in proc.stdout


def test_a_build_of_another_config_is_refused(tmp_path):
    build = {"kind": "nwta", "n": 4, "latency": 2, "step_clocks": 1, "config_digest": "0" * 16}
    proc, out = _bench(tmp_path, build)
    assert proc.returncode == 1 and out is None
    assert "is not the paper point" in proc.stderr
