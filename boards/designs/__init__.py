"""The board registry: every design that has a board top, by name.

Each module here holds the board side of one family of designs (:class:`gaba.boards.design.
BoardDesign` objects, listed in its ``DESIGNS``): nwta and wta share the trial engine's board
top, foldiak and foldiak-digits the Földiák layer's, and every self-running trial engine of the
design registry (argmax, kwta, maass-parity, htm, ...) the score engines' top (``score``), and
the exported evidence-in cores (nwta-core, wta-core) the channels example's (``channels``:
noisy channel scores made on the chip, the winner on the LEDs).
Designs may share a Config type (kwta and topk-tree share KwtaConfig, foldiak and
foldiak-digits FoldiakConfig): the callers that know the design's name pass it to
:func:`of`. The bitstream build, the simulated board, the board
session and ``gaba build`` / ``gaba board`` look designs up here and never branch on a name.
A new design with a board top adds its module to :data:`FAMILIES`.
"""

from __future__ import annotations

from gaba.boards.design import BoardDesign
from gaba.boards.designs import channels, foldiak, nwta, score

__all__ = ["FAMILIES", "REGISTRY", "get", "names", "of"]

FAMILIES = (nwta, foldiak, score, channels)

#: Every design with a board top by name, in the order of :data:`FAMILIES`.
REGISTRY: dict[str, BoardDesign] = {d.name: d for family in FAMILIES for d in family.DESIGNS}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> BoardDesign:
    """The design called ``name``, or a ValueError naming those with a board top."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"{name} has no board top; the designs with one: {', '.join(REGISTRY)}"
        ) from None


def of(cfg, name: str | None = None) -> BoardDesign:
    """The design called ``name`` (None: the first, in registry order, whose Config ``cfg``
    is), or a ValueError when ``cfg`` is not one of its Configs."""
    if name is not None:
        d = get(name)
        if not d.holds(cfg):
            raise ValueError(f"{name} does not take this {type(cfg).__name__}")
        return d
    for d in REGISTRY.values():
        if d.holds(cfg):
            return d
    raise ValueError(f"no design with a board top takes this {type(cfg).__name__}")
