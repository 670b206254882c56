"""scikit-learn's digits on chip (:mod:`gaba.golden.digits`): the images in a block-RAM ROM and
the rules that pick an image, for the learners that read them (the spatial pooler's digits
engine, the Földiák layer's digits source)."""

from __future__ import annotations

from amaranth.hdl import Mux, Value, unsigned
from amaranth.lib.memory import Memory

from gaba.golden import digits
from gaba.hdl import arith

__all__ = ["image_rom", "in_order", "pick"]


def image_rom() -> Memory:
    """A ROM of the 1797 images (64 bits each, pixel i in bit i), in the data set's order:
    read it with a synchronous port (block RAM), the image a clock after its address."""
    return Memory(shape=unsigned(64), depth=digits.IMAGES, init=digits.rom_words())


def pick(word: Value, count: int = digits.TRAIN) -> Value:
    """The image a 32-bit ``word`` draws among the first ``count``: (word * count) >> 32
    (a product by a constant; ``gaba.golden.digits.pick``)."""
    return arith.uniform_index(word, count)


def in_order(j: Value) -> Value:
    """Coding step ``j``'s image: min(j, 1796) (``gaba.golden.digits.in_order``)."""
    return Mux(j < digits.IMAGES, j, digits.IMAGES - 1)[: (digits.IMAGES - 1).bit_length()]
