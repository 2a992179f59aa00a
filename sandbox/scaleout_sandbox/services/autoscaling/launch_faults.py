"""Fault hook ``launch_failures``: a group whose every launch fails the way AWS says it fails, in
AWS's words (the StatusMessage of the Failed launch activity).

``POST /_sandbox/faults {"launch_failures": {"web-asg": "kms_key_policy"}}`` makes every launch of
group ``web-asg`` fail with that kind until the fault is cleared (``{"web-asg": null}`` or DELETE).
The kinds and their texts (sources in docs/sandbox.md, "Fault hooks"):

* ``invalid_profile``: ``Value (<profile>) for parameter iamInstanceProfile.name is invalid. Invalid
  IAM Instance Profile name`` (hashicorp/terraform-provider-aws#4769, #27516, #31282).
* ``kms_key_policy``: ``Instance became unhealthy while waiting for instance to be in InService state.
  Termination Reason: Client.InternalError: Client error on launch`` (the EBS volume's customer managed
  key does not grant AWSServiceRoleForAutoScaling; AWS re:Post "kms-launch-ec2-instance"). On AWS the
  instance starts and is terminated at once; here no instance is made (simulated).
* ``launch_template_unauthorized``: ``You are not authorized to use launch template: <lt-id>``
  (community.aws#831, eksctl-io/eksctl#834).
* ``pass_role``: ``User: <service-linked role session> is not authorized to perform: iam:PassRole on
  resource: <role ARN>`` (IAM's refusal wording, as the sandbox's evaluator writes it).
* ``instance_limit``: ``You have requested more instances (<n>) than your current instance limit of
  <m> allows for the specified instance type. ...`` (kubernetes/autoscaler#1263).

Capacity that runs out in one zone is the ``insufficient_capacity`` hook (faults.py), which fails in
RunInstances itself and so also for launches outside groups.
"""

from __future__ import annotations

from typing import Optional

KINDS = ("invalid_profile", "kms_key_policy", "launch_template_unauthorized", "pass_role", "instance_limit")



def _failed(ec2_message: str) -> str:
    """The StatusMessage Auto Scaling makes of the EC2 error of a launch it could not make."""
    return ec2_message.rstrip(".") + ". Launching EC2 instance failed."


def parse(value) -> dict:
    """{group name: kind or None} from a fault document's ``launch_failures``; ValueError when bad."""
    if not isinstance(value, dict):
        raise ValueError("launch_failures must be an object of group name -> kind (or null to clear)")
    for group, kind in value.items():
        if kind is not None and kind not in KINDS:
            raise ValueError(f"launch_failures[{group!r}]: unknown kind {kind!r}; known: {list(KINDS)}")
    return dict(value)


def _template_profile(group) -> dict:
    template = group.ec2_launch_template
    if template is None:
        return {}
    return template.get_version(group.launch_template_version).data.get("IamInstanceProfile") or {}


def _role_arn(group, profile: dict) -> str:
    name = profile.get("Name") or (profile.get("Arn") or "").rsplit("/", 1)[-1]
    try:
        from moto.iam.models import iam_backends

        roles = iam_backends[group.account_id]["global"].get_instance_profile(name).roles
        return roles[0].arn
    except Exception:  # noqa: BLE001 - the profile or its role may be gone: name the profile's role path
        return f"arn:aws:iam::{group.account_id}:role/{name or 'unknown'}"


def refusal(engine, group, live_count: int) -> Optional[str]:
    """The StatusMessage of this group's launch when a launch fault is set for it, else None."""
    kind = engine.faults.launch_failure(group.name)
    if kind is None:
        return None
    if kind == "invalid_profile":
        profile = _template_profile(group)
        if profile.get("Arn") and not profile.get("Name"):
            return _failed(f"Value ({profile['Arn']}) for parameter iamInstanceProfile.arn is invalid. "
                           "Invalid IAM Instance Profile ARN")
        return _failed(f"Value ({profile.get('Name', '')}) for parameter iamInstanceProfile.name is invalid. "
                       "Invalid IAM Instance Profile name")
    if kind == "kms_key_policy":
        return ("Instance became unhealthy while waiting for instance to be in InService state. "
                "Termination Reason: Client.InternalError: Client error on launch")
    if kind == "launch_template_unauthorized":
        template = group.ec2_launch_template
        return _failed(f"You are not authorized to use launch template: {template.id if template else group.name}")
    if kind == "pass_role":
        return _failed(f"User: arn:aws:sts::{group.account_id}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling is not "
                       f"authorized to perform: iam:PassRole on resource: {_role_arn(group, _template_profile(group))}")
    return _failed(f"You have requested more instances ({live_count + 1}) than your current instance limit of {live_count} "
                   "allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to "
                   "request an adjustment to this limit.")
