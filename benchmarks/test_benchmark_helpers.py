"""The benchmark's pure helpers (bench_lib.py), on literal data: no sandbox, no process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_lib as lib  # noqa: E402


# ---------------------------------------------------------------- statistics


def test_summarize_takes_median_min_max_of_measured_values():
    assert lib.summarize([3.0, 1.0, 2.0]) == {"n": 3, "median": 2.0, "min": 1.0, "max": 3.0}


def test_summarize_even_count_median_is_the_mean_of_the_middle_two():
    assert lib.summarize([1, 2, 3, 10])["median"] == 2.5


def test_summarize_ignores_missing_values():
    assert lib.summarize([None, 4.0, None]) == {"n": 1, "median": 4.0, "min": 4.0, "max": 4.0}


def test_summarize_of_nothing():
    assert lib.summarize([]) == {"n": 0, "median": None, "min": None, "max": None}
    assert lib.summarize([None]) == {"n": 0, "median": None, "min": None, "max": None}


def test_ratio_and_difference_propagate_missing_values():
    assert lib.ratio(30.0, 120.0) == 0.25
    assert lib.ratio(None, 1.0) is None
    assert lib.ratio(1.0, 0) is None
    assert lib.difference(80.0, 55.5) == 24.5
    assert lib.difference(80.0, None) is None


# ---------------------------------------------------------------- request log


LOG = [
    {"service": "ec2", "action": "DescribeVpcs", "mutating": False, "status": 200},
    {"service": "ec2", "action": "CreateSecurityGroup", "mutating": True, "status": 200},
    {"service": "ec2", "action": "DescribeVpcs", "mutating": False, "status": 200},
    {"service": "elbv2", "action": "DescribeLoadBalancers", "mutating": False, "status": 400},
    {"service": "autoscaling", "action": "CreateAutoScalingGroup", "mutating": True, "status": 200},
    {"service": None, "action": "GET /", "mutating": False, "status": 404},
]


def test_count_requests_totals():
    counts = lib.count_requests(LOG)
    assert (counts["total"], counts["mutating"], counts["read"], counts["errors"]) == (6, 2, 4, 2)


def test_count_requests_by_service_and_action():
    counts = lib.count_requests(LOG)
    assert counts["by_service"] == {"autoscaling": 1, "ec2": 3, "elbv2": 1, "unknown": 1}
    assert list(counts["by_action"].items())[0] == ("ec2:DescribeVpcs", 2)
    assert counts["by_action"]["unknown:GET /"] == 1


def test_count_requests_of_an_empty_log():
    assert lib.count_requests([]) == {"total": 0, "mutating": 0, "read": 0, "errors": 0, "by_service": {},
                                      "by_action": {}}


# ---------------------------------------------------------------- ansible-playbook recap

OUTPUT = """\
TASK [scaleout.webtier.scaling_group : Show what was built] ********************
ok: [bench-1] => {}

PLAY RECAP *********************************************************************
bench-1                    : ok=57   changed=0    unreachable=0    failed=0    skipped=18   rescued=0    ignored=0
bench-2                    : ok=55   changed=3    unreachable=0    failed=1    skipped=18   rescued=1    ignored=0

"""


def test_parse_recap_reads_every_host():
    recap = lib.parse_recap(OUTPUT)
    assert set(recap) == {"bench-1", "bench-2"}
    assert recap["bench-1"]["ok"] == 57 and recap["bench-2"]["failed"] == 1 and recap["bench-2"]["rescued"] == 1
    assert lib.recap_total(recap, "changed") == 3


def test_parse_recap_without_a_recap():
    assert lib.parse_recap("ERROR! the playbook could not be found") == {}
    assert lib.recap_total({}, "changed") is None


def test_parse_recap_uses_the_last_recap_and_stops_at_other_text():
    text = "PLAY RECAP ***\nold : ok=1 changed=1\n\nPLAY RECAP ***\nnew : ok=2 changed=0\nsomething else\nx : ok=9\n"
    assert lib.parse_recap(text) == {"new": {"ok": 2, "changed": 0}}


# ---------------------------------------------------------------- critical path

DELAYS = {"instance_pending_s": 30.0, "instance_boot_s": 75.0, "instance_shutdown_s": 20.0,
          "image_pending_s": 240.0, "lb_provisioning_s": 150.0}


def test_critical_path_sum_against_max():
    path = lib.critical_path(DELAYS)
    assert path["bake_s"] == 75 + 240 + 20
    assert path["alb_s"] == 150
    assert path["sequential_s"] == 485 and path["overlapped_s"] == 335 and path["saving_s"] == 150


def test_critical_path_in_real_seconds_on_a_slow_clock():
    path = lib.critical_path(DELAYS, seconds_per_minute=10)
    assert path["alb_real_s"] == pytest.approx(25.0)
    assert path["saving_real_s"] == pytest.approx(25.0)
    assert path["sequential_real_s"] == pytest.approx(485 / 6)


def test_critical_path_when_the_load_balancer_is_the_longer_wait():
    path = lib.critical_path(dict(DELAYS, lb_provisioning_s=600.0))
    assert path["overlapped_s"] == 600 and path["saving_s"] == 335


def test_critical_path_boot_never_before_pending():
    assert lib.critical_path(dict(DELAYS, instance_boot_s=10.0))["bake_s"] == 30 + 240 + 20


# ---------------------------------------------------------------- machine facts


def test_cpu_model_from_x86_cpuinfo():
    text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\n"
    assert lib.cpu_model(text) == "Intel(R) Xeon(R) CPU @ 2.20GHz"


def test_cpu_model_from_arm_cpuinfo_and_unknown():
    assert lib.cpu_model("processor\t: 0\nBogoMIPS\t: 50.00\nHardware\t: BCM2835\n") == "BCM2835"
    assert lib.cpu_model("processor\t: 0\n") == "unknown"
    assert lib.cpu_model("") == "unknown"


def test_memory_gib():
    assert lib.memory_gib("MemTotal:        8388608 kB\nMemFree:  1 kB\n") == pytest.approx(8.0)
    assert lib.memory_gib("nothing here") is None


# ---------------------------------------------------------------- many-stack inventory


def test_stack_hosts_round_robin_over_regions():
    hosts = lib.stack_hosts(4, ["ap-northeast-2", "us-east-1"])
    assert list(hosts) == ["bench-1", "bench-2", "bench-3", "bench-4"]
    assert [h["scaleout_aws_region"] for h in hosts.values()] == ["ap-northeast-2", "us-east-1"] * 2
    assert all(host == variables["stack_name"] for host, variables in hosts.items())


def test_stack_hosts_rejects_nonsense():
    with pytest.raises(ValueError):
        lib.stack_hosts(0, ["ap-northeast-2"])
    with pytest.raises(ValueError):
        lib.stack_hosts(2, [])
    with pytest.raises(ValueError):
        lib.stack_hosts(2, ["ap-northeast-2"], prefix="x" * 19)


def test_hosts_yaml_is_the_webtier_stacks_group():
    text = lib.hosts_yaml(lib.stack_hosts(2, ["ap-northeast-2"]))
    assert text.startswith("---\n")
    assert "webtier_stacks:\n  hosts:\n    bench-1:\n      stack_name: bench-1\n" \
           "      scaleout_aws_region: ap-northeast-2\n    bench-2:\n" in text


# ---------------------------------------------------------------- rendering


def test_format_value():
    assert lib.format_value(None) == "-"
    assert lib.format_value(12.345) == "12.3"
    assert lib.format_value(12.0) == "12.0"
    assert lib.format_value(0.256, 2) == "0.26"
    assert lib.format_value(312, 0) == "312"
    assert lib.format_value(312.5, 0) == "312.5"


def test_markdown_table_aligns_columns():
    table = lib.markdown_table(["figure", "median"], [["first", "120.5"], ["re-run", "9.0"]], ["l", "r"])
    assert table.splitlines() == [
        "| figure | median |",
        "| ------ | -----: |",
        "| first  |  120.5 |",
        "| re-run |    9.0 |",
    ]


def test_markdown_table_rejects_a_short_row():
    with pytest.raises(ValueError):
        lib.markdown_table(["a", "b"], [["only one"]])


def test_summary_rows():
    rows = lib.summary_rows([("wall (s)", [10.0, 12.0, None, 11.0], 1), ("calls", [300, 301], 0)])
    assert rows == [["wall (s)", "11.0", "10.0", "12.0", "3"], ["calls", "300.5", "300", "301", "2"]]


def _measurement(wall, total, mutating, ok=True, changed=None, by_service=None, label="x"):
    return {"label": label, "ok": ok, "wall_s": wall, "changed": changed,
            "requests": {"total": total, "mutating": mutating, "by_service": by_service or {"ec2": total}}}


RESULTS = {
    "meta": {"stacks": 4, "slow_seconds_per_minute": 10, "quick": False, "site_overlap_in_playbook": True,
             "delays": DELAYS, "cpu_model": "Test CPU", "cpu_count": 2, "cpus_usable": 2, "memory_gib": 8.0,
             "load_average_before": [1.0, 1.0, 1.0], "load_average_after": [2.0, 1.5, 1.0],
             "versions": {"ansible-core": "2.19.14"}, "started": "2026-01-01 00:00:00 UTC",
             "finished": "2026-01-01 00:40:00 UTC", "total_wall_s": 2400, "git_commit": "abc1234"},
    "runs": [
        {"index": 1, "first": _measurement(100.0, 400, 60, by_service={"ec2": 300, "elbv2": 100}),
         "rerun": _measurement(40.0, 200, 0, changed=0), "multi": _measurement(250.0, 1600, 240),
         "overlap_on": _measurement(150.0, 420, 60), "overlap_off": _measurement(175.0, 420, 60),
         "boto3": _measurement(10.0, 50, 25, by_service={"ec2": 30, "iam": 20})},
        {"index": 2, "first": _measurement(120.0, 402, 60), "rerun": _measurement(50.0, 200, 0, changed=0),
         "multi": _measurement(0.0, 0, 0, ok=False, label="4 stacks"),
         "overlap_on": _measurement(160.0, 420, 60), "overlap_off": _measurement(180.0, 420, 60),
         "boto3": _measurement(12.0, 50, 25)},
    ],
}


def test_figures_medians_and_ratios():
    by_label = {label: values for label, values, _ in lib.figures(RESULTS)}
    assert by_label["First converge, 1 stack (s)"] == [100.0, 120.0]
    assert by_label["Re-run / first converge"] == [0.4, 50.0 / 120.0]
    assert by_label["4 stacks in one run (s)"] == [250.0, None]  # a failed command is left out
    assert by_label["4 stacks / 1 stack (1.0 = fully parallel, 4.0 = serial)"] == [2.5, None]
    assert by_label["Overlap saving: false - true (s)"] == [25.0, 20.0]
    assert by_label["First converge / boto3 reference (wall)"] == [10.0, 10.0]
    assert by_label["First converge / boto3 reference (API calls)"] == [8.0, 402 / 50]


def test_figures_only_for_what_was_measured():
    results = {"meta": {}, "runs": [{"index": 1, "boto3": _measurement(10.0, 50, 25)}]}
    assert [label for label, _, _ in lib.figures(results)] == [
        "boto3 reference script (s)", "API calls, boto3 reference: total", "API calls, boto3 reference: mutating"]


def test_service_rows_medians_per_service():
    rows = lib.service_rows(RESULTS["runs"], ["first", "boto3"])
    # boto3 in run 2 has only ec2 (50): ec2 = median(30, 50), iam = median(20, 0)
    assert rows == [["ec2", "351", "40"], ["elbv2", "50", "0"], ["iam", "0", "10"]]
    rows = lib.service_rows(RESULTS["runs"], ["multi"])  # run 2's failed measurement is left out
    assert rows == [["ec2", "1600"]]


def test_render_report_has_the_sections_and_the_table():
    report = lib.render_report(RESULTS)
    for heading in ("# Benchmarks", "## How to run", "## What each figure means", "## The machine",
                    "## Results (2 runs)", "## Critical path", "## How to read this"):
        assert heading in report
    assert "./benchmarks/run.sh" in report
    assert "| First converge, 1 stack (s)" in report
    assert "Test CPU, 2 logical CPUs" in report
    assert "Left out because their command failed: run 2 4 stacks." in report
    assert "| expected saving (sum - max)" in report and "25.0" in report
    assert "{" not in report.split("## The machine")[1]  # no unformatted placeholder


def test_render_report_says_when_overlap_is_not_in_the_playbook():
    results = {"meta": dict(RESULTS["meta"], site_overlap_in_playbook=False, quick=True), "runs": RESULTS["runs"][:1]}
    report = lib.render_report(results)
    assert "did not use `site_overlap`" in report
    assert "A quick run" in report and "## Results (1 run)" in report


# ---------------------------------------------------------------- task times (profile_tasks)

PROFILE = """\
PLAY RECAP *********************************************************************
localhost                  : ok=3    changed=2    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0


TASKS RECAP ********************************************************************
Tuesday 01 December 2026  02:16:58 +0000 (0:00:03.050)       0:00:06.759 ******
===============================================================================
Sleep a bit - with a dash ----------------------------------------------- 3.55s
Another task with a very very very very very very very very very long name that goes past the width --- 0.10s
scaleout.webtier.bake : Wait for the image to become available --------- 40.12s
Sleep a bit - with a dash ----------------------------------------------- 3.05s
"""


def test_parse_task_times_adds_up_tasks_of_the_same_name():
    assert lib.parse_task_times(PROFILE) == {
        "Sleep a bit - with a dash": pytest.approx(6.6),
        "Another task with a very very very very very very very very very long name that goes past the width": 0.1,
        "scaleout.webtier.bake : Wait for the image to become available": 40.12,
    }


def test_parse_task_times_without_the_callback():
    assert lib.parse_task_times(OUTPUT) == {}


def test_parse_recap_stops_before_the_tasks_recap():
    assert list(lib.parse_recap(PROFILE)) == ["localhost"]


def test_slow_task_rows_median_per_column_and_slowest_first():
    runs = [
        {"first": {"ok": True, "task_times": {"bake": 10.0, "alb": 2.0}},
         "overlap_off": {"ok": True, "task_times": {"bake": 50.0, "alb": 30.0}}},
        {"first": {"ok": True, "task_times": {"bake": 12.0}},
         "overlap_off": {"ok": False, "task_times": {"bake": 99.0}}},
    ]
    rows = lib.slow_task_rows(runs, ["first", "overlap_off"], limit=2)
    assert rows == [["bake", "11.0", "50.0"], ["alb", "1.0", "30.0"]]
    assert lib.slow_task_rows(runs, ["first"], limit=1) == [["bake", "11.0"]]
    assert lib.slow_task_rows([], ["first"]) == []
