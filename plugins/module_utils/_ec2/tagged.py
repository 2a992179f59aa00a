# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the EC2 resources that carry a tag, by kind (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import own_snapshots
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import describe_instances


def tagged_resources(client, key, value):
    """The raw AWS lists, by kind, of what is tagged key=value (own images and snapshots only)."""
    tag_filter = [{"Name": "tag:" + key, "Values": [value]}]
    return {
        "instances": describe_instances(client, tag_filter),
        "security_groups": paginate(client, "describe_security_groups", Filters=tag_filter)["SecurityGroups"],
        "launch_templates": paginate(client, "describe_launch_templates", Filters=tag_filter)["LaunchTemplates"],
        "images": client.describe_images(Owners=["self"], Filters=tag_filter)["Images"],
        "snapshots": own_snapshots(client, tag_filter),
        "volumes": paginate(client, "describe_volumes", Filters=tag_filter)["Volumes"],
    }
