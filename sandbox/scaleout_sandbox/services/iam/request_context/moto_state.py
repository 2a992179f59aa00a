"""The sandbox's resources as the request tables read them (tags at the moment of the call, paths,
defaults), from moto's backends. Every lookup answers "nothing" for a resource that does not exist
(the call then fails as moto answers it, after authorization)."""

from __future__ import annotations

import functools
from typing import Optional

from ....core.backends import ec2_backend, elbv2_backend


def _quiet(default):
    def wrap(lookup):
        @functools.wraps(lookup)
        def safe(*args, **kwargs):
            try:
                return lookup(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a missing resource or a shape moto changed: nothing known
                return default() if callable(default) else default
        return safe
    return wrap


def _tag_dict(tags) -> dict:
    if isinstance(tags, dict):
        return {k: (v.get("Value") if isinstance(v, dict) else v) for k, v in tags.items()}
    return {t["Key"]: t.get("Value", "") for t in tags or [] if isinstance(t, dict) and "Key" in t}


class MotoState:
    def __init__(self, account: str, partition: str = "aws"):
        self.account, self.partition = account, partition

    def _iam(self):
        from moto.iam.models import iam_backends

        return iam_backends[self.account][self.partition]

    # ---------------------------------------------------------------- EC2

    @_quiet(dict)
    def ec2_tags(self, region: str, resource_id: str) -> dict:
        return dict(ec2_backend(self.account, region).tags.get(resource_id, {}))

    @_quiet(None)
    def default_vpc(self, region: str) -> Optional[str]:
        return ec2_backend(self.account, region).get_default_vpc().id

    @_quiet(None)
    def default_subnet(self, region: str) -> Optional[str]:
        backend = ec2_backend(self.account, region)
        vpc = backend.get_default_vpc()
        for subnets in backend.subnets.values():
            for subnet in subnets.values():
                if subnet.vpc_id == vpc.id and subnet.default_for_az:
                    return subnet.id
        return None

    @_quiet(None)
    def subnet_vpc(self, region: str, subnet_id: str) -> Optional[str]:
        return ec2_backend(self.account, region).get_subnet(subnet_id).vpc_id

    @_quiet(None)
    def security_group_id(self, region: str, name: str, vpc_id: Optional[str]) -> Optional[str]:
        return ec2_backend(self.account, region).get_security_group_from_name(name, vpc_id).id

    def default_security_group(self, region: str, vpc_id: Optional[str]) -> Optional[str]:
        return self.security_group_id(region, "default", vpc_id)

    @_quiet(None)
    def launch_template(self, region: str, template_id=None, name=None, version=None) -> Optional[dict]:
        backend = ec2_backend(self.account, region)
        template = backend.get_launch_template(template_id) if template_id else backend.get_launch_template_by_name(name)
        chosen = template.get_version(version) if version not in (None, "", "$Default") else template.default_version()
        return {"id": template.id, "tags": self.ec2_tags(region, template.id), "data": chosen.data}

    # ---------------------------------------------------------------- ELB, Auto Scaling

    @_quiet(dict)
    def elb_tags(self, region: str, arn: str) -> dict:
        return dict(elbv2_backend(self.account, region).describe_tags([arn]).get(arn) or {})

    @_quiet(None)
    def autoscaling_group(self, region: str, name: str) -> Optional[dict]:
        from moto.autoscaling.models import autoscaling_backends

        group = autoscaling_backends[self.account][region].autoscaling_groups[name]
        return {"arn": group.arn, "tags": _tag_dict(group.tags)}

    # ---------------------------------------------------------------- IAM

    @_quiet(None)
    def iam_role(self, name: str) -> Optional[dict]:
        role = self._iam().get_role(name)
        return {"arn": role.arn, "tags": _tag_dict(role.tags)}

    @_quiet(None)
    def instance_profile(self, name: str) -> Optional[dict]:
        profile = self._iam().get_instance_profile(name)
        return {"arn": profile.arn, "tags": _tag_dict(profile.tags), "roles": [r.arn for r in profile.roles]}

    @_quiet(list)
    def instance_profile_roles(self, name_or_arn: str) -> list:
        iam = self._iam()
        profile = (iam.get_instance_profile_by_arn(name_or_arn) if name_or_arn.startswith("arn:")
                   else iam.get_instance_profile(name_or_arn))
        return [role.arn for role in profile.roles]
