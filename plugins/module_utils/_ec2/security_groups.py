# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 security groups by name or by tag (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def groups_by_name(client, vpc_id, names):
    """{name: group} of the groups named `names` in the VPC (the way ec2_security_group finds them)."""
    groups = paginate(client, "describe_security_groups",
                      Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": list(names)}])
    return dict((g["GroupName"], g) for g in groups["SecurityGroups"])


def tagged_groups(client, tags):
    """Every group carrying all of `tags` ({key: value})."""
    filters = [{"Name": "tag:" + k, "Values": [v]} for k, v in sorted(tags.items())]
    return paginate(client, "describe_security_groups", Filters=filters)["SecurityGroups"]
