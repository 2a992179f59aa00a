# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller side of scaleout.webtier.scale_out_wait: a polling loop that prints progress.

Why an action plugin: a module runs as a separate process and can print nothing until it ends,
so a wait of several minutes would be a silent terminal. Here the loop runs on the controller,
reads the group through the scaling_status_info module at each poll (so credentials, retries and
the endpoint work as for every other AWS module), prints a line whenever the picture changes, and
loads instances that join while it waits through the cpu_load module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import SCALE_OUT_WAIT_ARGUMENT_SPEC
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import build_timeline
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import diagnose_scale_out
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import new_instance_times
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import progress_line
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import ready_instances
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import seconds_between
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller

display = Display()

OWN_ARGS = SCALE_OUT_WAIT_ARGUMENT_SPEC


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _module(self, name, args, task_vars):
        return self._execute_module(module_name="scaleout.webtier." + name, module_args=args, task_vars=task_vars)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        # The group's own options are checked here; the AWS connection options (region, endpoint,
        # credentials, from module_defaults too) go to the modules this loop calls, which check them.
        aws_args = dict((k, v) for k, v in self._task.args.items() if k not in OWN_ARGS)
        validation = ArgumentSpecValidator(OWN_ARGS).validate(dict((k, v) for k, v in self._task.args.items() if k in OWN_ARGS))
        if validation.error_messages:
            return dict(result, failed=True, msg="; ".join(validation.error_messages))
        params = validation.validated_parameters
        if params["timeout"] < 1 or params["poll_interval"] < 1:
            return dict(result, failed=True, msg="timeout and poll_interval must be at least 1 second")
        load = params.get("load") or None
        status_args = dict(aws_args, name=params["name"], since=params["since"])

        poller = Poller(params["timeout"], params["poll_interval"])
        ready_seen, samples, loaded, load_commands = {}, [], set(), []
        initial_ids, target, last_line = None, params["target_count"], None
        while True:
            status = self._module("scaling_status_info", status_args, task_vars)
            poller.polled()
            polls = poller.polls
            if status.get("failed"):
                return dict(result, failed=True, msg="reading the group failed: %s" % status.get("msg"), polls=polls)
            snapshot = status["snapshot"]
            group = snapshot["group"]
            now = snapshot.get("server_time") or params["since"]
            if target is None:
                target = group["max_size"] if params["direction"] == "out" else group["min_size"]
            ready = ready_instances(snapshot)
            if initial_ids is None:
                initial_ids = set(params["baseline_instance_ids"] if params["baseline_instance_ids"] is not None
                                  else [i["id"] for i in group["instances"]])
                if load:
                    loaded.update(load.get("skip_instance_ids", []))
            for instance_id in ready:
                ready_seen.setdefault(instance_id, now)
            samples.append({"time": now, "ready": len(ready), "instances": len(group["instances"]), "desired": group["desired"]})

            if load and params["direction"] == "out":
                joining = [i for i in ready if i not in loaded]
                if joining:
                    load_args = dict(aws_args, state="started", instance_ids=joining, run_id=load["run_id"],
                                     duration=load.get("duration", 600), burners=load.get("burners", 0))
                    sent = self._module("cpu_load", load_args, task_vars)
                    if sent.get("failed"):
                        display.warning("could not load %s: %s" % (", ".join(joining), sent.get("msg")))
                    else:
                        loaded.update(joining)
                        load_commands.extend(sent.get("commands", []))

            line = progress_line(snapshot, target)
            if line != last_line:
                display.display("  scale-%s wait [%s]: %s" % (params["direction"], self._task.get_name(), line))
                last_line = line

            done = len(ready) >= target if params["direction"] == "out" else (len(group["instances"]) <= target and group["desired"] <= target)
            elapsed = poller.elapsed
            # Waiting for more instances than the group may ever have cannot succeed: say so now.
            hopeless = params["direction"] == "out" and target > group["max_size"]
            if done or hopeless or poller.expired:
                timeline = build_timeline(snapshot, params["since"], ready_seen)
                outcome = dict(
                    result,
                    changed=False,
                    reached=done,
                    direction=params["direction"],
                    target_count=target,
                    elapsed=elapsed,
                    polls=polls,
                    server_time=now,
                    timeline=timeline,
                    samples=samples,
                    new_instances=new_instance_times(snapshot, params["since"], ready_seen, initial_ids),
                    time_to_target_s=seconds_between(params["since"], now) if done else None,
                    loaded_instances=sorted(loaded),
                    load_commands=load_commands,
                    snapshot=snapshot,
                )
                if done:
                    outcome["msg"] = "%s reached %d instance(s) %s %.0fs after the load started (AWS API time)" % (
                        group["name"], target, "ready" if params["direction"] == "out" else "or fewer",
                        outcome["time_to_target_s"])
                    return outcome
                diagnosis = diagnose_scale_out(snapshot, target, params["since"]) if params["direction"] == "out" else [line]
                within = "" if hopeless else " within %ds" % params["timeout"]
                outcome.update(failed=True, diagnosis=diagnosis,
                               msg="%s did not reach %d instance(s)%s: %s" % (group["name"], target, within, "; ".join(diagnosis)))
                return outcome
            poller.pause()
