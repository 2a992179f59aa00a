# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: launch templates - the data the launch_template module writes and how it compares with a
version AWS describes (pure; stack_plan's plan compares the same way), and the calls (the clients
retry, see _aws_clients).

Idempotency: CreateLaunchTemplate and CreateLaunchTemplateVersion take a ``ClientToken``; "if you
repeat the request with the same client token, the same response is returned", with other
parameters "IdempotentParameterMismatch" (EC2 API Reference, "Ensuring idempotency"). botocore fills
in a random token when none is given, which covers its own retries of one call only; ``client_token``
derives it from what is created, so that a repeat by another process (a task retried, the next run
while DescribeLaunchTemplates does not see the new template yet) gets the same template or version
instead of AlreadyExists or a second version.
"""

import base64
import hashlib
import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

# EC2's limit is 128 ASCII characters for these actions; 64 is RunInstances' and fits every EC2 action.
CLIENT_TOKEN_LENGTH = 64
# IMDSv2 only, one hop: a container on the instance cannot reach the metadata (and its credentials).
METADATA_OPTIONS = {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1,
                    "HttpProtocolIpv6": "disabled", "InstanceMetadataTags": "disabled"}


def template_data(settings):
    """The LaunchTemplateData of the settings (pure). ``settings``: image_id, instance_type,
    key_name, security_group_ids, instance_profile (a name or an ARN), user_data (plain text),
    detailed_monitoring, cpu_credits (empty: not set), root_device_name, volume_size, volume_type,
    kms_key_id, instance_tags (on the instances and their volumes)."""
    ebs = {"VolumeSize": int(settings["volume_size"]), "VolumeType": settings["volume_type"], "Encrypted": True}
    if settings.get("kms_key_id"):
        ebs["KmsKeyId"] = settings["kms_key_id"]
    ebs["DeleteOnTermination"] = True
    data = {
        "BlockDeviceMappings": [{"DeviceName": settings["root_device_name"], "Ebs": ebs}],
        "ImageId": settings["image_id"],
        "InstanceType": settings["instance_type"],
        "MetadataOptions": dict(METADATA_OPTIONS),
        "Monitoring": {"Enabled": bool(settings["detailed_monitoring"])},
        "SecurityGroupIds": list(settings["security_group_ids"]),
    }
    if settings.get("cpu_credits"):
        data["CreditSpecification"] = {"CpuCredits": settings["cpu_credits"]}
    if settings.get("key_name"):
        data["KeyName"] = settings["key_name"]
    if settings.get("user_data"):
        data["UserData"] = base64.b64encode(settings["user_data"].encode("utf-8")).decode("ascii")
    profile = settings.get("instance_profile")
    if profile:
        # By name: no GetInstanceProfile to resolve it (EC2 takes either, RequestLaunchTemplateData).
        data["IamInstanceProfile"] = {"Arn": profile} if profile.startswith("arn:") else {"Name": profile}
    tags = ansible_dict_to_boto3_tag_list(settings.get("instance_tags") or {})
    if tags:
        data["TagSpecifications"] = [{"ResourceType": kind, "Tags": tags} for kind in ("instance", "volume")]
    return data


def _profile_name(profile):
    """The name of an IamInstanceProfile given by name or ARN (arn:...:instance-profile/path/name)."""
    return (profile or {}).get("Name") or ((profile or {}).get("Arn") or "").rsplit("/", 1)[-1]


def _comparable(key, value):
    if key == "IamInstanceProfile":
        # A profile given by ARN (earlier versions) is the same profile as by its name.
        return _profile_name(value)
    if key == "TagSpecifications":
        return sorted((s.get("ResourceType"), sorted((t["Key"], t["Value"]) for t in s.get("Tags") or [])) for s in value or [])
    if key == "SecurityGroupIds":
        return sorted(value or [])
    return value


def data_changes(now, wanted):
    """'Key: now -> wanted' lines where a version's LaunchTemplateData differs from the wanted (pure)."""
    changes = []
    for key in sorted(set(now) | set(wanted)):
        if key not in wanted:
            changes.append("%s: %s -> (not set)" % (key, now[key]))
        elif key not in now:
            changes.append("%s: (not set) -> %s" % (key, wanted[key]))
        elif _comparable(key, now[key]) != _comparable(key, wanted[key]):
            changes.append("%s: %s -> %s" % (key, now[key], wanted[key]))
    return changes


def version_changes(version, data, description):
    """What differs between a described version and the wanted data and description (pure)."""
    changes = data_changes((version or {}).get("LaunchTemplateData") or {}, data)
    if ((version or {}).get("VersionDescription") or "") != (description or ""):
        changes.append("version description: %s -> %s" % ((version or {}).get("VersionDescription"), description))
    return changes


def new_tags(current, wanted):
    """The wanted tags missing or different on the template; others are kept (pure)."""
    return dict((k, str(v)) for k, v in (wanted or {}).items() if current.get(k) != str(v))


def decide(found, data, description):
    """What makes the latest version the wanted one and the default (pure; as
    amazon.aws.ec2_launch_template's default_version latest did): ``("create", [])`` when there is no
    template, ``("none", [])`` when the latest version is as wanted and the default,
    ``("set_default", changes)`` when it is as wanted but the default is another (moved back), else
    ``("new_version", changes)`` (the differences from the latest version)."""
    if found is None:
        return "create", []
    template = found["template"]
    default, latest = template["DefaultVersionNumber"], template["LatestVersionNumber"]
    changes = version_changes(found["latest"], data, description)
    if not changes:
        if default == latest:
            return "none", []
        return "set_default", ["default version: %s -> %s (the latest, as wanted)" % (default, latest)]
    return "new_version", changes + ["default version: %s -> a new version" % default]


def client_token(*parts):
    """A ClientToken that is the same for the same request (pure): the SHA-256 of the parts."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CLIENT_TOKEN_LENGTH]


# ------------------------------------------------------------------------------------- AWS calls


def find_template(client, name):
    """{"template", "latest", "default"} (DescribeLaunchTemplates, then the two versions in one
    DescribeLaunchTemplateVersions call), or None when no template has that name."""
    try:
        templates = client.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"]
    except is_boto3_error_code("InvalidLaunchTemplateName.NotFoundException"):
        return None
    if not templates:
        return None
    template = templates[0]
    versions = client.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                        Versions=["$Latest", "$Default"])["LaunchTemplateVersions"]
    by_number = dict((v["VersionNumber"], v) for v in versions)
    return {"template": template, "latest": by_number.get(template["LatestVersionNumber"], {}),
            "default": by_number.get(template["DefaultVersionNumber"], {})}


def create_template(client, name, description, data, tags):
    """The new template (CreateLaunchTemplate's LaunchTemplate), tagged in the call; its ClientToken
    is derived from the name, the data, the description and the tags."""
    params = dict(LaunchTemplateName=name, VersionDescription=description, LaunchTemplateData=data,
                  ClientToken=client_token("CreateLaunchTemplate", name, description, data, tags))
    if tags:
        params["TagSpecifications"] = [{"ResourceType": "launch-template", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
    return client.create_launch_template(**params)["LaunchTemplate"]


def create_version(client, template, description, data):
    """The new version's number; its ClientToken is derived from the template's id, the version it
    follows (a later change of the same data is another request), the data and the description."""
    token = client_token("CreateLaunchTemplateVersion", template["LaunchTemplateId"], template["LatestVersionNumber"],
                         description, data)
    return client.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"], VersionDescription=description,
                                                 LaunchTemplateData=data, ClientToken=token)["LaunchTemplateVersion"]["VersionNumber"]


def set_default_version(client, template_id, number):
    client.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(number))


def set_tags(client, template_id, tags):
    client.create_tags(Resources=[template_id], Tags=ansible_dict_to_boto3_tag_list(tags))
