"""examples/cocotb_core end to end: gaba export, cocotb's runner on Icarus, the cocotb test
holding every winner to the golden model (about 45 s: marked slow, -m slow runs it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sim  # it starts Icarus (through cocotb's runner, not gaba's)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cocotb_core"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("iverilog") is None, reason="Icarus (iverilog) not on PATH")
def test_the_cocotb_example_passes(tmp_path):
    cmd = [sys.executable, str(EXAMPLE / "run.py"), "--out", str(tmp_path), "--trials", "4"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert "PASS 4 trials: every winner the golden model's" in out
    assert (tmp_path / "export" / "gaba_nwta_core.v").exists()
    assert out.rstrip().endswith("PASS")


def test_the_example_refuses_bad_options(tmp_path):
    cmd = [sys.executable, str(EXAMPLE / "run.py"), "--out", str(tmp_path), "--trials", "0"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--trials must be at least 1, not 0" in run.stderr
