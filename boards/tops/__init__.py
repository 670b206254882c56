"""The board tops: each design behind the UART host link (boards.hostlink), as Amaranth
components. Which design has which top: the board registry, boards.designs."""
