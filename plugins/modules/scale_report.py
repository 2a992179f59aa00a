#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: scale_report
short_description: Write the scale test's report - JSON result, PNG chart, Markdown summary
version_added: 1.0.0
description:
  - Writes, into O(path), C(result.json) (machine-readable, with C(passed) for a pipeline to gate on),
    C(cpu-and-instances.png) (group-average CPU, and the group's C(GroupInServiceInstances) and
    C(GroupDesiredCapacity) CloudWatch metrics over time, the target line, and the scaling events marked) and C(summary.md).
  - The evidence the walkthrough showed as console screenshots (the CPU graph and the Activity tab),
    as files.
  - When O(simulated) is true the report says, in every file, that its times are simulated.
  - The chart needs matplotlib on the host that runs the module; without it the report has no PNG
    and says so.
author: scaleout.webtier maintainers (@scaleout)
requirements:
  - matplotlib (for the chart)
options:
  path:
    description: Directory to write into (created if missing).
    type: path
    required: true
  stack:
    description: The stack name.
    type: str
    required: true
  group:
    description: The Auto Scaling group.
    type: str
    required: true
  load_start:
    description: When the load started (ISO 8601, AWS API time).
    type: str
    required: true
  target_value:
    description: The policy's CPU target.
    type: float
    required: true
  target_count:
    description: The instance count waited for.
    type: int
    required: true
  stress:
    description: The RV(scaleout.webtier.stress_verify#module:evidence) of the stress verification.
    type: dict
    default: {}
  scale_out:
    description: The result of M(scaleout.webtier.group_capacity_wait).
    type: dict
    default: {}
  scale_in:
    description: The result of a scale-in wait, if one ran.
    type: dict
  registered:
    description:
      - Instance id to the AWS API's time at which it was seen an Online managed node and loaded
        (RV(scaleout.webtier.cpu_load#module:registered) and RV(scaleout.webtier.group_capacity_wait#module:registered)).
    type: dict
  load_stop:
    description:
      - The result of M(scaleout.webtier.cpu_load) with O(scaleout.webtier.cpu_load#module:state=stopped),
        that is when the load was cancelled and the CPU of each instance after it.
    type: dict
  cpu:
    description: Group-average CPU datapoints (time, value) to chart. Default those of the scale-out and scale-in waits' last reads.
    type: list
    elements: dict
  simulated:
    description: The times come from a simulation, not from AWS; every file says so.
    type: bool
    default: false
  clock_note:
    description: A sentence about the clock, shown with the simulated label.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Write the report
  scaleout.webtier.scale_report:
    path: "reports/demo/{{ run_id }}"
    stack: demo
    group: demo-asg
    load_start: "{{ load.load_start }}"
    target_value: 50
    target_count: 4
    stress: "{{ stress.evidence }}"
    scale_out: "{{ scale_out }}"
"""

RETURN = r"""
passed:
  description: Whether the load took effect and the group reached the target.
  returned: always
  type: bool
files:
  description: The files written.
  returned: always
  type: dict
  contains:
    json:
      description: Path of result.json.
      type: str
    markdown:
      description: Path of summary.md.
      type: str
    chart:
      description: Path of the PNG chart, or null without matplotlib.
      type: str
"""

import json
import os
import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    HAS_MATPLOTLIB = True
    MATPLOTLIB_ERROR = None
except ImportError:
    HAS_MATPLOTLIB = False
    MATPLOTLIB_ERROR = traceback.format_exc()

from ansible_collections.scaleout.webtier.plugins.module_utils._report import chart_series
from ansible_collections.scaleout.webtier.plugins.module_utils._report import markdown_summary
from ansible_collections.scaleout.webtier.plugins.module_utils._report import merge_points
from ansible_collections.scaleout.webtier.plugins.module_utils._report import result_document

CHART = "cpu-and-instances.png"


def draw_chart(document, cpu_points, filename):
    cpu, in_service, desired, events = chart_series(document, cpu_points)
    fig, ax_cpu = plt.subplots(figsize=(10, 5.2), dpi=110)
    if cpu:
        ax_cpu.plot([m for m, _v in cpu], [v for _m, v in cpu], color="tab:red", marker="o", markersize=3, label="group-average CPU (%)")
    ax_cpu.axhline(document["target_cpu"], color="tab:red", linestyle="--", linewidth=1, label="target %g %%" % document["target_cpu"])
    ax_cpu.set_ylim(0, 105)
    ax_cpu.set_ylabel("CPU utilization (%)")
    ax_cpu.set_xlabel("minutes since the load started" + (" (simulated clock)" if document["simulated"] else ""))
    ax_count = ax_cpu.twinx()
    if in_service:
        ax_count.step([m for m, _c in in_service], [c for _m, c in in_service], where="post", color="tab:blue", linewidth=2,
                      label="GroupInServiceInstances")
    if desired:
        ax_count.step([m for m, _c in desired], [c for _m, c in desired], where="post", color="tab:blue", linestyle="--",
                      linewidth=1, label="GroupDesiredCapacity")
    ax_count.set_ylim(0, max([document["target_count"]] + [c for _m, c in in_service + desired]) + 1)
    ax_count.set_ylabel("instances (the group's CloudWatch metrics)")
    for minute, label in events:
        ax_cpu.axvline(minute, color="grey", linestyle=":", linewidth=1)
        ax_cpu.annotate(label, (minute, 102), rotation=90, fontsize=7, va="top", ha="right", color="dimgrey")
    title = "%s: scale-out under CPU load" % document["group"]
    if document["simulated"]:
        title += "  [SIMULATED]"
    ax_cpu.set_title(title)
    handles = ax_cpu.get_legend_handles_labels()
    more = ax_count.get_legend_handles_labels()
    ax_cpu.legend(handles[0] + more[0], handles[1] + more[1], loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(filename)
    plt.close(fig)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            stack=dict(type="str", required=True),
            group=dict(type="str", required=True),
            load_start=dict(type="str", required=True),
            target_value=dict(type="float", required=True),
            target_count=dict(type="int", required=True),
            stress=dict(type="dict", default={}),
            scale_out=dict(type="dict", default={}),
            scale_in=dict(type="dict"),
            load_stop=dict(type="dict"),
            registered=dict(type="dict"),
            cpu=dict(type="list", elements="dict"),
            simulated=dict(type="bool", default=False),
            clock_note=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    document = result_document(p["stack"], p["group"], p["load_start"], p["target_value"], p["target_count"], p["stress"],
                               p["scale_out"], p["scale_in"], p["simulated"], p["clock_note"],
                               load_stop=p["load_stop"], registered=p["registered"])
    files = {"json": os.path.join(p["path"], "result.json"), "markdown": os.path.join(p["path"], "summary.md"),
             "chart": os.path.join(p["path"], CHART) if HAS_MATPLOTLIB else None}
    if module.check_mode:
        module.exit_json(changed=True, passed=document["passed"], files=files)
    os.makedirs(p["path"], exist_ok=True)
    cpu_points = p["cpu"] if p["cpu"] is not None else merge_points(
        (p["scale_out"].get("snapshot") or {}).get("cpu"), ((p["scale_in"] or {}).get("snapshot") or {}).get("cpu"))
    warnings = []
    if HAS_MATPLOTLIB:
        try:
            draw_chart(document, cpu_points, files["chart"])
        except Exception as e:  # pylint: disable=broad-except
            module.fail_json(msg="could not draw the chart: %s" % e, exception=traceback.format_exc())
    else:
        warnings.append(missing_required_lib("matplotlib") + " The report has no chart.")
    with open(files["json"], "w") as handle:
        json.dump(dict(document, cpu=cpu_points), handle, indent=2, sort_keys=True)
    summary = markdown_summary(document, CHART if HAS_MATPLOTLIB else "(no chart: matplotlib is missing)")
    with open(files["markdown"], "w") as handle:
        handle.write(summary)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=True, passed=document["passed"], files=files)


if __name__ == "__main__":
    main()
