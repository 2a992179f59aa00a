"""EC2 parameter validation as AWS does it, for the calls the pipeline makes (moto accepts these
values): security group names (CreateSecurityGroup), image names (CreateImage), launch template
names (CreateLaunchTemplate) and instance types (RunInstances). Each rule cites its AWS source in
docs/sandbox.md, "Parameter validation"; the product refuses the same values before any call
(plugins/module_utils/_validation.py)."""

from __future__ import annotations

import re

from ...core.registry import patch

# CreateSecurityGroup GroupName: "Up to 255 characters in length. Can't start with sg-. Valid
# characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*" (EC2 API reference).
SECURITY_GROUP_NAME_RE = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}$")
# CreateImage Name: "3-128 alphanumeric characters, parentheses (()), square brackets ([]), spaces
# ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), or underscores(_)".
IMAGE_NAME_RE = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")
# CreateLaunchTemplate LaunchTemplateName: 3-128 characters, pattern [a-zA-Z0-9\(\)\.\-/_]+ (EC2 API model).
LAUNCH_TEMPLATE_NAME_RE = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")


def security_group_name_error(name):
    """AWS's (code, message) for a GroupName CreateSecurityGroup refuses, or None."""
    if name is None:
        return None
    if name.lower().startswith("sg-"):
        return ("InvalidParameterValue",
                f"Value ({name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.")
    if len(name) > 255:
        return ("InvalidParameterValue", f"Value ({name}) for parameter GroupName is invalid. Length exceeds maximum of 255.")
    if not SECURITY_GROUP_NAME_RE.match(name):
        return ("InvalidParameterValue", f"Value ({name}) for parameter GroupName is invalid. Valid characters: "
                                         "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*")
    return None


def image_name_error(name):
    if name is not None and not IMAGE_NAME_RE.match(name):
        return ("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, and may contain letters, "
                                            "numbers, '(', ')', '.', '-', '/' and '_'")
    return None


def launch_template_name_error(name):
    if name is not None and not LAUNCH_TEMPLATE_NAME_RE.match(name):
        return ("InvalidLaunchTemplateName.MalformedException",
                "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the "
                "following characters: - ( ) . / _.'")
    return None


def _refuse(error):
    from moto.ec2.exceptions import EC2ClientError

    if error is not None:
        raise EC2ClientError(*error)


@patch("moto.ec2.responses.security_groups", "SecurityGroups", "create_security_group")
def create_security_group(_engine, original):
    def create_security_group(self):
        _refuse(security_group_name_error(self._get_param("GroupName")))
        return original(self)

    return create_security_group


@patch("moto.ec2.responses.amis", "AmisResponse", "create_image")
def create_image(_engine, original):
    def create_image(self):
        _refuse(image_name_error(self._get_param("Name")))
        return original(self)

    return create_image


@patch("moto.ec2.responses.launch_templates", "LaunchTemplates", "create_launch_template")
def create_launch_template(_engine, original):
    from .launch_template_patches import answer_once

    def create_launch_template(self):
        _refuse(launch_template_name_error(self._get_param("LaunchTemplateName")))
        # One patch per attribute (registry.py): the ClientToken is honoured here as well.
        return answer_once(self, "CreateLaunchTemplate", lambda: original(self))

    return create_launch_template


# RunInstances with an instance type EC2 does not have: moto accepts any name unless its own
# validation is on (InvalidInstanceType). AWS refuses it.
@patch("moto.settings", None, "EC2_ENABLE_INSTANCE_TYPE_VALIDATION")
def instance_type_validation(_engine, _original):
    return True
