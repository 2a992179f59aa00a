"""Timeline, readiness, progress, evidence and diagnosis of the scale test, on recorded-style snapshots."""

import copy

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import (
    build_timeline,
    capacity_progress_line,
    in_service_time_to_count,
    terminated_time_to_count,
    capacity_changes,
    diagnose_scale_out,
    new_instance_times,
    progress_line,
    ready_instances,
    stress_evidence,
    stress_failure,
)
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.alarms import states_from_summary
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso, response_time

LOAD = "2026-11-30T12:00:00Z"
HIGH = "TargetTracking-demo-asg-AlarmHigh-1111"
LOW = "TargetTracking-demo-asg-AlarmLow-2222"
CAUSE = ("At 2026-11-30T12:03:00Z a monitor alarm %s in state ALARM triggered policy demo-cpu changing the desired "
         "capacity from 2 to 4. At 2026-11-30T12:03:10Z an instance was started in response to a difference between "
         "desired and actual capacity, increasing the capacity from 2 to 4." % HIGH)


def instance(iid, state="InService", health="Healthy", zone="ap-northeast-2a"):
    return {"id": iid, "zone": zone, "lifecycle_state": state, "health_status": health}


def activity(iid, start, code="Successful", message="", verb="Launching", cause=CAUSE):
    return {"id": "act-" + iid, "description": "%s a new EC2 instance: %s" % (verb, iid), "cause": cause,
            "status_code": code, "status_message": message, "start": start, "end": start, "progress": 100}


@pytest.fixture
def snapshot():
    return {
        "server_time": "2026-11-30T12:08:00Z",
        "group": {"name": "demo-asg", "min_size": 1, "max_size": 4, "desired": 4,
                  "instances": [instance("i-1"), instance("i-2"), instance("i-3"), instance("i-4", state="Pending")]},
        "target_groups": 1,
        "target_health": {"i-1": "healthy", "i-2": "healthy", "i-3": "initial"},
        "policy": {"name": "demo-cpu", "target_value": 50.0, "metric": "ASGAverageCPUUtilization", "alarms": [HIGH, LOW]},
        "alarms": [{"name": HIGH, "state": "ALARM", "reason": "3 datapoints above 50", "updated": "2026-11-30T12:03:00Z"},
                   {"name": LOW, "state": "OK", "reason": "", "updated": "2026-11-30T11:50:00Z"}],
        "alarm_history": [{"name": HIGH, "time": "2026-11-30T12:03:00Z", "old": "OK", "new": "ALARM", "summary": "Alarm updated from OK to ALARM"},
                          {"name": HIGH, "time": "2026-11-30T11:40:00Z", "old": "INSUFFICIENT_DATA", "new": "OK", "summary": "x"}],
        "activities": [activity("i-3", "2026-11-30T12:03:10Z"), activity("i-4", "2026-11-30T12:03:10Z"),
                       activity("i-0", "2026-11-30T11:00:00Z", cause="At 2026-11-30T11:00:00Z a user request created an AutoScalingGroup")],
        "cpu": [{"time": "2026-11-30T11:59:00Z", "value": 0.3}, {"time": "2026-11-30T12:01:00Z", "value": 100.0},
                {"time": "2026-11-30T12:02:00Z", "value": 100.0}],
    }


def test_ready_means_in_service_healthy_and_healthy_in_the_target_group(snapshot):
    assert ready_instances(snapshot) == ["i-1", "i-2"]
    snapshot["target_groups"] = 0
    assert ready_instances(snapshot) == ["i-1", "i-2", "i-3"]
    snapshot["group"]["instances"][0]["health_status"] = "Unhealthy"
    assert ready_instances(snapshot) == ["i-2", "i-3"]


def test_progress_line_names_counts_cpu_alarm_and_latest_activity(snapshot):
    line = progress_line(snapshot, 4)
    assert line.startswith("demo-asg: 2/4 ready (desired 4, max 4) | CPU 100.0% vs target 50% | AlarmHigh ALARM | latest: ")
    assert "(Successful)" in line
    snapshot["cpu"] = []
    assert "CPU no data" in progress_line(snapshot, 4)


def test_capacity_changes_are_read_from_causes_once(snapshot):
    changes = capacity_changes(snapshot["activities"])
    assert [(c["from"], c["to"]) for c in changes] == [(2, 4)]


def test_timeline_starts_at_the_load_and_is_ordered(snapshot):
    snapshot["activities"][0]["end"] = "2026-11-30T12:04:40Z"
    timeline = build_timeline(snapshot, LOAD, {"i-3": "2026-11-30T12:06:00Z", "i-1": "2026-11-30T12:00:30Z"})
    kinds = [e["kind"] for e in timeline]
    assert "alarm" in kinds and "capacity" in kinds and "activity" in kinds and "ready" in kinds
    in_service = [(e["what"], e["since_load_s"]) for e in timeline if e["kind"] == "in_service"]
    assert ("i-3 in service", 280.0) in in_service  # the launch activity's end
    assert all(e["since_load_s"] >= 0 for e in timeline)  # the 11:40 alarm change and the 11:00 activity are left out
    assert [e["since_load_s"] for e in timeline] == sorted(e["since_load_s"] for e in timeline)
    alarm = [e for e in timeline if e["kind"] == "alarm"][0]
    assert alarm["since_load_s"] == 180.0 and alarm["what"].endswith("OK -> ALARM")


def test_new_instance_times_come_from_the_activities_timestamps(snapshot):
    healthy_at = {"i-1": LOAD, "i-3": "2026-11-30T12:06:00Z"}
    snapshot["activities"][0]["end"] = "2026-11-30T12:04:40Z"
    times = new_instance_times(snapshot["activities"], LOAD, {"i-1", "i-2"}, healthy_at, registered={"i-3": "2026-11-30T12:07:00Z"})
    assert times == [
        {"instance_id": "i-3", "launched_after_s": 190.0, "in_service_after_s": 280.0, "healthy_after_s": 360.0, "loaded_after_s": 420.0},
        {"instance_id": "i-4", "launched_after_s": 190.0, "in_service_after_s": 190.0, "healthy_after_s": None, "loaded_after_s": None},
    ]
    # An instance of the baseline is never new, even when its launch activity is recent.
    assert [t["instance_id"] for t in new_instance_times(snapshot["activities"], LOAD, {"i-3", "i-4"}, healthy_at)] == []


def test_time_to_count_is_the_in_service_time_of_the_nth_instance_by_the_activities():
    acts = [activity("i-3", "2026-11-30T12:03:10Z"), activity("i-4", "2026-11-30T12:03:10Z"), activity("i-5", "2026-11-30T12:03:10Z")]
    acts[0]["end"], acts[1]["end"], acts[2]["end"] = "2026-11-30T12:05:00Z", "2026-11-30T12:04:20Z", None
    baseline = {"i-1", "i-2"}
    # The baseline counts from the load's start; then the launches in the order they ended, not in the order seen.
    assert in_service_time_to_count(acts, LOAD, baseline, ["i-1", "i-2", "i-3", "i-4"], 2) == 0.0
    assert in_service_time_to_count(acts, LOAD, baseline, ["i-1", "i-2", "i-3", "i-4"], 3) == 260.0
    assert in_service_time_to_count(acts, LOAD, baseline, ["i-1", "i-2", "i-3", "i-4"], 4) == 300.0
    # An activity not ended yet, or an instance without a launch since the load, does not count.
    assert in_service_time_to_count(acts, LOAD, baseline, ["i-1", "i-2", "i-5", "i-9"], 3) is None


def test_time_to_scale_in_is_the_end_of_the_termination_that_brought_the_group_back_down():
    acts = [activity("i-3", "2026-11-30T12:03:00Z"),  # a launch: 2 -> 3
            activity("i-3", "2026-11-30T12:10:00Z", verb="Terminating"), activity("i-2", "2026-11-30T12:12:00Z", verb="Terminating"),
            activity("i-5", "2026-11-30T12:13:00Z", verb="Terminating", code="Failed")]
    acts[1]["end"], acts[2]["end"] = "2026-11-30T12:11:00Z", "2026-11-30T12:12:30Z"
    assert terminated_time_to_count(acts, LOAD, 2, 2) == 660.0  # up to 3 at 12:03, back to 2 at 12:11
    assert terminated_time_to_count(acts, LOAD, 2, 1) == 750.0
    assert terminated_time_to_count(acts, LOAD, 3, 1) is None  # the failed one does not count: 2 left
    assert terminated_time_to_count(acts[:1], LOAD, 1, 1) is None  # scaled out, never back in
    assert terminated_time_to_count([], LOAD, 1, 2) == 0.0


def test_capacity_progress_line_names_each_instance_not_ready(snapshot):
    line = capacity_progress_line(snapshot, 4)
    assert line == "demo-asg: 2/4 ready (desired 4, max 4) | not ready: i-3 initial in the target group, i-4 Pending"


def test_diagnosis_max_below_target_comes_first(snapshot):
    reasons = diagnose_scale_out(snapshot, 5, LOAD)
    assert reasons[0] == "the group's max size is 4, below the 5 instances waited for: it can never get there"


def test_diagnosis_names_failed_activities_with_their_messages(snapshot):
    message = "Your requested instance type (t2.micro) is not supported in your requested Availability Zone (ap-northeast-2b)."
    snapshot["activities"].append(activity("i-9", "2026-11-30T12:04:00Z", code="Failed", message=message))
    reasons = diagnose_scale_out(snapshot, 4, LOAD)
    assert any(r.startswith("failed activity: Launching a new EC2 instance: i-9: Your requested instance type (t2.micro)") for r in reasons)


def test_diagnosis_alarm_not_firing_and_cpu_below_target(snapshot):
    snapshot["alarms"][0].update(state="OK", reason="CPU below threshold")
    snapshot["cpu"][-1]["value"] = 31.5
    reasons = diagnose_scale_out(snapshot, 4, LOAD)
    assert "AlarmHigh is OK (CPU below threshold)" in reasons
    assert "group-average CPU is 31.5%, not above the 50% target" in reasons


def test_diagnosis_instances_stuck_unhealthy_in_the_target_group(snapshot):
    reasons = diagnose_scale_out(snapshot, 4, LOAD)
    stuck = [r for r in reasons if r.startswith("instances not ready")][0]
    assert "i-3 is initial in the target group" in stuck
    assert "i-4 is Pending/Healthy" in stuck


def test_diagnosis_without_policy_or_metrics(snapshot):
    no_policy = copy.deepcopy(snapshot)
    no_policy["policy"] = None
    assert "the group has no target-tracking policy, so nothing scales it out" in diagnose_scale_out(no_policy, 4, LOAD)
    snapshot["cpu"] = []
    assert any("no group-average CPU datapoints" in r for r in diagnose_scale_out(snapshot, 4, LOAD))


def test_stress_evidence_counts_only_what_follows_the_load(snapshot):
    evidence = stress_evidence(snapshot, LOAD)
    assert evidence["peak_cpu"] == 100.0 and evidence["cpu_above_target"]
    assert evidence["alarm_high_fired"] and evidence["alarm_high_fired_at"] == "2026-11-30T12:03:00Z"
    assert len(evidence["datapoints"]) == 2 and len(evidence["alarm_transitions"]) == 1
    assert stress_failure(evidence, snapshot) is None


def test_stress_failure_reasons(snapshot):
    assert "no target-tracking policy" in stress_failure(stress_evidence(snapshot, LOAD), dict(snapshot, policy=None))
    assert stress_failure(stress_evidence(snapshot, LOAD), snapshot, {"i-1": "Failed", "i-2": "Undeliverable"}) == \
        "the load never started: its commands are i-1 Failed, i-2 Undeliverable"
    assert "missing (no instance received one)" in stress_failure(stress_evidence(snapshot, LOAD), snapshot, {})
    no_data = dict(snapshot, cpu=[])
    assert "metrics are missing" in stress_failure(stress_evidence(no_data, LOAD), no_data)
    half = dict(snapshot, cpu=[{"time": "2026-11-30T12:01:00Z", "value": 50.0}])
    assert stress_failure(stress_evidence(half, LOAD), half) == "group-average CPU peaked at 50.0%, never above the 50% target"
    assert "CPU credits are exhausted (CPUCreditBalance 0.0)" in stress_failure(stress_evidence(half, LOAD), half, None, 0.0)
    no_alarm = dict(snapshot, alarm_history=[])
    assert "AlarmHigh did not go to ALARM (it is ALARM)" in stress_failure(stress_evidence(no_alarm, LOAD), no_alarm)


def test_api_helpers():
    assert states_from_summary("Alarm updated from OK to ALARM") == ("OK", "ALARM")
    assert states_from_summary("Alarm created") == ("", "")
    assert iso("2026-11-30T12:00:00+00:00") == "2026-11-30T12:00:00Z"
    response = {"ResponseMetadata": {"HTTPHeaders": {"date": "Mon, 30 Nov 2026 12:34:56 GMT"}}}
    assert response_time(response) == "2026-11-30T12:34:56Z"
    assert response_time({}) is None
