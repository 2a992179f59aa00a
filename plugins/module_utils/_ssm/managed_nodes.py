# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: which instances are Systems Manager managed nodes (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate

IDS_PER_CALL = 50


def ping_statuses(client, instance_ids):
    """{instance_id: PingStatus} of those of the instances whose SSM agent has registered
    (DescribeInstanceInformation, paginated); an instance not registered yet is absent."""
    instance_ids = list(instance_ids)
    statuses = {}
    for start in range(0, len(instance_ids), IDS_PER_CALL):
        batch = instance_ids[start:start + IDS_PER_CALL]
        found = paginate(client, "describe_instance_information", Filters=[{"Key": "InstanceIds", "Values": batch}])
        statuses.update((i["InstanceId"], i.get("PingStatus", "")) for i in found.get("InstanceInformationList", []))
    return statuses
