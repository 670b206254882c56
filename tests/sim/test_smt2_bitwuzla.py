"""gaba.sim.smt2_bitwuzla: the SMT-LIB2 commands cut from a stream, and the solver process
answering each as it comes (as yosys-smtbmc drives it)."""

from __future__ import annotations

import subprocess
import sys

from gaba.sim.smt2_bitwuzla import commands


def test_commands_are_cut_at_their_closing_parenthesis_outside_strings_symbols_and_comments():
    text = [
        '(set-info :source "a ) b") ; a comment (\n',
        "(declare-fun |x )| () (_ BitVec 4))\n",
        "(assert\n",
        "  (= |x )| #x1))  (check-sat)\n",
    ]
    assert list(commands(text)) == [
        '(set-info :source "a ) b")',
        "(declare-fun |x )| () (_ BitVec 4))",
        "(assert\n  (= |x )| #x1))",
        "(check-sat)",
    ]


def test_the_solver_process_answers_each_command_before_the_next_comes():
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaba.sim.smt2_bitwuzla", "--lang", "smt2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ask = [
        "(set-option :produce-models true)",
        "(set-logic QF_BV)",
        "(declare-fun a () (_ BitVec 4))",
        "(push 1)",
        "(assert (= (bvadd a #x1) #x3))",
        "(check-sat)",
    ]
    proc.stdin.write("\n".join(ask) + "\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "sat"  # before stdin closes
    proc.stdin.write("(get-value (a))\n(pop 1)\n(assert (= a (bvadd a #x1)))\n(check-sat)\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "((a #b0010))"
    assert proc.stdout.readline().strip() == "unsat"
    proc.stdin.write("(exit)\n")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
