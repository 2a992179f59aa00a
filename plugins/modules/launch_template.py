#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: launch_template
short_description: Create a launch template, or make a new default version when its data changes, with idempotent creates
version_added: 1.0.0
description:
  - Finds the launch template O(name) with its default and latest versions (C(DescribeLaunchTemplates),
    C(DescribeLaunchTemplateVersions)) and compares the latest version with the wanted launch data and
    O(version_description); a version that names the same instance profile by its ARN counts as the same.
  - No template - C(CreateLaunchTemplate), tagged in the call (O(tags) on the template, O(instance_tags) on
    its instances and their volumes). The latest version as wanted and the default - no write. As wanted
    but not the default (the default was moved back) - C(ModifyLaunchTemplate) makes it the default.
    Otherwise - C(CreateLaunchTemplateVersion), then C(ModifyLaunchTemplate) makes the new version the default.
  - Both creates send a C(ClientToken) derived from what they create, so a create repeated after a lost
    answer (by botocore, a retried task or the next run) returns the same template or version instead of
    failing with C(AlreadyExists) or leaving a second version (EC2 API Reference, Ensuring idempotency).
  - The data - O(image_id), O(instance_type), O(key_name), O(security_group_ids), O(instance_profile) (by
    name, or by ARN), O(user_data), IMDSv2 required with a hop limit of 1, O(detailed_monitoring), the CPU
    credit mode O(cpu_credits), one encrypted EBS root volume (O(root_device_name), O(volume_size),
    O(volume_type), O(kms_key_id)), and O(instance_tags).
  - Tags in O(tags) missing or different on the template are set (C(CreateTags)); other tags are kept.
  - Made for the collection's converge - two reads when nothing changes, one create on a first run - where
    M(amazon.aws.ec2_launch_template) reads the template again after a create (and fails while EC2 does not
    describe it yet), resolves the instance profile and reads the tags.
  - Supports check mode and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The template's name.
    type: str
    required: true
  version_description:
    description: The description of the version made (a different one makes a new version).
    type: str
    default: ""
  image_id:
    description: The AMI.
    type: str
    required: true
  instance_type:
    description: The instance type.
    type: str
    required: true
  key_name:
    description: An EC2 key pair; empty for none.
    type: str
    default: ""
  security_group_ids:
    description: The instances' security groups.
    type: list
    elements: str
    required: true
  instance_profile:
    description: The instances' IAM instance profile, by name or ARN; empty for none.
    type: str
    default: ""
  user_data:
    description: User data as plain text (base64-encoded here); empty for none.
    type: str
    default: ""
  detailed_monitoring:
    description: 1-minute CloudWatch metrics of the instances.
    type: bool
    default: true
  cpu_credits:
    description: CPU credit mode (C(standard) or C(unlimited)) for burstable instance types; empty leaves it unset.
    type: str
    default: ""
  root_device_name:
    description: The image's root device name (for example C(/dev/xvda)).
    type: str
    required: true
  volume_size:
    description: Root volume size in GiB.
    type: int
    required: true
  volume_type:
    description: Root volume type.
    type: str
    default: gp3
  kms_key_id:
    description: KMS key of the encrypted root volume; empty for the account's default EBS key.
    type: str
    default: ""
  instance_tags:
    description: Tags of the instances and their volumes (the version's C(TagSpecifications)).
    type: dict
    default: {}
  tags:
    description: Tags of the template itself, given in C(CreateLaunchTemplate).
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The web tier's launch template
  scaleout.webtier.launch_template:
    name: demo-web
    version_description: demo web tier instances
    image_id: ami-0123456789abcdef0
    instance_type: t3.micro
    security_group_ids: [sg-0123456789abcdef0]
    instance_profile: demo-web
    cpu_credits: unlimited
    root_device_name: /dev/xvda
    volume_size: 8
    instance_tags:
      Name: demo-web
      scaleout:stack: demo
    tags:
      scaleout:stack: demo
  register: template
"""

RETURN = r"""
template:
  description: The template (empty in check mode when it would be created).
  returned: always
  type: dict
  contains:
    launch_template_id:
      description: The template's id.
      type: str
    launch_template_name:
      description: The template's name.
      type: str
  sample: {"launch_template_id": "lt-0123456789abcdef0", "launch_template_name": "demo-web"}
default_version:
  description: The default version's number after the run (in check mode, the current one; empty when the template would be created).
  returned: always
  type: str
  sample: "2"
changes:
  description: What was (or in check mode would have been) changed, one line each.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import launch_templates as lt
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws

SETTINGS = ("image_id", "instance_type", "key_name", "security_group_ids", "instance_profile", "user_data", "detailed_monitoring",
            "cpu_credits", "root_device_name", "volume_size", "volume_type", "kms_key_id", "instance_tags")


def described(version):
    """A version for the diff: its data and description."""
    return {"version": version.get("VersionNumber"), "description": version.get("VersionDescription", ""),
            "data": version.get("LaunchTemplateData") or {}}


def present(module, ec2):
    p, name = module.params, module.params["name"]
    data = lt.template_data(dict((key, p[key]) for key in SETTINGS))
    description, wanted_tags = p["version_description"], dict((k, str(v)) for k, v in p["tags"].items())
    found = lt.find_template(ec2, name)
    action, changes = lt.decide(found, data, description)
    after = {"description": description, "data": data, "tags": wanted_tags}
    if action == "create":
        diff = {"before": {}, "after": after}
        if module.check_mode:
            module.exit_json(changed=True, template={}, default_version="", changes=["create %s" % name], diff=diff,
                             msg="would have created launch template %s" % name)
        template = lt.create_template(ec2, name, description, data, wanted_tags)
        module.exit_json(changed=True, template=dict(launch_template_id=template["LaunchTemplateId"], launch_template_name=name),
                         default_version=str(template["DefaultVersionNumber"]), changes=["create %s" % name], diff=diff)

    template = found["template"]
    template_id, default = template["LaunchTemplateId"], template["DefaultVersionNumber"]
    current_tags = boto3_tag_list_to_ansible_dict(template.get("Tags") or [])
    tags = lt.new_tags(current_tags, wanted_tags)
    changes += ["tag %s: %s -> %s" % (k, current_tags.get(k, "(none)"), v) for k, v in sorted(tags.items())]
    before = dict(described(found["default"]), tags=current_tags)
    after = dict(after, tags=dict(current_tags, **tags))
    if changes and not module.check_mode:
        if action == "set_default":
            default = template["LatestVersionNumber"]
            lt.set_default_version(ec2, template_id, default)
        elif action == "new_version":
            default = lt.create_version(ec2, template, description, data)
            lt.set_default_version(ec2, template_id, default)
        if tags:
            lt.set_tags(ec2, template_id, tags)
    result = dict(changed=bool(changes), template=dict(launch_template_id=template_id, launch_template_name=name),
                  default_version=str(default), changes=changes, diff={"before": before, "after": after})
    if changes and module.check_mode:
        result["msg"] = "would have updated launch template %s: %s" % (name, "; ".join(changes))
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            version_description=dict(type="str", default=""),
            image_id=dict(type="str", required=True),
            instance_type=dict(type="str", required=True),
            key_name=dict(type="str", default="", no_log=False),
            security_group_ids=dict(type="list", elements="str", required=True),
            instance_profile=dict(type="str", default=""),
            user_data=dict(type="str", default=""),
            detailed_monitoring=dict(type="bool", default=True),
            cpu_credits=dict(type="str", default=""),
            root_device_name=dict(type="str", required=True),
            volume_size=dict(type="int", required=True),
            volume_type=dict(type="str", default="gp3"),
            kms_key_id=dict(type="str", default="", no_log=False),
            instance_tags=dict(type="dict", default={}),
            tags=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    ec2 = client(module, "ec2")
    try:
        present(module, ec2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage launch template %s" % module.params["name"])


if __name__ == "__main__":
    main()
