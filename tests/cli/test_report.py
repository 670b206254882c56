def test_unwritable_out_is_one_line_exit_1(fails, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert fails(["report", "--out", str(blocker / "sub")], 1).startswith("gaba: ")


def test_bad_arguments_give_one_line_and_exit_2(fails):
    line = fails(["report", "--hardware", "fpga"], 2)
    assert line.startswith("gaba report: argument --hardware: invalid choice: 'fpga'")
