"""The one place where numba compilation options are chosen.

- ``fastmath`` is off: it licenses reassociation, which would break bit-exactness.
- ``cache`` is on: compiled kernels are stored beside the sources (``__pycache__``), so only the
  first run on a machine pays the compile time.
- ``nogil`` lets kernels run in threads; ``parallel`` is used only by kernels that ask for it.
"""

from __future__ import annotations

import numba

__all__ = ["jit", "jit_parallel"]

_OPTIONS = dict(cache=True, fastmath=False, nogil=True, error_model="numpy")


def jit(fn):
    """Compile ``fn`` as a serial numba kernel with the project's options."""
    return numba.njit(**_OPTIONS)(fn)


def jit_parallel(fn):
    """Compile ``fn`` with ``prange`` loops spread over all cores."""
    return numba.njit(parallel=True, **_OPTIONS)(fn)
