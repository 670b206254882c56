"""benchmarks/fidelity.py: its statistics, point selection, --set and output, at tiny trial
counts."""

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from gaba.golden import fixed, reference
from gaba.golden.results import TrialResults

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "fidelity.py"
_spec = importlib.util.spec_from_file_location("benchmarks_fidelity", _PATH)
fidelity = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fidelity  # dataclasses look their module up there
_spec.loader.exec_module(fidelity)


def test_z_score():
    assert fidelity.z_score(10.0, 3.0, 2.0, 4.0) == pytest.approx(8.0 / 5.0)
    assert fidelity.z_score(1.0, 0.0, 1.0, 0.0) == 0.0  # accuracy 1 against 1
    assert fidelity.z_score(1.0, 0.0, 0.5, 0.0) == math.inf
    assert fidelity.z_score(0.5, 0.0, 1.0, 0.0) == -math.inf
    assert fidelity.z_score(None, None, 1.0, 0.1) is None  # a side decided no trial


def test_decided_standard_error_is_over_all_trials():
    res = TrialResults(
        winner=[0, 1, -1, -1],
        top=[0, 0, 0, 1],
        steps=[5, 6, 9, 9],
        decided=[True, True, False, False],
        dt=1.0,
    )
    assert fidelity.decided_se(res) == pytest.approx(math.sqrt(0.5 * 0.5 / 4))


def test_points_are_the_default_set_and_select_by_label_or_pattern():
    pts = fidelity.select_points(None)
    assert [(p.kind, p.n, p.delta, p.sigma) for p in pts] == [
        *(("nwta", n, 0.1, 0.22) for n in (2, 16, 128, 1024, 4096)),
        *(("wta", n, 0.1, 0.22) for n in (4, 8, 16, 20)),
        ("nwta", 10, 0.05, 0.22),
        ("nwta", 10, 0.2, 0.22),
        ("nwta", 10, 0.1, 0.1),
        ("nwta", 10, 0.1, 0.33),
    ]
    assert len({p.label for p in pts}) == len(pts)
    assert [p.label for p in fidelity.select_points("wta-16,nwta-1024")] == [
        "nwta-1024",
        "wta-16",
    ]
    assert [p.n for p in fidelity.select_points("wta-*")] == [4, 8, 16, 20]
    with pytest.raises(ValueError, match="no point matches"):
        fidelity.select_points("nwta-3")


def test_set_converts_to_the_field_type_and_applies_on_top_of_the_point():
    assert fidelity.parse_set("frac_bits=14") == ("frac_bits", 14)
    assert fidelity.parse_set("theta=0.25") == ("theta", 0.25)
    assert fidelity.parse_set("kind=wta") == ("kind", "wta")
    for bad in ("frac_bits", "bogus=1", "frac_bits=1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            fidelity.parse_set(bad)
    point = fidelity.select_points("nwta-10-sigma0.33")[0]
    cfg = fidelity.point_config(point, {"frac_bits": 14, "theta": 0.25})
    assert (cfg.kind, cfg.n, cfg.params.sigma, cfg.params.delta) == ("nwta", 10, 0.33, 0.1)
    assert (cfg.frac_bits, cfg.params.theta) == (14, 0.25)
    assert fidelity.format_fields(cfg)["frac_bits"] == 14


def test_float_runs_in_chunks_with_their_own_seeds(monkeypatch):
    assert fidelity.float_seeds(4096, 2000, 1)[:2] == [(128, 2), (128, 3)]
    assert fidelity.float_seeds(2, 2000, 1) == [(2000, 2)]
    monkeypatch.setattr(fidelity, "FLOAT_CHUNK_ELEMENTS", 20)  # 5 trials per chunk at n = 4
    cfg = fidelity.point_config(fidelity.select_points("wta-4")[0], {})
    chunks = fidelity.float_seeds(4, 12, 7)
    assert chunks == [(5, 8), (5, 9), (2, 10)]
    res = fidelity.run_float(cfg.params, 12, 7)
    parts = [reference.simulate_float(cfg.params, k, s) for k, s in chunks]
    for name in ("winner", "top", "steps", "decided"):
        assert np.array_equal(getattr(res, name), np.concatenate([getattr(p, name) for p in parts]))


def test_main_writes_the_statistics_of_both_models(tmp_path, capsys):
    out = tmp_path / "f.json"
    assert (
        fidelity.main(["--points", "nwta-2", "--trials", "30", "--json", str(out), "--quiet"]) == 0
    )
    text = capsys.readouterr().out
    assert "frac_bits=12" in text and "| nwta-2 " in text
    data = json.loads(out.read_text())
    (row,) = data["points"]
    cfg = fidelity.point_config(fidelity.select_points("nwta-2")[0], {})
    want_f = fixed.run_trials(cfg, 30, 1).summary()
    want_g = fidelity.run_float(cfg.params, 30, 1).summary()
    for side, want in (("fixed", want_f), ("float", want_g)):
        assert {k: row[side][k] for k in want} == want
    z = (want_f["mean_decision_time"] - want_g["mean_decision_time"]) / math.hypot(
        want_f["mean_decision_time_se"], want_g["mean_decision_time_se"]
    )
    assert row["z_time"] == pytest.approx(z)
    assert row["within"] == (abs(z) <= 2 and abs(row["z_accuracy"]) <= 2)
    assert f"{data['within']} of 1 points within |z| <= 2" in text
