# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: IAM roles (global; the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def roles_with_tags(client, path_prefix):
    """[(role, tags)] for every role under path_prefix (one ListRoleTags call per role)."""
    roles = paginate(client, "list_roles", PathPrefix=path_prefix)["Roles"]
    return [(role, client.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])) for role in roles]


def find_role(client, name):
    """{"role": GetRole's role (with its tags), "policies": [attached managed policy ARNs]}, or None."""
    try:
        role = client.get_role(RoleName=name)["Role"]
    except client.exceptions.NoSuchEntityException:
        return None
    attached = paginate(client, "list_attached_role_policies", RoleName=name)["AttachedPolicies"]
    return {"role": role, "policies": [p["PolicyArn"] for p in attached]}


def find_instance_profile(client, name):
    """GetInstanceProfile's profile (with its roles and tags), or None."""
    try:
        return client.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    except client.exceptions.NoSuchEntityException:
        return None


def _tag_list(tags):
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def tags_of(resource):
    return dict((t["Key"], t["Value"]) for t in resource.get("Tags", []))


def create_role(client, name, path, description, trust_policy, tags):
    """The new role; its tags go in the CreateRole call itself."""
    params = dict(RoleName=name, Path=path, AssumeRolePolicyDocument=trust_policy, Description=description)
    if tags:
        params["Tags"] = _tag_list(tags)
    return client.create_role(**params)["Role"]


def attach_policy(client, name, arn):
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


def detach_policy(client, name, arn):
    client.detach_role_policy(RoleName=name, PolicyArn=arn)


def tag_role(client, name, tags):
    client.tag_role(RoleName=name, Tags=_tag_list(tags))


def create_instance_profile(client, name, path, tags):
    params = dict(InstanceProfileName=name, Path=path)
    if tags:
        params["Tags"] = _tag_list(tags)
    return client.create_instance_profile(**params)["InstanceProfile"]


def add_role_to_profile(client, profile, role):
    client.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)


def remove_role_from_profile(client, profile, role):
    client.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)


def tag_instance_profile(client, name, tags):
    client.tag_instance_profile(InstanceProfileName=name, Tags=_tag_list(tags))
