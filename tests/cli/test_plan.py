"""``gaba plan``: the folded networks that fit a board, from costs measured on its builds."""


def test_plan_icebreaker_1024_is_the_measured_build(run_json):
    out = run_json(
        ["plan", "nwta", "--board", "icebreaker", "--n", "1024", "--trials", "2", "--json"]
    )
    assert out["board"] == "icebreaker" and out["n"] == 1024 and out["latency"] == 1
    assert out["mean_decision_steps"] > 0
    options = {o["lanes"]: o for o in out["options"]}
    assert sorted(options) == [2**k for k in range(10)]
    one = options[1]
    # the build: 4287 logic cells, 2406 FFs, 30 of 30 block RAMs, 1024 clocks per step
    assert (one["luts"], one["ffs"], one["brams"], one["clocks_per_step"]) == (4287, 2406, 30, 1024)
    assert one["fits"] and not options[2]["fits"]
    assert one["decision_latency_us"] > options[2]["decision_latency_us"]


def test_plan_refuses_bad_input(fails):
    fails(["plan", "nwta", "--board", "icebreaker", "--n", "1"], 2, "--n must be at least 2")
    fails(["plan", "wta", "--board", "icebreaker", "--n", "8"], 2, "invalid choice")
