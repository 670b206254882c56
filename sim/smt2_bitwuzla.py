"""bitwuzla as an SMT-LIB2 solver process for yosys-smtbmc, over the ``bitwuzla`` wheel's Python
bindings (PyPI ships no bitwuzla binary).

yosys-smtbmc runs ``bitwuzla --lang smt2`` and talks to it a command at a time through a pipe:
it sends a command and, after ``check-sat`` or ``get-value``, waits for the answer. This module
is that process: it reads standard input, cuts it into top-level commands (balanced
parentheses, outside strings, ``|quoted|`` symbols and ``;`` comments), hands each to bitwuzla's
own SMT-LIB2 parser as it is complete, and flushes the parser's answers at once.
:func:`gaba.sim.formal.prove` puts a ``bitwuzla`` script that runs :func:`main` on the solver's
PATH.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

__all__ = ["commands", "main"]


def commands(lines: Iterable[str]) -> Iterator[str]:
    """The top-level commands of an SMT-LIB2 text read line by line, each as soon as its
    closing parenthesis has been read (comments dropped)."""
    buf: list[str] = []
    depth, in_string, in_symbol = 0, False, False
    for line in lines:
        for ch in line:
            if in_string:
                in_string = ch != '"'
            elif in_symbol:
                in_symbol = ch != "|"
            elif ch == ";":
                buf.append("\n")  # a comment, to the end of the line
                break
            elif ch == '"':
                in_string = True
            elif ch == "|":
                in_symbol = True
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            buf.append(ch)
            if depth == 0 and ch == ")" and not (in_string or in_symbol):
                yield "".join(buf).strip()
                buf = []
        if depth == 0 and not (in_string or in_symbol):
            buf = []  # blanks between commands


def main(argv: list[str] | None = None) -> int:
    """Run as yosys-smtbmc runs the solver: ``--lang smt2`` (the only language), an optional
    ``--time-limit MS``; ``--help`` names the options (smtbmc reads it to pick the syntax)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--help" in argv:
        print("usage: bitwuzla --lang smt2 [--time-limit MS]  (SMT-LIB2 commands on stdin)")
        return 0
    import bitwuzla

    options = bitwuzla.Options()
    if "--time-limit" in argv:
        limit = int(argv[argv.index("--time-limit") + 1])
        options.set(bitwuzla.Option.TIME_LIMIT_PER, limit)
    parser = bitwuzla.Parser(bitwuzla.TermManager(), options, "smt2")
    for command in commands(sys.stdin):
        if command.startswith("(exit"):
            break
        parser.parse(command, False, False)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
