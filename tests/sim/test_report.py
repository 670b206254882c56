import re

import pytest

from gaba.sim.report import build_report


@pytest.mark.slow  # every golden and float model of the report: half a minute on two cores
def test_report_has_every_section_and_plot(tmp_path):
    path = build_report(tmp_path, trials=40, seed=2)
    text = path.read_text()
    for title in (
        "## 1. nWTA",
        "## 2. Conventional WTA",
        "## 3. Integration time",
        "## 4. Hick's law",
        "## 5. nWTA against the serial",
        "## 6. Hardware decision",
    ):
        assert title in text
    for png in ("nwta-scaling.png", "wta.png", "hick-baselines.png"):
        assert f"]({png})" in text and (tmp_path / png).stat().st_size > 10_000
    slope = float(re.search(r"fixed point ([0-9.]+) tau \(intercept", text).group(1))
    assert 0.5 < slope < 2.0  # log N scaling: about one tau per doubling
    fails = int(re.search(r"from N = (\d+) on it decides in fewer than half", text).group(1))
    assert 8 < fails <= 64  # conventional WTA stops deciding at a modest N
    assert "Hardware rows" not in text  # no hardware asked for
