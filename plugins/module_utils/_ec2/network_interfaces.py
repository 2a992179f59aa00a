# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: network interfaces (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def interfaces_in_groups(client, group_ids):
    """The network interfaces in any of the security groups (paginated)."""
    return paginate(client, "describe_network_interfaces", Filters=[{"Name": "group-id", "Values": list(group_ids)}])["NetworkInterfaces"]
