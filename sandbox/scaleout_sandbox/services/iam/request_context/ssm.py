"""Systems Manager: each operation's resources and condition keys (Service Authorization Reference,
list_awssystemsmanager).

* ``SendCommand`` is authorized on the document - AWS's own documents (``AWS-*``) have no account in
  their ARN: ``arn:aws:ssm:<region>::document/AWS-RunShellScript`` - and on each instance of
  ``InstanceIds`` (the EC2 instance ARN, with ``ssm:resourceTag/*`` and ``aws:ResourceTag/*`` = the
  instance's tags). With ``Targets`` instead of ``InstanceIds`` the instances are not known before
  the call: ``instance/*`` without resource tags (not mapped precisely).
* ``GetParameter``, ``PutParameter``, ``DeleteParameter``: ``parameter/<name without leading
  slash>``; AWS's public parameters (``/aws/service/...``) have no account in their ARN.
  ``PutParameter`` with ``Tags`` also needs ``ssm:AddTagsToResource`` on the parameter (AWS
  CloudFormation User Guide, AWS::SSM::Parameter: "To create an SSM parameter, you must have the
  IAM permissions ssm:PutParameter and ssm:AddTagsToResource").
* ``DeleteParameters``: each parameter of ``Names``.
* ``GetParametersByPath``: the path in the request (``parameter/<path without leading slash>``), not
  the parameters it returns ("How Parameter Store authorizes parameter retrieval",
  https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html:
  "GetParametersByPath ... authorizes against the path in the request rather than against the
  parameters it returns").
"""

from __future__ import annotations

from .common import Call, items


def send_command(call: Call) -> None:
    document = call.param("DocumentName") or ""
    account = "" if document.startswith("AWS-") or document.startswith("Amazon") else call.account
    call.check(f"arn:{call.partition}:ssm:{call.region}:{account}:document/{document}")
    instance_ids = items(call.param("InstanceIds"))
    if not instance_ids and call.param("Targets"):
        call.check(call.arn("instance", service="ec2"))
    for instance_id in instance_ids:
        call.check(call.arn("instance", service="ec2", InstanceId=instance_id),
                   resource_tags=call.state.ec2_tags(call.region, instance_id))


def _parameter_arn(call: Call, name: str | None = None) -> str:
    name = ((call.param("Name") if name is None else name) or "").lstrip("/")
    account = "" if name.startswith("aws/") else call.account
    return f"arn:{call.partition}:ssm:{call.region}:{account}:parameter/{name}"


def get_parameter(call: Call) -> None:
    call.check(_parameter_arn(call))


def put_parameter(call: Call) -> None:
    arn = _parameter_arn(call)
    tags = {t["Key"]: t.get("Value", "") for t in items(call.param("Tags"))}
    call.check(arn, request_tags=tags)
    if tags:
        call.check(arn, request_tags=tags, action="ssm:AddTagsToResource", reason="tags given at PutParameter")


def delete_parameter(call: Call) -> None:
    call.check(_parameter_arn(call))


def delete_parameters(call: Call) -> None:
    for name in items(call.param("Names")):
        call.check(_parameter_arn(call, name))


def get_parameters_by_path(call: Call) -> None:
    call.check(_parameter_arn(call, (call.param("Path") or "").rstrip("/")))


TABLE = {
    "SendCommand": send_command,
    "GetParameter": get_parameter,
    "PutParameter": put_parameter,
    "DeleteParameter": delete_parameter,
    "DeleteParameters": delete_parameters,
    "GetParametersByPath": get_parameters_by_path,
}
