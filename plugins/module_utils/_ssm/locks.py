# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the per-stack lock's SSM parameters (the clients retry, see _aws_clients; the record and
the decisions are in _stack_lock)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.scaleout.webtier.plugins.module_utils._time import response_time


def server_now(client, name):
    """``(value, version, now)`` of a parameter: its value and version (None, None when it does not
    exist) and AWS's time of the answer (the HTTP Date header)."""
    try:
        response = client.get_parameter(Name=name)
    except is_boto3_error_code("ParameterNotFound") as e:
        return None, None, response_time(getattr(e, "response", {}) or {})
    parameter = response["Parameter"]
    return parameter["Value"], parameter.get("Version"), response_time(response)


def create(client, name, value, tags):
    """Create the parameter if it does not exist (PutParameter Overwrite=false, tags in the call);
    True if this call created it, False if it existed."""
    try:
        client.put_parameter(Name=name, Value=value, Type="String", Overwrite=False,
                             Tags=ansible_dict_to_boto3_tag_list(tags or {}),
                             Description="scaleout.webtier: one run of this stack at a time")
    except is_boto3_error_code("ParameterAlreadyExists"):
        return False
    return True


def overwrite(client, name, value):
    """Replace the parameter's value (its tags stay: AWS refuses Tags with Overwrite=true)."""
    client.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def delete(client, name):
    """Delete the parameter; True if it existed."""
    try:
        client.delete_parameter(Name=name)
    except is_boto3_error_code("ParameterNotFound"):
        return False
    return True


def names_under(client, path):
    """The names of every parameter under `path`, at any depth (GetParametersByPath, paginated; AWS
    authorizes it on the path itself)."""
    names = []
    for page in client.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True):
        names.extend(p["Name"] for p in page.get("Parameters", []))
    return names


# DeleteParameters takes at most 10 names per call.
DELETE_BATCH = 10


def delete_many(client, names):
    """Delete `names` (DeleteParameters, 10 at a time); the names that were deleted (a name that
    no longer exists is answered in InvalidParameters, not as an error)."""
    deleted = []
    names = list(names)
    for start in range(0, len(names), DELETE_BATCH):
        response = client.delete_parameters(Names=names[start:start + DELETE_BATCH])
        deleted.extend(response.get("DeletedParameters", []))
    return deleted
