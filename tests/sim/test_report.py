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


@pytest.mark.slow  # the report twice: about a minute on two cores
def test_report_on_a_local_cluster_is_the_serial_report(tmp_path):
    from gaba.sim.pool import open_pool

    def body(path):  # all but the last line (time and place)
        return path.read_text().rstrip().rsplit("\n", 1)

    serial = body(build_report(tmp_path / "serial", trials=40, seed=2))
    with open_pool(workers=2) as where:
        spread = body(build_report(tmp_path / "spread", trials=40, seed=2, pool=where))
    assert spread[0] == serial[0]
    assert spread[1].endswith("tasks on a local Dask cluster of 2 worker processes.")
    assert serial[1].endswith("tasks on this process.")
