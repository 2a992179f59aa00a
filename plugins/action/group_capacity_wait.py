# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller side of scaleout.webtier.group_capacity_wait: a polling loop that prints progress.

Why an action plugin: a module runs as a separate process and can print nothing until it ends,
so a wait of several minutes would be a silent terminal. Here the loop runs on the controller and
reads AWS itself, through the collection's access layer (module_utils) with boto3 clients made as
a module's would be (plugin_utils/_task_aws.py: the same options, module_defaults and AWS_*
environment variables, the same retry policy). A poll is one DescribeAutoScalingGroups call (one
more per target group while an InService instance is not yet known healthy), not a module process
that loads boto3: on a busy controller the process made each poll several seconds late. The wait
prints a line whenever the picture changes, loads instances that join while it waits (Run Command,
the same functions as the cpu_load module), and at the end reads the group's whole scaling state
once (activities, alarms, CPU, and the group's in-service and desired metrics) for its report,
whose times are AWS's own.
"""

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import GroupNotFound
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import capacity_metrics
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import capacity_poll
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import group_snapshot
from ansible_collections.scaleout.webtier.plugins.module_utils._load import registration_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._load import registration_overdue
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import explain_denial
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import GROUP_CAPACITY_WAIT_ARGUMENT_SPEC
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import build_timeline
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import capacity_progress_line
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import diagnose_scale_out
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import in_service_time_to_count
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import launch_activities
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import new_instance_times
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import ready_instances
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import terminated_time_to_count
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import burners_by_instance
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import send_load_to_online
from ansible_collections.scaleout.webtier.plugins.module_utils._time import seconds_between
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until
from ansible_collections.scaleout.webtier.plugins.plugin_utils._task_aws import TaskAWS

try:
    import botocore.exceptions
    AWS_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
except ImportError:
    AWS_ERRORS = ()  # TaskAWS says boto3 is missing before any read

display = Display()

OWN_ARGS = GROUP_CAPACITY_WAIT_ARGUMENT_SPEC
READ_SERVICES = ("autoscaling", "elbv2", "cloudwatch")
LOAD_SERVICES = ("ec2", "ssm")


class GroupReads:
    """The wait's AWS calls, on the controller. aws: {service: client}, the clients the clock watches."""

    def __init__(self, aws, clock):
        self.aws, self.clock, self.burners_of = aws, clock, {}

    def poll(self, name, known_healthy):
        return capacity_poll(self.aws, name, self.clock, known_healthy)

    def report(self, name, since):
        snapshot = group_snapshot(self.aws, name, since, self.clock)
        snapshot["capacity_metrics"] = capacity_metrics(self.aws, name, since, self.clock)
        return snapshot

    def load(self, load, joining, sent):
        """Send the load to the joining instances that are Online managed nodes; the others, with their PingStatus."""
        unknown = [i for i in joining if i not in self.burners_of]
        if unknown:
            self.burners_of.update(burners_by_instance(self.aws["ec2"], unknown, load.get("burners", 0)))
        return send_load_to_online(self.aws, self.clock, load["run_id"], load.get("duration", 600), joining, self.burners_of, sent)


class CapacityWatch:
    """One wait's polls and verdicts. reads: a GroupReads (or a fake of it); show(line) prints."""

    def __init__(self, params, reads, show):
        self.params, self.reads, self.show = params, reads, show
        self.direction = params["direction"]
        self.target = params["target_count"]
        self.load = params.get("load") or None
        # healthy_at: instance id -> the AWS answer's time that first showed it InService and healthy.
        self.healthy_at, self.loaded, self.load_commands = {}, set(), []
        self.registered, self.unregistered, self.warned = {}, {}, set()
        self.initial_ids, self.last_line, self.now, self.hopeless = None, None, params["since"], False
        self.reached_seen = None

    def read(self):
        return self.reads.poll(self.params["name"], set(self.healthy_at))

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
            self.healthy_at.setdefault(instance_id, self.now)
        if self.load and self.direction == "out":
            self._load_joining([i for i in ready if i not in self.loaded])
        line = capacity_progress_line(snapshot, self.target)
        if line != self.last_line:
            self.show(line)
            self.last_line = line
        if self.direction == "out":
            done = len(ready) >= self.target
        else:
            done = len(group["instances"]) <= self.target and group["desired"] <= self.target
        if done:
            self.reached_seen = self.now
        # Waiting for more instances than the group may ever have cannot succeed: say so now.
        self.hopeless = self.direction == "out" and self.target > group["max_size"]
        return (DONE if done else FAILED if self.hopeless else WAITING), line

    def _load_joining(self, joining):
        """Load the ready instances not loaded yet; those not yet Online managed nodes wait for a later poll."""
        if not joining:
            return
        load = self.load
        sent = {"commands": [], "registered": {}}
        try:
            self.unregistered = self.reads.load(load, joining, sent)
        except AWS_ERRORS as e:
            display.warning("could not load %s: %s" % (", ".join(joining), explain_denial(e) or e))
            return
        self.loaded.update(sent["registered"])
        self.registered.update(sent["registered"])
        self.load_commands.extend(sent["commands"])
        late = registration_overdue(self.unregistered, self.healthy_at, self.now, load.get("registration_timeout", 600))
        if late and not set(late) <= self.warned:
            self.warned.update(late)
            display.warning(registration_failure(late, load.get("registration_timeout", 600)))

    def baseline(self, activities):
        """The instances the group had at ``since``: those given, or those of the first poll less the
        ones AWS's activities say were launched since (the first poll comes after ``since``)."""
        if self.params["baseline_instance_ids"] is not None:
            return set(self.params["baseline_instance_ids"])
        return set(self.initial_ids or ()) - set(launch_activities(activities, self.params["since"]))

    def time_to_target(self, activities, last_poll, baseline):
        """Seconds from the load's start to the target by AWS's activity timestamps (InService of the
        target-th ready instance, or the termination that brought the group down to it)."""
        since = self.params["since"]
        if self.direction == "out":
            return in_service_time_to_count(activities, since, baseline, ready_instances(last_poll), self.target)
        return terminated_time_to_count(activities, since, len(baseline), self.target)

    def outcome(self, reached, last_poll, poller):
        """The task result once the wait ends: one full read of the group, for the report and the diagnosis."""
        params, since = self.params, self.params["since"]
        snapshot = self.reads.report(params["name"], since)
        group = snapshot["group"]
        activities = snapshot.get("activities", [])
        baseline = self.baseline(activities)
        result = dict(
            changed=False, reached=reached, direction=self.direction, target_count=self.target, elapsed=poller.elapsed,
            polls=poller.polls, server_time=self.now, timeline=build_timeline(snapshot, since, self.healthy_at),
            capacity_metrics=snapshot.get("capacity_metrics", {}),
            new_instances=new_instance_times(activities, since, baseline, self.healthy_at, self.registered),
            time_to_target_s=self.time_to_target(activities, last_poll, baseline) if reached else None,
            seen_reached_after_s=seconds_between(since, self.reached_seen) if reached else None,
            loaded_instances=sorted(self.loaded), load_commands=self.load_commands, snapshot=snapshot,
            registered=self.registered, unregistered=self.unregistered,
        )
        if reached:
            when = result["time_to_target_s"]
            result["msg"] = "%s reached %d instance(s) %s %s after the load started (AWS's activity timestamps)" % (
                group["name"], self.target, "in service" if self.direction == "out" else "or fewer",
                "%.0fs" % when if when is not None else "(the activities do not say when)")
            return result
        diagnosis = diagnose_scale_out(snapshot, self.target, since) if self.direction == "out" else [self.last_line]
        within = "" if self.hopeless else " within %ds" % params["timeout"]
        result.update(failed=True, diagnosis=diagnosis,
                      msg="%s did not reach %d instance(s)%s: %s" % (group["name"], self.target, within, "; ".join(diagnosis)))
        return result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The task's arguments hold its module_defaults already: the group's options are checked
        # here, the AWS connection options by TaskAWS, as a module would check them.
        aws_args = dict((k, v) for k, v in self._task.args.items() if k not in OWN_ARGS)
        validation = ArgumentSpecValidator(OWN_ARGS).validate(dict((k, v) for k, v in self._task.args.items() if k in OWN_ARGS))
        if validation.error_messages:
            return dict(result, failed=True, msg="; ".join(validation.error_messages))
        params = validation.validated_parameters
        problem = timing_problem(params["timeout"], params["poll_interval"], min_timeout=1)
        if problem:
            return dict(result, failed=True, msg=problem)
        try:
            task_aws = TaskAWS(aws_args)
            aws = task_aws.clients(READ_SERVICES + (LOAD_SERVICES if params.get("load") else ()))
        except AnsibleError as e:
            return dict(result, failed=True, msg="AWS connection options: %s" % e.message)

        def show(line):
            display.display("  scale-%s wait [%s]: %s" % (params["direction"], self._task.get_name(), line))

        watch = CapacityWatch(params, GroupReads(aws, ServerClock(aws.values())), show)
        return dict(result, **run_watch(watch, params))


def run_watch(watch, params):
    """Wait, then report; a failed read ends the wait with AWS's message."""
    poller = Poller(params["timeout"], params["poll_interval"])
    try:
        outcome, last_poll, _line = wait_until(watch.read, watch.verdict, poller)
        if last_poll is None:
            return dict(failed=True, msg="reading the group failed: AWS throttled every read within %ds" % params["timeout"],
                        polls=poller.polls)
        return watch.outcome(outcome == DONE, last_poll, poller)
    except GroupNotFound as e:
        return dict(failed=True, msg="reading the group failed: %s" % e, polls=poller.polls + 1)
    except AWS_ERRORS as e:
        return dict(failed=True, msg="reading the group failed: %s" % (explain_denial(e) or e), polls=poller.polls + 1)
