"""IAM: each operation's resources and condition keys (Service Authorization Reference,
list_awsidentityandaccessmanagementiam).

* A role or instance profile ARN holds its path: ``role/scaleout/NAME``. A create call uses the
  ``Path`` it is given (default ``/``). A call naming only ``RoleName``/``InstanceProfileName`` uses
  the existing entity's path; when it does not exist, the ARN without a path (``role/NAME``): AWS
  does not document this case (its refusals then name ``role NAME``, not an ARN), and this is the
  stricter reading - a policy scoped to ``role/scaleout/*`` must not rely on a missing role
  matching it.
* ``Tags`` on CreateRole/CreateInstanceProfile are ``aws:RequestTag/*`` keys and cost an
  ``iam:TagRole``/``iam:TagInstanceProfile`` check on the new entity.
* ``AddRoleToInstanceProfile`` costs ``iam:PassRole`` on the role (IAM API Reference: "The caller of
  this operation must be granted the PassRole permission on the IAM role"), with
  ``iam:PassedToService`` = ec2.amazonaws.com and ``iam:AssociatedResourceArn`` =
  ``arn:aws:ec2:*:<account>:instance/*`` (the value that page says the check sees).
* ``AttachRolePolicy``/``DetachRolePolicy`` set ``iam:PolicyARN``; ``CreateServiceLinkedRole`` sets
  ``iam:AWSServiceName`` and is authorized on ``role/aws-service-role/<service>/<role name>``.
* ``SimulatePrincipalPolicy`` is authorized on the simulated user or role (``PolicySourceArn``).
"""

from __future__ import annotations

from .common import Call, tags_of

# The service-linked role each service creates (IAM User Guide, "AWS services that work with IAM").
SERVICE_LINKED_ROLES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
}


def _with_path(path, name) -> str:
    path = path or "/"
    return f"{path.strip('/')}/{name}" if path.strip("/") else f"{name}"


def role_arn(call: Call, name) -> tuple:
    """(ARN, tags) of the role named `name` (path of the existing role; none when missing)."""
    role = call.state.iam_role(name) if name else None
    if role:
        return role["arn"], role["tags"]
    return call.arn("role", region="", RoleNameWithPath=name), {}


def profile_arn(call: Call, name) -> tuple:
    profile = call.state.instance_profile(name) if name else None
    if profile:
        return profile["arn"], profile["tags"]
    return call.arn("instance-profile", region="", InstanceProfileNameWithPath=name), {}


def role(call: Call) -> None:
    arn, tags = role_arn(call, call.param("RoleName"))
    keys = {"iam:PolicyARN": call.param("PolicyArn")} if call.param("PolicyArn") else {}
    call.check(arn, resource_tags=tags, request_tags=tags_of(call.param("Tags")), **keys)


def instance_profile(call: Call) -> None:
    arn, tags = profile_arn(call, call.param("InstanceProfileName"))
    call.check(arn, resource_tags=tags, request_tags=tags_of(call.param("Tags")))


def add_role_to_instance_profile(call: Call) -> None:
    instance_profile(call)
    arn, _ = role_arn(call, call.param("RoleName"))
    call.pass_role([arn], **{"iam:AssociatedResourceArn": f"arn:{call.partition}:ec2:*:{call.account}:instance/*"})


def create_role(call: Call) -> None:
    arn = call.arn("role", region="", RoleNameWithPath=_with_path(call.param("Path"), call.param("RoleName")))
    tags = tags_of(call.param("Tags"))
    call.check(arn, request_tags=tags)
    call.tag_on_create("iam:TagRole", arn, tags)


def create_instance_profile(call: Call) -> None:
    name = _with_path(call.param("Path"), call.param("InstanceProfileName"))
    arn = call.arn("instance-profile", region="", InstanceProfileNameWithPath=name)
    tags = tags_of(call.param("Tags"))
    call.check(arn, request_tags=tags)
    call.tag_on_create("iam:TagInstanceProfile", arn, tags)


def create_service_linked_role(call: Call) -> None:
    service = call.param("AWSServiceName") or ""
    name = SERVICE_LINKED_ROLES.get(service, "*")
    arn = call.arn("role", region="", RoleNameWithPath=f"aws-service-role/{service}/{name}")
    call.check(arn, **{"iam:AWSServiceName": service})


def simulate_principal_policy(call: Call) -> None:
    # Authorized on the user or role whose policies are simulated.
    call.check(call.param("PolicySourceArn") or "*")


TABLE = {
    "SimulatePrincipalPolicy": simulate_principal_policy,
    "CreateRole": create_role,
    "CreateInstanceProfile": create_instance_profile,
    "CreateServiceLinkedRole": create_service_linked_role,
    "AddRoleToInstanceProfile": add_role_to_instance_profile,
    "RemoveRoleFromInstanceProfile": instance_profile,
    "DeleteInstanceProfile": instance_profile,
    "GetInstanceProfile": instance_profile,
    "DeleteRole": role,
    "GetRole": role,
    "ListAttachedRolePolicies": role,
    "ListInstanceProfilesForRole": role,
    "ListRolePolicies": role,
    "ListRoleTags": role,
    "TagRole": role,
    "TagInstanceProfile": instance_profile,
    "AttachRolePolicy": role,
    "DetachRolePolicy": role,
}
