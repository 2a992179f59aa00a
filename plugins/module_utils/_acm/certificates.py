# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: ACM certificates (the clients retry, see _aws_clients)."""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule


def describe_certificate(client, arn):
    """The certificate's description (DescribeCertificate), or None when ACM does not hold it."""
    try:
        return client.describe_certificate(CertificateArn=arn)["Certificate"]
    except botocore.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
