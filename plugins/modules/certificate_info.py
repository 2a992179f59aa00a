#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: certificate_info
short_description: Find out whether ACM holds a certificate, read-only
version_added: 1.0.0
description:
  - Looks up one ACM certificate by its ARN with C(DescribeCertificate) only, so that a load balancer
    stage can refuse a certificate that does not exist before anything is created. Elastic Load
    Balancing would refuse it only at C(CreateListener), after the load balancer exists.
  - Unlike M(community.aws.acm_certificate_info), it reads neither the certificate body nor its tags,
    so the caller needs C(acm:DescribeCertificate) alone.
  - An IAM server certificate ARN is not looked up (that would need C(iam:GetServerCertificate));
    the module says so in RV(checked).
author: scaleout.webtier maintainers (@scaleout)
options:
  arn:
    description: The certificate's ARN.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Does ACM hold the listener's certificate?
  scaleout.webtier.certificate_info:
    arn: arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab
  register: certificate

- name: Refuse a certificate ACM does not hold
  ansible.builtin.assert:
    that: certificate.exists or not certificate.checked
"""

RETURN = r"""
checked:
  description: Whether the certificate was looked up (false for an IAM server certificate).
  returned: always
  type: bool
exists:
  description: Whether ACM holds the certificate (true when not C(checked)).
  returned: always
  type: bool
status:
  description: The certificate's status (C(ISSUED), C(PENDING_VALIDATION), ...), when it exists.
  returned: when exists and checked
  type: str
domain_name:
  description: The certificate's domain name, when it exists.
  returned: when exists and checked
  type: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._acm.certificates import describe_certificate
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws


def main():
    module = AnsibleAWSModule(argument_spec=dict(arn=dict(type="str", required=True)), supports_check_mode=True)
    arn = module.params["arn"]
    if ":acm:" not in arn:
        module.exit_json(changed=False, checked=False, exists=True)
    try:
        certificate = describe_certificate(client(module, "acm"), arn)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to describe the certificate %s" % arn)
    if certificate is None:
        module.exit_json(changed=False, checked=True, exists=False)
    module.exit_json(changed=False, checked=True, exists=True, status=certificate.get("Status"),
                     domain_name=certificate.get("DomainName"))


if __name__ == "__main__":
    main()
