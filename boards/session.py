"""A board session: a board opened for ``gaba board``, whatever design it runs.

:func:`connect` opens a board (a serial port, or the simulated board top on Verilator for the
port ``"sim"``) with the host driver of the Config's design (the board registry,
``gaba.boards.designs``); the design's entry then runs it (``BoardDesign.run``: its INFO held
to the Config, the run, the golden model's verdict) or reads what it learned.

Errors: the board's own failures are :class:`~gaba.boards.host.BoardError` (a timeout, an
error reply, a serial port that does not open); the simulated board's build and run raise
``gaba.sim.runner``'s ToolchainError and SimulationError; a board running another Config
raises :class:`~gaba.boards.host.ConfigMismatch`; a design the simulated board top cannot
carry, ValueError.
"""

from __future__ import annotations

from gaba.boards import designs
from gaba.boards.host import Board, SerialTransport

__all__ = ["Link", "connect"]


class Link:
    """An open transport and the board speaking over it; ``with`` gives the board and closes
    the transport after."""

    def __init__(self, transport, board: Board):
        self.transport, self.board = transport, board

    def __enter__(self) -> Board:
        return self.board

    def __exit__(self, *exc):
        self.transport.close()


def connect(
    port: str,
    cfg,
    *,
    baud: int,
    timeout: float = 2.0,
    replicas: int = 1,
    design=None,
    progress=None,
) -> Link:
    """Open the board on ``port`` (``"sim"``: the board top for ``cfg`` simulated on
    Verilator, with ``replicas`` copies of the design, built when not cached,
    ``progress(text)`` telling the stages) with the host driver of ``cfg``'s design, waiting
    ``timeout`` seconds for a reply. A real board has the copies its build gave it.
    ``design``: the design's name, for a Config several designs take (``designs.of``)."""
    name, design = design, designs.of(cfg, design)
    if port == "sim":
        from gaba.boards.simboard import SimTransport

        transport = SimTransport(cfg, replicas=replicas, design=name, progress=progress)
    else:
        if replicas != 1:
            raise ValueError(
                "copies of the design are chosen when a board is built (gaba build "
                "--replicas); only the simulated board (--port sim) takes --replicas"
            )
        transport = SerialTransport(port, baud)
    return Link(transport, design.open(transport, cfg, timeout=timeout))
