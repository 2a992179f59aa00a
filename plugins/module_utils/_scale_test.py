# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the scale test: readiness, timelines, progress lines, evidence and diagnoses.

Private to the collection. Everything here works on plain dicts (a "snapshot" of a group, as
built by module_utils/_autoscaling/snapshot.py from the AWS API), so it unit-tests without AWS. Times are
ISO 8601 strings in UTC from the AWS API's own clock (the server's, not the controller's).

A snapshot:
  server_time: str
  group: {name, min_size, max_size, desired, instances: [{id, zone, lifecycle_state, health_status}]}
  target_health: {instance_id: state}   (the worst state over the attached target groups)
  target_groups: int                     (how many are attached)
  policy: {name, target_value, metric, alarms: [names]} or None
  alarms: [{name, state, reason, updated}]
  alarm_history: [{name, time, old, new, summary}]
  activities: [{id, description, cause, status_code, status_message, start, end, progress}]
  cpu: [{time, value}]                   (group-average CPUUtilization datapoints)
"""

import re

from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time
from ansible_collections.scaleout.webtier.plugins.module_utils._time import seconds_between
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAIT_OPTIONS

# The options of group_capacity_wait: its action plugin checks them, its module file documents them.
GROUP_CAPACITY_WAIT_ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    since=dict(type="str", required=True),
    target_count=dict(type="int"),
    direction=dict(type="str", choices=["out", "in"], default="out"),
    **WAIT_OPTIONS,
    load=dict(type="dict"),
    baseline_instance_ids=dict(type="list", elements="str"),
)

_CAPACITY_CHANGE = re.compile(r"changing the desired capacity from (\d+) to (\d+)")
_INSTANCE_ID = re.compile(r"\b(i-[0-9a-f]+)\b")
HEALTHY = "healthy"
FAILED_ACTIVITY_CODES = ("Failed", "Cancelled")


def ready_instances(snapshot):
    """Ids of instances InService, healthy to Auto Scaling, and healthy in every attached target group."""
    ready = []
    for instance in snapshot["group"]["instances"]:
        if instance["lifecycle_state"] != "InService" or instance.get("health_status", "Healthy") != "Healthy":
            continue
        if snapshot.get("target_groups") and snapshot.get("target_health", {}).get(instance["id"]) != HEALTHY:
            continue
        ready.append(instance["id"])
    return ready


def alarm_by_role(snapshot, role):
    """The policy's AlarmHigh or AlarmLow alarm (AWS names them TargetTracking-<group>-AlarmHigh-<uuid>)."""
    for alarm in snapshot.get("alarms", []):
        if "-%s-" % role in alarm["name"]:
            return alarm
    return None


def latest_cpu(snapshot):
    points = sorted(snapshot.get("cpu", []), key=lambda p: p["time"])
    return points[-1]["value"] if points else None


def latest_activity(snapshot):
    activities = sorted(snapshot.get("activities", []), key=lambda a: a["start"])
    return activities[-1] if activities else None


def progress_line(snapshot, target_count):
    """One line for a person watching: instances ready / desired / max, CPU vs target, alarm, latest activity."""
    group = snapshot["group"]
    ready = len(ready_instances(snapshot))
    policy = snapshot.get("policy") or {}
    cpu = latest_cpu(snapshot)
    parts = [
        "%s: %d/%d ready (desired %d, max %d)" % (group["name"], ready, target_count, group["desired"], group["max_size"]),
        "CPU %s vs target %s" % ("%.1f%%" % cpu if cpu is not None else "no data", "%g%%" % policy["target_value"] if policy else "none"),
    ]
    high = alarm_by_role(snapshot, "AlarmHigh")
    if high:
        parts.append("AlarmHigh %s" % high["state"])
    activity = latest_activity(snapshot)
    if activity:
        parts.append("latest: %s (%s)" % (activity["description"], activity["status_code"]))
    return " | ".join(parts)


def capacity_progress_line(poll, target_count):
    """One line from a capacity poll (group and target health only): instances ready / target,
    desired and max, and every instance not ready with its state."""
    group = poll["group"]
    ready = set(ready_instances(poll))
    parts = ["%s: %d/%d ready (desired %d, max %d)" % (group["name"], len(ready), target_count, group["desired"], group["max_size"])]
    waiting = []
    for instance in sorted(group["instances"], key=lambda i: i["id"]):
        if instance["id"] in ready:
            continue
        if instance["lifecycle_state"] == "InService" and poll.get("target_groups"):
            waiting.append("%s %s in the target group" % (instance["id"], poll.get("target_health", {}).get(instance["id"], "not registered")))
        else:
            waiting.append("%s %s" % (instance["id"], instance["lifecycle_state"]))
    if waiting:
        parts.append("not ready: " + ", ".join(waiting))
    return " | ".join(parts)


def capacity_changes(activities):
    """(time, from, to, cause) for each desired-capacity change the activities' causes record."""
    changes = []
    seen = set()
    for activity in sorted(activities, key=lambda a: a["start"]):
        match = _CAPACITY_CHANGE.search(activity.get("cause") or "")
        if not match:
            continue
        key = (match.group(1), match.group(2), activity["cause"].split(" an instance was")[0])
        if key in seen:
            continue
        seen.add(key)
        changes.append({
            "time": activity["start"],
            "from": int(match.group(1)),
            "to": int(match.group(2)),
            "cause": activity["cause"],
        })
    return changes


def build_timeline(snapshot, load_start, healthy_at=None):
    """Every alarm transition, capacity change, scaling activity and its end since the load started,
    in order, with AWS's timestamps.

    healthy_at maps instance id -> the AWS answer's time that first showed it InService and healthy
    in the target groups (AWS keeps no timestamp of a target-health change).
    """
    events = []
    for item in snapshot.get("alarm_history", []):
        if parse_time(item["time"]) >= parse_time(load_start):
            events.append({"time": item["time"], "kind": "alarm", "what": "%s: %s -> %s" % (item["name"], item["old"], item["new"]),
                           "detail": item.get("summary", "")})
    for change in capacity_changes(snapshot.get("activities", [])):
        if parse_time(change["time"]) >= parse_time(load_start):
            events.append({"time": change["time"], "kind": "capacity", "what": "desired capacity %d -> %d" % (change["from"], change["to"]),
                           "detail": change["cause"]})
    for activity in snapshot.get("activities", []):
        if parse_time(activity["start"]) >= parse_time(load_start):
            events.append({"time": activity["start"], "kind": "activity", "what": activity["description"],
                           "detail": "%s%s" % (activity["status_code"], ": " + activity["status_message"] if activity.get("status_message") else "")})
    for instance_id, activity in launch_activities(snapshot.get("activities", []), load_start).items():
        if activity.get("end"):
            events.append({"time": activity["end"], "kind": "in_service", "what": "%s in service" % instance_id,
                           "detail": "the launch activity's end"})
    for instance_id, when in sorted((healthy_at or {}).items(), key=lambda kv: kv[1]):
        events.append({"time": when, "kind": "ready", "what": "%s healthy in the target groups" % instance_id,
                       "detail": "first AWS answer showing it"})
    for event in events:
        event["since_load_s"] = seconds_between(load_start, event["time"])
    return sorted(events, key=lambda e: (parse_time(e["time"]), e["kind"]))


def launch_activities(activities, load_start, baseline_ids=()):
    """{instance_id: its launch activity} for the successful launches that started at or after the
    load's start, of instances not in baseline_ids (a relaunch of the same id keeps the first)."""
    launches = {}
    for activity in sorted(activities, key=lambda a: a["start"]):
        match = _INSTANCE_ID.search(activity.get("description") or "")
        if not match or not activity["description"].startswith("Launching") or activity["status_code"] != "Successful":
            continue
        if match.group(1) in baseline_ids or parse_time(activity["start"]) < parse_time(load_start):
            continue
        launches.setdefault(match.group(1), activity)
    return launches


def new_instance_times(activities, load_start, baseline_ids, healthy_at=None, registered=None):
    """For each instance launched after the load started (not in baseline_ids), seconds from the load's
    start to AWS's own timestamps: its launch (the launch activity's start), InService (its end),
    healthy in the target groups (``healthy_at``: {instance_id: the AWS answer's time that first
    showed it healthy}) and loaded (first seen an Online managed node, ``registered``: {instance_id: time})."""
    healthy_at, registered = healthy_at or {}, registered or {}
    result = []
    for instance_id, activity in sorted(launch_activities(activities, load_start, baseline_ids).items(), key=lambda kv: kv[1]["start"]):
        result.append({
            "instance_id": instance_id,
            "launched_after_s": seconds_between(load_start, activity["start"]),
            "in_service_after_s": seconds_between(load_start, activity["end"]) if activity.get("end") else None,
            "healthy_after_s": seconds_between(load_start, healthy_at[instance_id]) if instance_id in healthy_at else None,
            "loaded_after_s": seconds_between(load_start, registered[instance_id]) if instance_id in registered else None,
        })
    return result


def in_service_time_to_count(activities, load_start, baseline_ids, ready_ids, target_count):
    """Seconds from the load's start until ``target_count`` of ``ready_ids`` were InService, by AWS's
    launch activities (an instance of baseline_ids counts from the start), or None when the
    activities do not account for that many (a launch before ``load_start`` not in the baseline)."""
    launches = launch_activities(activities, load_start, baseline_ids)
    times = []
    for instance_id in ready_ids:
        if instance_id in baseline_ids:
            times.append(0.0)
        elif instance_id in launches and launches[instance_id].get("end"):
            times.append(seconds_between(load_start, launches[instance_id]["end"]))
    times.sort()
    return times[target_count - 1] if 0 < target_count <= len(times) else None


def terminated_time_to_count(activities, load_start, initial_count, target_count):
    """Seconds from ``load_start`` until the group was last brought down to ``target_count`` instances
    or fewer, by the ends of AWS's successful launch and termination activities since then
    (initial_count: instances at ``load_start``); 0 when it never had more; None when by the
    activities it has more still."""
    events = []
    for activity in activities:
        description = activity.get("description") or ""
        if activity["status_code"] != "Successful" or not activity.get("end") or parse_time(activity["start"]) < parse_time(load_start):
            continue
        if description.startswith("Launching"):
            events.append((parse_time(activity["end"]), 1, activity["end"]))
        elif description.startswith("Terminating"):
            events.append((parse_time(activity["end"]), -1, activity["end"]))
    count, reached = initial_count, 0.0 if initial_count <= target_count else None
    for _when, delta, end in sorted(events, key=lambda e: (e[0], -e[1])):
        before, count = count, count + delta
        if before > target_count >= count:
            reached = seconds_between(load_start, end)
        elif count > target_count:
            reached = None
    return reached


def diagnose_scale_out(snapshot, target_count, load_start):
    """Why the group has not reached target_count ready instances: a list of sentences, most telling first."""
    group = snapshot["group"]
    reasons = []
    if group["max_size"] < target_count:
        reasons.append("the group's max size is %d, below the %d instances waited for: it can never get there"
                       % (group["max_size"], target_count))
    failed = [a for a in snapshot.get("activities", [])
              if a["status_code"] in FAILED_ACTIVITY_CODES and parse_time(a["start"]) >= parse_time(load_start)]
    for activity in failed[-3:]:
        reasons.append("failed activity: %s: %s" % (activity["description"], activity.get("status_message") or activity["status_code"]))
    policy = snapshot.get("policy")
    if not policy:
        reasons.append("the group has no target-tracking policy, so nothing scales it out")
    else:
        high = alarm_by_role(snapshot, "AlarmHigh")
        cpu = latest_cpu(snapshot)
        if high is None:
            reasons.append("the policy's AlarmHigh alarm does not exist")
        elif high["state"] != "ALARM":
            reasons.append("AlarmHigh is %s (%s)" % (high["state"], high.get("reason") or "no reason given"))
        if cpu is None:
            reasons.append("no group-average CPU datapoints since the load started (is detailed monitoring on?)")
        elif cpu <= policy["target_value"]:
            reasons.append("group-average CPU is %.1f%%, not above the %g%% target" % (cpu, policy["target_value"]))
    ready = set(ready_instances(snapshot))
    stuck = []
    for instance in group["instances"]:
        if instance["id"] in ready:
            continue
        if instance["lifecycle_state"] == "InService" and snapshot.get("target_groups"):
            stuck.append("%s is %s in the target group" % (instance["id"], snapshot.get("target_health", {}).get(instance["id"], "not registered")))
        else:
            stuck.append("%s is %s/%s" % (instance["id"], instance["lifecycle_state"], instance.get("health_status", "?")))
    if stuck:
        reasons.append("instances not ready: " + "; ".join(stuck))
    if group["desired"] >= target_count and len(ready) < target_count and not stuck:
        reasons.append("desired capacity is %d but only %d instances exist" % (group["desired"], len(group["instances"])))
    if group["desired"] == group["max_size"] and group["max_size"] < target_count:
        reasons.append("desired capacity already equals the max size (%d)" % group["max_size"])
    return reasons or ["the group is still changing: %s" % progress_line(snapshot, target_count)]


def stress_evidence(snapshot, load_start):
    """What shows the load moved the group: CPU above target, and AlarmHigh in ALARM since the load started."""
    policy = snapshot.get("policy")
    target = policy["target_value"] if policy else None
    points = [p for p in snapshot.get("cpu", []) if parse_time(p["time"]) >= parse_time(load_start)]
    peak = max((p["value"] for p in points), default=None)
    transitions = [h for h in snapshot.get("alarm_history", [])
                   if "-AlarmHigh-" in h["name"] and parse_time(h["time"]) >= parse_time(load_start)]
    alarmed = [h for h in transitions if h["new"] == "ALARM"]
    return {
        "target_value": target,
        "datapoints": points,
        "peak_cpu": peak,
        "cpu_above_target": bool(points) and target is not None and peak > target,
        "alarm_transitions": transitions,
        "alarm_high_fired": bool(alarmed),
        "alarm_high_fired_at": alarmed[0]["time"] if alarmed else None,
    }


def stress_failure(evidence, snapshot, load_status=None, credit_balance=None):
    """The reason the stress did not take, or None when it did. load_status: {instance_id: command status}."""
    if not snapshot.get("policy"):
        return "the group has no target-tracking policy on ASGAverageCPUUtilization: nothing reacts to CPU"
    if load_status is not None:
        started = [i for i, status in load_status.items() if status in ("InProgress", "Success", "Pending", "Delayed")]
        if not started:
            return "the load never started: its commands are %s" % (
                ", ".join("%s %s" % (i, s) for i, s in sorted(load_status.items())) or "missing (no instance received one)")
    if not evidence["datapoints"]:
        return "no group-average CPU datapoints since the load started: metrics are missing (detailed monitoring off, or too early)"
    if not evidence["cpu_above_target"]:
        reason = "group-average CPU peaked at %.1f%%, never above the %g%% target" % (evidence["peak_cpu"], evidence["target_value"])
        if credit_balance is not None and credit_balance < 1:
            reason += "; the burstable instances' CPU credits are exhausted (CPUCreditBalance %.1f), so they run at baseline" % credit_balance
        return reason
    if not evidence["alarm_high_fired"]:
        high = alarm_by_role(snapshot, "AlarmHigh")
        return "CPU rose above the target but AlarmHigh did not go to ALARM (it is %s)" % (high["state"] if high else "missing")
    return None
