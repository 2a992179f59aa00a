# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: SSM parameters (the clients retry, see _aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def parameter_value(client, name):
    """The value of a parameter, or None when it does not exist."""
    try:
        return client.get_parameter(Name=name)["Parameter"]["Value"]
    except is_boto3_error_code("ParameterNotFound"):
        return None
