# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller side of scaleout.webtier.group_capacity_wait: a polling loop that prints progress.

Why an action plugin: a module runs as a separate process and can print nothing until it ends,
so a wait of several minutes would be a silent terminal. Here the loop runs on the controller,
reads the group through the scaling_status_info module at each poll (so credentials, retries and
the endpoint work as for every other AWS module), prints a line whenever the picture changes, and
loads instances that join while it waits through the cpu_load module.
"""

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.activities import launch_problems
from ansible_collections.scaleout.webtier.plugins.module_utils._load import registration_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._load import registration_overdue
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import GROUP_CAPACITY_WAIT_ARGUMENT_SPEC
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import build_timeline
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import diagnose_scale_out
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import new_instance_times
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import progress_line
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import ready_instances
from ansible_collections.scaleout.webtier.plugins.module_utils._time import seconds_between
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until

display = Display()

OWN_ARGS = GROUP_CAPACITY_WAIT_ARGUMENT_SPEC


class ReadFailed(Exception):
    """scaling_status_info failed; its message."""


class CapacityWatch:
    """One wait's reads and verdicts. run_module(name, args) runs a module and returns its result."""

    def __init__(self, params, aws_args, run_module, show):
        self.params, self.aws_args, self.run_module, self.show = params, aws_args, run_module, show
        self.direction = params["direction"]
        self.target = params["target_count"]
        self.load = params.get("load") or None
        self.ready_seen, self.samples, self.loaded, self.load_commands = {}, [], set(), []
        self.registered, self.unregistered, self.warned = {}, {}, set()
        self.initial_ids, self.last_line, self.now, self.hopeless = None, None, params["since"], False
        self.cannot_launch = None

    def read(self):
        status = self.run_module("scaling_status_info", dict(self.aws_args, name=self.params["name"], since=self.params["since"]))
        if status.get("failed"):
            raise ReadFailed(status.get("msg"))
        return status["snapshot"]

    def verdict(self, snapshot):
        group = snapshot["group"]
        self.now = snapshot.get("server_time") or self.params["since"]
        if self.target is None:
            self.target = group["max_size"] if self.direction == "out" else group["min_size"]
        ready = ready_instances(snapshot)
        if self.initial_ids is None:
            baseline = self.params["baseline_instance_ids"]
            self.initial_ids = set(baseline if baseline is not None else [i["id"] for i in group["instances"]])
            if self.load:
                self.loaded.update(self.load.get("skip_instance_ids", []))
        for instance_id in ready:
            self.ready_seen.setdefault(instance_id, self.now)
        self.samples.append({"time": self.now, "ready": len(ready), "instances": len(group["instances"]), "desired": group["desired"]})
        if self.load and self.direction == "out":
            self._load_joining([i for i in ready if i not in self.loaded])
        line = progress_line(snapshot, self.target)
        if self.direction == "out":
            # A group that cannot launch says why in its activities: fail on what will not heal.
            self.cannot_launch, healing = launch_problems(snapshot.get("activities", []), self.now, self.params["since"])
            line = " | ".join([line] + healing)
        if line != self.last_line:
            self.show(line)
            self.last_line = line
        if self.direction == "out":
            done = len(ready) >= self.target
        else:
            done = len(group["instances"]) <= self.target and group["desired"] <= self.target
        # Waiting for more instances than the group may ever have cannot succeed: say so now.
        self.hopeless = self.direction == "out" and (self.target > group["max_size"] or bool(self.cannot_launch))
        return (DONE if done else FAILED if self.hopeless else WAITING), line

    def _load_joining(self, joining):
        """Load the ready instances not loaded yet; those not yet Online managed nodes wait for a later poll."""
        if not joining:
            return
        load = self.load
        sent = self.run_module("cpu_load", dict(self.aws_args, state="started", instance_ids=joining, run_id=load["run_id"],
                                                duration=load.get("duration", 600), burners=load.get("burners", 0),
                                                registration_timeout=0))
        if sent.get("failed"):
            display.warning("could not load %s: %s" % (", ".join(joining), sent.get("msg")))
            return
        self.loaded.update(sent.get("instance_ids", []))
        self.registered.update(sent.get("registered", {}))
        self.load_commands.extend(sent.get("commands", []))
        self.unregistered = dict(sent.get("unregistered", {}))
        late = registration_overdue(self.unregistered, self.ready_seen, self.now, load.get("registration_timeout", 600))
        if late and not set(late) <= self.warned:
            self.warned.update(late)
            display.warning(registration_failure(late, load.get("registration_timeout", 600)))

    def outcome(self, reached, snapshot, line, poller):
        """The task result once the wait ends."""
        params, group, since = self.params, snapshot["group"], self.params["since"]
        result = dict(
            changed=False, reached=reached, direction=self.direction, target_count=self.target, elapsed=poller.elapsed,
            polls=poller.polls, server_time=self.now, timeline=build_timeline(snapshot, since, self.ready_seen),
            samples=self.samples, new_instances=new_instance_times(snapshot, since, self.ready_seen, self.initial_ids, self.registered),
            time_to_target_s=seconds_between(since, self.now) if reached else None,
            loaded_instances=sorted(self.loaded), load_commands=self.load_commands, snapshot=snapshot,
            registered=self.registered, unregistered=self.unregistered,
        )
        if reached:
            result["msg"] = "%s reached %d instance(s) %s %.0fs after the load started (AWS API time)" % (
                group["name"], self.target, "ready" if self.direction == "out" else "or fewer", result["time_to_target_s"])
            return result
        diagnosis = diagnose_scale_out(snapshot, self.target, since) if self.direction == "out" else [line]
        if self.cannot_launch:
            diagnosis = [self.cannot_launch] + diagnosis
        within = "" if self.hopeless else " within %ds" % params["timeout"]
        result.update(failed=True, diagnosis=diagnosis,
                      msg="%s did not reach %d instance(s)%s: %s" % (group["name"], self.target, within, "; ".join(diagnosis)))
        return result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The group's own options are checked here; the AWS connection options (region, endpoint,
        # credentials, from module_defaults too) go to the modules this loop calls, which check them.
        aws_args = dict((k, v) for k, v in self._task.args.items() if k not in OWN_ARGS)
        validation = ArgumentSpecValidator(OWN_ARGS).validate(dict((k, v) for k, v in self._task.args.items() if k in OWN_ARGS))
        if validation.error_messages:
            return dict(result, failed=True, msg="; ".join(validation.error_messages))
        params = validation.validated_parameters
        problem = timing_problem(params["timeout"], params["poll_interval"], min_timeout=1)
        if problem:
            return dict(result, failed=True, msg=problem)

        def run_module(name, args):
            return self._execute_module(module_name="scaleout.webtier." + name, module_args=args, task_vars=task_vars)

        def show(line):
            display.display("  scale-%s wait [%s]: %s" % (params["direction"], self._task.get_name(), line))

        watch = CapacityWatch(params, aws_args, run_module, show)
        poller = Poller(params["timeout"], params["poll_interval"])
        try:
            outcome, snapshot, line = wait_until(watch.read, watch.verdict, poller)
        except ReadFailed as e:
            return dict(result, failed=True, msg="reading the group failed: %s" % e, polls=poller.polls + 1)
        return dict(result, **watch.outcome(outcome == DONE, snapshot, line, poller))
