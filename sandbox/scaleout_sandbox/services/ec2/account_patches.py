"""Account-level EC2 settings that preflight reads, as AWS answers them.

* **The default VPC** has an internet gateway and a ``0.0.0.0/0`` route to it in its main route table
  (EC2/VPC User Guide, "Default VPCs": "Create an internet gateway and connect it to your default
  VPC. Add a route to the main route table that points all traffic (0.0.0.0/0) to the internet
  gateway"); moto's has neither.
* **EBS encryption by default, its key** (``GetEbsDefaultKmsKeyId`` and ``ResetEbsDefaultKmsKeyId``,
  which moto lacks; moto's ``ModifyEbsDefaultKmsKeyId`` sets it): until an account sets a key, AWS
  answers the ARN of the alias ``alias/aws/ebs`` (EC2 API Reference, GetEbsDefaultKmsKeyId; EBS User Guide, "Encryption
  by default").
* **The default credit option of a burstable family** (``GetDefaultCreditSpecification``, which moto
  lacks): T2 ``standard``, T3/T3a/T4g ``unlimited`` unless the account made standard their default
  (the sandbox's switch ``t3_standard_by_default``; EC2 User Guide, "Set the default credit
  specification for the account").
"""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.registry import patch

BURSTABLE_FAMILIES = ("t2", "t3", "t3a", "t4g")


@patch("moto.ec2.models.vpcs", "VPCBackend", "create_default_vpc")
def create_default_vpc(_engine, original):
    def create_default_vpc(self):
        vpc = original(self)
        gateway = self.create_internet_gateway()
        self.attach_internet_gateway(gateway.id, vpc.id)
        main = next(t for t in self.route_tables.values() if t.vpc_id == vpc.id and t.main_association_id)
        self.create_route(main.id, "0.0.0.0/0", gateway_id=gateway.id)
        return vpc

    return create_default_vpc


def default_key_arn(account_id: str, region: str, partition: str = "aws") -> str:
    return f"arn:{partition}:kms:{region}:{account_id}:alias/aws/ebs"


def _aws_managed_key_arn(backend):
    """The ARN of the key behind alias/aws/ebs, if KMS has made it (None otherwise)."""
    from moto.kms.models import kms_backends

    kms = kms_backends[backend.account_id][backend.region_name]
    return kms.describe_key("alias/aws/ebs").arn if kms.alias_exists("alias/aws/ebs") else None


@patch("moto.ec2.responses.settings", "Settings", "get_ebs_default_kms_key_id", adds=True)
def get_ebs_default_kms_key_id(_engine, _original):
    from moto.utilities.utils import get_partition

    def get_ebs_default_kms_key_id(self):
        # moto's ModifyEbsDefaultKmsKeyId keeps the key's ARN in default_kms_key_id ("" until set,
        # the aws/ebs key's ARN once a volume was encrypted without a key): AWS names the AWS managed
        # key by its alias ARN.
        self.error_on_dryrun()
        backend = self.ec2_backend
        key = backend.default_kms_key_id
        if not key or key == _aws_managed_key_arn(backend):
            key = default_key_arn(backend.account_id, backend.region_name, get_partition(backend.region_name))
        return ActionResult({"KmsKeyId": key})

    return get_ebs_default_kms_key_id


@patch("moto.ec2.responses.settings", "Settings", "reset_ebs_default_kms_key_id", adds=True)
def reset_ebs_default_kms_key_id(_engine, _original):
    from moto.utilities.utils import get_partition

    def reset_ebs_default_kms_key_id(self):
        self.error_on_dryrun()
        backend = self.ec2_backend
        backend.default_kms_key_id = ""
        return ActionResult({"KmsKeyId": default_key_arn(backend.account_id, backend.region_name,
                                                          get_partition(backend.region_name))})

    return reset_ebs_default_kms_key_id


@patch("moto.ec2.responses.settings", "Settings", "get_default_credit_specification", adds=True)
def get_default_credit_specification(engine, _original):
    from moto.ec2.exceptions import InvalidParameterValueError

    def get_default_credit_specification(self):
        self.error_on_dryrun()
        family = self._get_param("InstanceFamily")
        if family not in BURSTABLE_FAMILIES:
            raise InvalidParameterValueError(
                f"Value ({family}) for parameter instanceFamily is invalid. Expected one of {list(BURSTABLE_FAMILIES)}")
        mode = "standard" if family == "t2" or engine.delays.t3_standard_by_default else "unlimited"
        return ActionResult({"InstanceFamilyCreditSpecification": {"InstanceFamily": family, "CpuCredits": mode}})

    return get_default_credit_specification
