"""The board registry: every design that has a board top, by name.

Each module here holds the board side of one family of designs (:class:`gaba.boards.design.
BoardDesign` objects, listed in its ``DESIGNS``): nwta and wta share the trial engine's board
top, foldiak has the Földiák layer's. The bitstream build, the simulated board, the board
session and ``gaba build`` / ``gaba board`` look designs up here and never branch on a name.
A new design with a board top adds its module to :data:`FAMILIES`.
"""

from __future__ import annotations

from gaba.boards.design import BoardDesign
from gaba.boards.designs import foldiak, nwta

__all__ = ["FAMILIES", "REGISTRY", "get", "names", "of"]

FAMILIES = (nwta, foldiak)

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


def of(cfg) -> BoardDesign:
    """The design whose Config ``cfg`` is, or a ValueError."""
    for d in REGISTRY.values():
        if d.holds(cfg):
            return d
    raise ValueError(f"no design with a board top takes this {type(cfg).__name__}")
