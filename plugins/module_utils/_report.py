# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The scale test report as pure functions: the JSON result, the Markdown summary, the chart's series."""

from ansible_collections.scaleout.webtier.plugins.module_utils._time import seconds_between

REPORT_VERSION = 1


def result_document(stack, group, load_start, target_value, target_count, stress, scale_out, scale_in=None,
                    simulated=False, clock_note="", load_stop=None, registered=None):
    """The machine-readable result a pipeline can gate on: `passed` is true only when the load took
    effect, the group reached the target, and the load was seen to stop (when the stop was checked).
    Its times are AWS's: activities' start and end, the group's CloudWatch metrics, API answers."""
    scale_out = scale_out or {}
    passed = bool(stress and stress.get("cpu_above_target") and stress.get("alarm_high_fired") and scale_out.get("reached")
                  and not (load_stop or {}).get("failed"))
    return {
        "version": REPORT_VERSION,
        "stack": stack,
        "group": group,
        "passed": passed,
        "simulated": bool(simulated),
        "clock_note": clock_note,
        "load_start": load_start,
        "target_cpu": target_value,
        "target_count": target_count,
        "stress": stress or {},
        "scale_out": {
            "reached": bool(scale_out.get("reached")),
            "time_to_target_s": scale_out.get("time_to_target_s"),
            "seen_reached_after_s": scale_out.get("seen_reached_after_s"),
            "new_instances": scale_out.get("new_instances", []),
            "timeline": scale_out.get("timeline", []),
            "capacity_metrics": scale_out.get("capacity_metrics") or {},
            "diagnosis": scale_out.get("diagnosis", []),
        },
        "scale_in": scale_in or None,
        "load_stop": load_stop_summary(load_stop),
        "registered": [{"instance_id": i, "time": t, "after_load_s": seconds_between(load_start, t)}
                       for i, t in sorted((registered or {}).items(), key=lambda item: (item[1], item[0]))],
    }


def load_stop_summary(stop):
    """The stop of the load as the report keeps it: when it was cancelled, and per instance the first
    CPU datapoint after it that shows no burner left (None when the stop did not run)."""
    if not stop or not stop.get("stopped_at"):
        return None
    return {"stopped_at": stop["stopped_at"], "cpu_after_stop": stop.get("cpu_after_stop") or {},
            "failed": bool(stop.get("failed")), "msg": stop.get("msg", "") if stop.get("failed") else ""}


def merge_points(*series):
    """Datapoints from several reads of the same metric, one per time, in time order."""
    by_time = {}
    for points in series:
        for point in points or []:
            by_time[point["time"]] = point
    return [by_time[t] for t in sorted(by_time)]


def capacity_lines(document):
    """The group's GroupInServiceInstances and GroupDesiredCapacity (CloudWatch, one point a minute)
    over the scale-out and scale-in waits, as (minutes since the load started, count), oldest first."""
    start = document["load_start"]
    metrics = [document["scale_out"].get("capacity_metrics") or {}, (document.get("scale_in") or {}).get("capacity_metrics") or {}]
    lines = []
    for key in ("in_service", "desired"):
        points = merge_points(*[m.get(key) for m in metrics])
        lines.append([(seconds_between(start, p["time"]) / 60.0, p["value"]) for p in points])
    return tuple(lines)


def chart_series(document, cpu_points):
    """Minutes since the load started for CPU, in-service instances and desired capacity (the group's
    CloudWatch metrics), and the events worth marking (events at the same minute share one label)."""
    start = document["load_start"]
    cpu = [(seconds_between(start, p["time"]) / 60.0, p["value"]) for p in cpu_points]
    in_service, desired = capacity_lines(document)
    marks = {}
    timelines = list(document["scale_out"]["timeline"]) + list((document.get("scale_in") or {}).get("timeline", []))
    for event in timelines:
        if event["kind"] == "capacity" or (event["kind"] == "alarm" and event["what"].endswith("-> ALARM")):
            label = event["what"].replace("desired capacity ", "desired ")
            if event["kind"] == "alarm":
                label = ("AlarmHigh" if "-AlarmHigh-" in event["what"] else "AlarmLow") + " ALARM"
            labels = marks.setdefault(round(event["since_load_s"] / 60.0, 2), [])
            if label not in labels:
                labels.append(label)
    events = [(minute, ", ".join(labels)) for minute, labels in sorted(marks.items())]
    return cpu, in_service, desired, events


def _fmt_seconds(value):
    if value is None:
        return "-"
    minutes, seconds = divmod(int(round(value)), 60)
    return "%dm %02ds" % (minutes, seconds) if minutes else "%ds" % seconds


def markdown_summary(document, chart_name):
    """A short human summary of the run."""
    out = document["scale_out"]
    stress = document["stress"]
    lines = ["# Scale test: %s (%s)" % (document["stack"], document["group"]), ""]
    if document["simulated"]:
        lines += ["> **Simulated.** %s" % (document["clock_note"] or "These times come from the local sandbox, not from AWS."), ""]
    lines += [
        "**Result: %s**" % ("PASSED" if document["passed"] else "FAILED"),
        "",
        "| what | value |",
        "| --- | --- |",
        "| load started (AWS API time) | %s |" % document["load_start"],
        "| CPU target | %s %% |" % document["target_cpu"],
        "| peak group-average CPU | %s |" % ("%.1f %%" % stress["peak_cpu"] if stress.get("peak_cpu") is not None else "no data"),
        "| AlarmHigh in ALARM | %s |" % (stress.get("alarm_high_fired_at") or "no"),
        "| instances waited for | %s |" % document["target_count"],
        "| reached (in service, by AWS's activity timestamps) | %s |" % (
            "yes, after %s" % _fmt_seconds(out["time_to_target_s"]) if out["reached"] else "no"),
    ]
    if out["new_instances"]:
        lines += ["", "## New instances (time after the load started)", "",
                  "Launched and in service: the launch activity's start and end. Healthy: the first AWS answer that showed it"
                  " healthy in the target groups (AWS keeps no timestamp of a target-health change).", "",
                  "| instance | launched | in service | healthy in target group | SSM Online, loaded |", "| --- | --- | --- | --- | --- |"]
        for item in out["new_instances"]:
            lines.append("| %s | %s | %s | %s | %s |" % (item["instance_id"], _fmt_seconds(item["launched_after_s"]),
                                                         _fmt_seconds(item.get("in_service_after_s")), _fmt_seconds(item.get("healthy_after_s")),
                                                         _fmt_seconds(item.get("loaded_after_s"))))
    if out["diagnosis"]:
        lines += ["", "## Why it did not reach the target", ""] + ["- %s" % reason for reason in out["diagnosis"]]
    if document.get("scale_in"):
        scale_in = document["scale_in"]
        lines += ["", "## Scale-in", "", "Back to %s instance(s): %s" % (
            scale_in.get("target_count"), "after %s" % _fmt_seconds(scale_in.get("time_to_target_s")) if scale_in.get("reached") else "not within the wait")]
    if document.get("registered"):
        lines += ["", "## SSM registration: each instance loaded once it was an Online managed node", "",
                  "| instance | Online and loaded (AWS API time) | after the load started |", "| --- | --- | --- |"]
        for item in document["registered"]:
            lines.append("| %s | %s | %s |" % (item["instance_id"], item["time"], _fmt_seconds(item["after_load_s"])))
    stop = document.get("load_stop")
    if stop:
        lines += ["", "## The load's stop", "", "CancelCommand at %s (AWS API time)." % stop["stopped_at"], ""]
        if stop["failed"]:
            lines += ["**The load did not stop:** %s" % stop["msg"], ""]
        if stop["cpu_after_stop"]:
            lines += ["| instance | CPU after the stop | in the minute from | seen within |", "| --- | --- | --- | --- |"]
            for instance_id, point in sorted(stop["cpu_after_stop"].items()):
                lines.append("| %s | %.1f %% | %s | %s |" % (instance_id, point["value"], point["time"], _fmt_seconds(point.get("seconds"))))
    lines += ["", "## Timeline", "", "| after load | event | detail |", "| --- | --- | --- |"]
    for event in out["timeline"]:
        lines.append("| %s | %s | %s |" % (_fmt_seconds(event["since_load_s"]), event["what"].replace("|", "/"), event["detail"].replace("|", "/")[:160]))
    lines += ["", "![CPU and instances](%s)" % chart_name, ""]
    return "\n".join(lines)
