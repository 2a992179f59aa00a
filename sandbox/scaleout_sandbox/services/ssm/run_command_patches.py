"""Run Command's API: SendCommand on the instances asked for (or Targets by tag), only registered (Online)
ones, started by run_command.py; ListCommandInvocations and CancelCommand (moto lacks both)."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.pagination import offset_page
from ...core.registry import patch
from ...core.timestamps import to_dt, to_epoch
from .agent import is_online
from .command_filters import matches, refusal

R = "moto.ssm.responses"


def _resolve_targets(ec2, targets) -> set:
    found = set()
    for target in targets:
        key, values = target.get("Key", ""), set(target.get("Values") or [])
        for instance in ec2.all_instances():
            tags = {t["key"]: t["value"] for t in instance.get_tags()}
            if key == "InstanceIds" and instance.id in values:
                found.add(instance.id)
            elif key.startswith("tag:") and tags.get(key[4:]) in values:
                found.add(instance.id)
            elif key == "tag-key" and values & set(tags):
                found.add(instance.id)
    return found


@patch("moto.ssm.models", "SimpleSystemManagerBackend", "send_command")
def send_command(engine, original):
    from moto.ssm.exceptions import SSMException

    def send_command(self, **kwargs):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.account_id][self.region_name]
        bad = []
        for instance_id in kwargs.get("instance_ids") or []:
            instance = ec2.get_instance_by_id(instance_id)
            if instance is None or not is_online(engine, instance):
                bad.append(instance_id)
        if bad:
            listed = ", ".join(bad)
            raise SSMException("InvalidInstanceId", f"Instances [[{listed}]] not in a valid state for account {self.account_id}")
        wanted = set(kwargs.get("instance_ids") or [])
        targets = kwargs.get("targets") or []
        if targets:
            wanted |= _resolve_targets(ec2, targets)
        if not wanted:
            raise SSMException("InvalidParameters" if targets else "ValidationException",
                               "No instances found for the targets of this command." if targets else
                               "Either InstanceIds or Targets must be specified.")
        command = original(self, **dict(kwargs, instance_ids=sorted(wanted), targets=[]))
        command.targets = targets
        # moto adds every instance of the region when Targets is empty; keep the ones asked for,
        # and, as Run Command does, only managed (online) instances.
        online = []
        for inv in command.invocations:
            instance = ec2.get_instance_by_id(inv["InstanceId"])
            if inv["InstanceId"] in wanted and instance is not None and is_online(engine, instance):
                online.append(inv)
        command.invocations = online
        command.instance_ids = [inv["InstanceId"] for inv in online] if not targets else []
        command.target_count = len(command.invocations)
        if command.document_name == "AWS-RunShellScript" and command.invocations:
            engine.run_command.start(self.account_id, self.region_name, command)
        return command

    return send_command


def _invocation_item(command, record, details: bool) -> dict:
    item = {
        "CommandId": command.command_id, "InstanceId": record["InstanceId"], "InstanceName": "",
        "Comment": command.comment, "DocumentName": command.document_name, "DocumentVersion": "$DEFAULT",
        "RequestedDateTime": command.requested_date_time, "Status": record["Status"],
        "StatusDetails": record["StatusDetails"], "StandardOutputUrl": "", "StandardErrorUrl": "",
        "ServiceRole": command.service_role_arn or "",
        "CommandPlugins": [],
    }
    if details:
        plugin = {"Name": record.get("PluginName", "aws:runShellScript"), "Status": record["Status"],
                  "StatusDetails": record["StatusDetails"], "ResponseCode": record.get("ResponseCode", -1),
                  "Output": record.get("StandardOutputContent", ""), "StandardOutputUrl": "",
                  "StandardErrorUrl": "", "OutputS3Region": command.output_s3_region or "",
                  "OutputS3BucketName": "", "OutputS3KeyPrefix": ""}
        if record.get("ExecutionStartDateTime"):
            plugin["ResponseStartDateTime"] = to_dt(to_epoch(record["ExecutionStartDateTime"]))
        if record.get("ExecutionEndDateTime"):
            plugin["ResponseFinishDateTime"] = to_dt(to_epoch(record["ExecutionEndDateTime"]))
        item["CommandPlugins"] = [plugin]
    return item


def _filters(engine, response, api: str) -> list:
    from moto.ssm.exceptions import SSMException

    filters = response._get_param("Filters") or []
    problem = refusal(api, filters) if engine.delays.ssm_validate_filters else None
    if problem:
        raise SSMException("InvalidFilterKey", problem)
    return filters


@patch(R, "SimpleSystemManagerResponse", "list_commands")
def list_commands(engine, _original):
    """Filters validated (command_filters.py, switch ssm_validate_filters) and applied; paginated."""
    def list_commands(self):
        filters = _filters(engine, self, "ListCommands")
        commands = self.ssm_backend.list_commands(self._get_param("CommandId"), self._get_param("InstanceId"))
        items = [c.response_object() for c in sorted(commands, key=lambda c: c.requested_date_time, reverse=True)
                 if matches(filters, c.status, c.document_name, c.requested_date_time)]
        return ActionResult(offset_page(items, "Commands", int(self._get_param("MaxResults") or 50), self._get_param("NextToken")))

    return list_commands


@patch(R, "SimpleSystemManagerResponse", "list_command_invocations", adds=True)
def list_command_invocations(engine, _original):
    def list_command_invocations(self):
        filters = _filters(engine, self, "ListCommandInvocations")
        command_id = self._get_param("CommandId")
        instance_id = self._get_param("InstanceId")
        details = bool(self._get_param("Details"))
        commands = self.ssm_backend.list_commands(command_id, instance_id) if (command_id or instance_id) \
            else list(self.ssm_backend._commands)
        items = [_invocation_item(command, record, details)
                 for command in sorted(commands, key=lambda c: c.requested_date_time, reverse=True)
                 for record in command.invocations if not instance_id or record["InstanceId"] == instance_id
                 if matches(filters, record["Status"], command.document_name, command.requested_date_time)]
        return ActionResult(offset_page(items, "CommandInvocations", int(self._get_param("MaxResults") or 50),
                                        self._get_param("NextToken")))

    return list_command_invocations


@patch(R, "SimpleSystemManagerResponse", "cancel_command", adds=True)
def cancel_command(engine, _original):
    def cancel_command(self):
        command = self.ssm_backend.get_command_by_id(self._get_param("CommandId"))
        engine.run_command.cancel(command, self._get_param("InstanceIds") or [])
        return ActionResult({})

    return cancel_command
