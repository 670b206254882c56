"""Helpers of the CLI tests: run ``gaba`` in-process and read its JSON, or its one-line error."""

import json

import pytest

from gaba.cli import main
from gaba.tests.boards.conftest import fake_tools  # noqa: F401  (gaba build's stand-in tools)


@pytest.fixture
def run_json(capsys):
    """``run_json(argv)``: run ``gaba argv``, expect exit status 0, return its JSON."""

    def run(argv):
        assert main(argv) == 0
        return json.loads(capsys.readouterr().out)

    return run


@pytest.fixture
def fails(capsys):
    """``fails(argv, status, *needles)``: run ``gaba argv``, expect ``status``, nothing on
    stdout and one line on stderr holding every needle; return that line."""

    def run(argv, status, *needles):
        assert main(argv) == status
        cap = capsys.readouterr()
        assert cap.out == ""
        err = cap.err.strip().splitlines()
        assert len(err) == 1, cap.err  # one line, no traceback
        for needle in needles:
            assert needle in err[0], err[0]
        return err[0]

    return run
