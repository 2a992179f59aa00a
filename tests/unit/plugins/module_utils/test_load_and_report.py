import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._load import (
    burner_free_ceiling,
    chunks,
    execution_timeout,
    load_comment,
    load_script,
    stop_failure,
    stop_settled,
    stop_verdict,
)
from ansible_collections.scaleout.webtier.plugins.module_utils._report import (
    capacity_lines,
    chart_series,
    markdown_summary,
    merge_points,
    result_document,
)


def test_load_script_is_the_walkthrough_burner_bounded_by_timeout_per_vcpu():
    lines = load_script(2, 600, "demo-1")
    burners = [line for line in lines if "sha256sum /dev/zero" in line]
    # --foreground: the burners stay in the script's process group, which CancelCommand kills.
    assert burners == ["timeout --foreground 600 sha256sum /dev/zero &"] * 2
    assert lines[-2:] == ["wait", "exit 0"]
    assert all(line.startswith("timeout --foreground ") for line in burners)


STOP = "2026-11-30T12:10:00Z"


def test_the_stop_is_proven_by_a_datapoint_wholly_after_it_below_half_a_burner():
    assert burner_free_ceiling(2) == 25.0 and burner_free_ceiling(1) == 50.0
    cpu = {"i-1": [{"time": "2026-11-30T12:09:00Z", "value": 3.0}, {"time": STOP, "value": 0.3}],
           "i-2": [{"time": "2026-11-30T12:09:00Z", "value": 1.0}, {"time": STOP, "value": 50.0}],
           "i-3": [{"time": "2026-11-30T12:09:00Z", "value": 1.0}],
           "i-4": [{"time": STOP, "value": 100.0}],
           # Fell only by its own bound, 5 minutes after the cancel: that is no stop.
           "i-5": [{"time": STOP, "value": 100.0}, {"time": "2026-11-30T12:15:00Z", "value": 0.3}]}
    fell, lagging = stop_verdict(STOP, cpu, {"i-1": 2, "i-2": 2, "i-3": 1, "i-4": 1, "i-5": 1}, gone={"i-4"})
    assert fell == {"i-1": {"time": STOP, "value": 0.3}}
    assert lagging == {"i-2": {"time": STOP, "value": 50.0}, "i-3": None, "i-5": {"time": STOP, "value": 100.0}}
    assert not stop_settled(STOP, "2026-11-30T12:19:59Z") and stop_settled(STOP, "2026-11-30T12:20:00Z")
    msg = stop_failure(lagging, STOP, {"i-2": 2, "i-3": 1})
    assert "i-2 (CPUUtilization 50.0 % at 2026-11-30T12:10:00Z; one burner is 50 %)" in msg
    assert "i-3 (no CPUUtilization datapoint since the stop" in msg and "process group" in msg


@pytest.mark.parametrize("burners,duration", [(0, 600), (1, 0), (1, 6 * 3600 + 1), (193, 10)])
def test_load_script_refuses_unbounded_or_absurd_loads(burners, duration):
    with pytest.raises(ValueError):
        load_script(burners, duration, "x")


def test_load_helpers():
    assert load_comment("x" * 200).startswith("scaleout-load x") and len(load_comment("x" * 200)) == 100
    assert execution_timeout(600) == 720
    assert [len(c) for c in chunks(range(120))] == [50, 50, 20]


LOAD = "2026-11-30T12:00:00Z"
STRESS = {"cpu_above_target": True, "alarm_high_fired": True, "peak_cpu": 100.0, "alarm_high_fired_at": "2026-11-30T12:03:00Z"}
OUT = {
    "reached": True, "time_to_target_s": 330.0,
    "new_instances": [{"instance_id": "i-3", "launched_after_s": 190.0, "in_service_after_s": 250.0, "healthy_after_s": 300.0}],
    "timeline": [
        {"time": "2026-11-30T12:03:00Z", "kind": "alarm", "what": "TargetTracking-g-AlarmHigh-1: OK -> ALARM", "detail": "", "since_load_s": 180.0},
        {"time": "2026-11-30T12:03:00Z", "kind": "capacity", "what": "desired capacity 2 -> 4", "detail": "cause", "since_load_s": 180.0},
    ],
    "capacity_metrics": {"in_service": [{"time": "2026-11-30T11:59:00Z", "value": 2.0}, {"time": "2026-11-30T12:05:00Z", "value": 4.0}],
                         "desired": [{"time": "2026-11-30T11:59:00Z", "value": 2.0}, {"time": "2026-11-30T12:03:00Z", "value": 4.0}]},
}


def test_result_passes_only_with_stress_and_scale_out():
    assert result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT)["passed"] is True
    assert result_document("demo", "demo-asg", LOAD, 50.0, 4, dict(STRESS, alarm_high_fired=False), OUT)["passed"] is False
    assert result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, dict(OUT, reached=False))["passed"] is False


def test_chart_series_in_minutes_with_events_sharing_a_label():
    doc = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT)
    cpu, in_service, desired, events = chart_series(doc, [{"time": "2026-11-30T12:01:00Z", "value": 99.0}])
    assert cpu == [(1.0, 99.0)]
    assert events == [(3.0, "AlarmHigh ALARM, desired 2 -> 4")]
    # The instance lines are the group's CloudWatch metrics, not the wait's polls.
    assert in_service == [(-1.0, 2.0), (5.0, 4.0)] and desired == [(-1.0, 2.0), (3.0, 4.0)]


def test_the_instance_lines_join_the_scale_out_and_scale_in_metrics_one_point_a_minute():
    scale_in = {"capacity_metrics": {"in_service": [{"time": "2026-11-30T12:05:00Z", "value": 4.0}, {"time": "2026-11-30T12:20:00Z", "value": 2.0}],
                                     "desired": []}}
    doc = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT, scale_in=scale_in)
    in_service, desired = capacity_lines(doc)
    assert in_service == [(-1.0, 2.0), (5.0, 4.0), (20.0, 2.0)] and desired == [(-1.0, 2.0), (3.0, 4.0)]


def test_summary_says_simulated_and_lists_new_instances():
    doc = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT, simulated=True, clock_note="Sandbox clock.")
    text = markdown_summary(doc, "chart.png")
    assert "> **Simulated.** Sandbox clock." in text
    assert "**Result: PASSED**" in text
    assert "| i-3 | 3m 10s | 4m 10s | 5m 00s |" in text
    assert "| reached (in service, by AWS's activity timestamps) | yes, after 5m 30s |" in text
    assert "![CPU and instances](chart.png)" in text
    assert "Simulated" not in markdown_summary(result_document("d", "g", LOAD, 50.0, 4, STRESS, OUT), "c.png")


def test_merge_points_dedupes_by_time():
    a = [{"time": "t2", "value": 1}, {"time": "t1", "value": 2}]
    b = [{"time": "t2", "value": 3}]
    assert merge_points(a, None, b) == [{"time": "t1", "value": 2}, {"time": "t2", "value": 3}]


def test_the_report_shows_the_cpu_falling_after_the_stop():
    stop = {"stopped_at": STOP, "cpu_after_stop": {"i-1": {"time": STOP, "value": 0.3, "seconds": 60.0}}}
    doc = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT, load_stop=stop)
    assert doc["load_stop"] == dict(stop, failed=False, msg="")
    summary = markdown_summary(doc, "chart.png")
    assert "CancelCommand at 2026-11-30T12:10:00Z" in summary and "| i-1 | 0.3 % | 2026-11-30T12:10:00Z | 1m 00s |" in summary
    assert result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT)["load_stop"] is None
    stuck = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT, load_stop=dict(stop, failed=True, msg="a burner outlived"))
    assert stuck["passed"] is False and "**The load did not stop:** a burner outlived" in markdown_summary(stuck, "c.png")


def test_the_report_shows_when_each_instance_registered_and_was_loaded():
    doc = result_document("demo", "demo-asg", LOAD, 50.0, 4, STRESS, OUT,
                          registered={"i-2": "2026-11-30T12:01:10Z", "i-1": "2026-11-30T12:00:00Z"})
    assert [r["instance_id"] for r in doc["registered"]] == ["i-1", "i-2"] and doc["registered"][1]["after_load_s"] == 70.0
    assert "| i-2 | 2026-11-30T12:01:10Z | 1m 10s |" in markdown_summary(doc, "c.png")


def test_the_commands_are_listed_with_a_filter_listcommands_documents():
    """ListCommands documents Status values without Delayed (only ListCommandInvocations has it):
    the collection filters on DocumentName and reads each command's status itself."""
    from unittest import mock

    from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import shell_script_commands

    client = mock.MagicMock()
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {"Commands": []}
    shell_script_commands(client)
    filters = client.get_paginator.return_value.paginate.call_args.kwargs["Filters"]
    assert filters == [{"key": "DocumentName", "value": "AWS-RunShellScript"}]
