# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: SSM Run Command (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def send_shell_script(client, instance_ids, comment, commands, execution_timeout, delivery_timeout=600):
    """Send AWS-RunShellScript to instances; the Command record AWS returns."""
    return client.send_command(
        InstanceIds=instance_ids,
        DocumentName="AWS-RunShellScript",
        Comment=comment,
        Parameters={"commands": commands, "executionTimeout": [str(execution_timeout)]},
        TimeoutSeconds=delivery_timeout,
    )["Command"]


def shell_script_commands(client):
    """The account's AWS-RunShellScript commands of the last 30 days (ListCommands, paginated).

    Filtered on DocumentName, a key ListCommands documents; a command's status changes between
    calls, so callers read Status from each command rather than filtering on it.
    """
    return paginate(client, "list_commands", Filters=[{"key": "DocumentName", "value": "AWS-RunShellScript"}]).get("Commands", [])


def cancel_command(client, command_id):
    client.cancel_command(CommandId=command_id)


def invocation_statuses(client, command_ids):
    """{instance_id: invocation status} over the commands (paginated)."""
    status = {}
    for command_id in command_ids:
        found = paginate(client, "list_command_invocations", CommandId=command_id)
        for invocation in found.get("CommandInvocations", []):
            status[invocation["InstanceId"]] = invocation["Status"]
    return status
