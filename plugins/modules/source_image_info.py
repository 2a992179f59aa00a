#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: source_image_info
short_description: Resolve an AMI from an SSM parameter, an image id, or an owner and name filter
version_added: 1.0.0
description:
  - Resolves the image a web tier starts from and describes it (root device, its size, architecture).
  - By default, the latest Amazon Linux 2023 for the architecture, through AWS's public SSM parameter.
  - With O(image_id), that image; with O(owners) and O(name_pattern), the most recent available
    image that matches.
  - Fails with a message naming the option when the image cannot be found, so a bad id stops a
    run before anything is created.
author: scaleout.webtier maintainers (@scaleout)
options:
  image_id:
    description: An AMI id to use as is (it must be visible to the account in the region).
    type: str
  ssm_parameter:
    description:
      - An SSM parameter that holds an AMI id. Used when neither O(image_id) nor O(name_pattern) is given.
      - The default follows O(architecture).
    type: str
  architecture:
    description: Architecture for the default SSM parameter.
    type: str
    choices: [x86_64, arm64]
    default: x86_64
  owners:
    description: Image owners for O(name_pattern) (account ids, or C(amazon), C(self)).
    type: list
    elements: str
    default: [amazon]
  name_pattern:
    description: An image name filter with C(*) wildcards; the most recently created available match wins.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Latest Amazon Linux 2023 (x86_64)
  scaleout.webtier.source_image_info:
  register: source

- name: A given AMI
  scaleout.webtier.source_image_info:
    image_id: ami-0123456789abcdef0

- name: Newest Ubuntu 24.04 from Canonical
  scaleout.webtier.source_image_info:
    owners: ["099720109477"]
    name_pattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
"""

RETURN = r"""
image:
  description: The resolved image.
  returned: always
  type: dict
  contains:
    image_id:
      description: The AMI id.
      type: str
      sample: ami-0870825cefcaafcc8
    name:
      description: The image name.
      type: str
    architecture:
      description: The image architecture.
      type: str
    creation_date:
      description: When the image was created (ISO 8601).
      type: str
    root_device_name:
      description: The root device, for block device mappings.
      type: str
      sample: /dev/xvda
    root_volume_size:
      description: Size in GiB of the root snapshot (the smallest root volume that can be launched).
      type: int
      sample: 8
    root_encrypted:
      description: Whether the root snapshot is encrypted.
      type: bool
    state:
      description: The image state.
      type: str
    tags:
      description: The image's tags.
      type: dict
    source:
      description: How the image was found (C(image_id), C(ssm:<parameter>) or C(filter:<pattern>)).
      type: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import MalformedImageId
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import describe_images
from ansible_collections.scaleout.webtier.plugins.module_utils._images import DEFAULT_SSM
from ansible_collections.scaleout.webtier.plugins.module_utils._images import image_summary
from ansible_collections.scaleout.webtier.plugins.module_utils._images import newest_image
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.parameters import parameter_value


def resolve(module):
    """(source, images found, the message if none is): by image id, by name pattern, or through SSM."""
    params = module.params
    ec2 = client(module, "ec2")
    if params["image_id"]:
        return ("image_id", describe_images(ec2, ImageIds=[params["image_id"]]),
                "image_id=%s: no such image visible to this account in the region" % params["image_id"])
    if params["name_pattern"]:
        images = describe_images(ec2, Owners=params["owners"], Filters=[{"Name": "name", "Values": [params["name_pattern"]]}])
        return ("filter:%s" % params["name_pattern"], images,
                "name_pattern=%s (owners %s): no available image matches" % (params["name_pattern"], ", ".join(params["owners"])))
    name = params["ssm_parameter"] or DEFAULT_SSM % params["architecture"]
    try:
        image_id = parameter_value(client(module, "ssm"), name)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read SSM parameter %s" % name)
    if image_id is None:
        module.fail_json(msg="ssm_parameter=%s: no such parameter in the region" % name)
    return ("ssm:%s" % name, describe_images(ec2, ImageIds=[image_id]),
            "ssm_parameter=%s names %s, which is not visible in the region" % (name, image_id))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            image_id=dict(type="str"),
            ssm_parameter=dict(type="str"),
            architecture=dict(type="str", choices=["x86_64", "arm64"], default="x86_64"),
            owners=dict(type="list", elements="str", default=["amazon"]),
            name_pattern=dict(type="str"),
        ),
        mutually_exclusive=[["image_id", "ssm_parameter", "name_pattern"]],
        supports_check_mode=True,
    )
    try:
        source, images, missing = resolve(module)
    except MalformedImageId as e:
        module.fail_json(msg="image_id=%s: not an AMI id (ami- followed by hex digits)" % e.args[0])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to describe images")
    image = newest_image(images)
    if image is None:
        module.fail_json(msg=missing)
    module.exit_json(changed=False, image=image_summary(image, source))


if __name__ == "__main__":
    main()
