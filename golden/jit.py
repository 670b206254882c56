"""The one place where numba compilation options are chosen.

- ``fastmath`` is off: it licenses reassociation, which would break bit-exactness.
- ``cache`` is on: compiled kernels are stored beside the sources (``__pycache__``), so only the
  first run on a machine pays the compile time.
- ``nogil`` lets kernels run in threads; ``parallel`` is used only by kernels that ask for it.
- ``inline="always"`` (:func:`jit_inline`, the building blocks of :mod:`gaba.golden.kernels`)
  inlines a function into each kernel that calls it, in numba's IR before typing, so the
  caller's constants and integer types flow through it as if it were written in place.

numba's cache is checked against the calling kernel's source file only: after editing a
module whose jitted functions other modules call (``kernels``), delete the ``__pycache__``
``*.nbi``/``*.nbc`` files of golden/ (or touch the callers) before measuring or testing.
"""

from __future__ import annotations

import numba

__all__ = ["jit", "jit_inline", "jit_parallel"]

_OPTIONS = dict(cache=True, fastmath=False, nogil=True, error_model="numpy")


def jit(fn):
    """Compile ``fn`` as a serial numba kernel with the project's options."""
    return numba.njit(**_OPTIONS)(fn)


def jit_parallel(fn):
    """Compile ``fn`` with ``prange`` loops spread over all cores."""
    return numba.njit(parallel=True, **_OPTIONS)(fn)


def jit_inline(fn):
    """Compile ``fn`` as a building block inlined into every kernel that calls it."""
    return numba.njit(inline="always", **_OPTIONS)(fn)
