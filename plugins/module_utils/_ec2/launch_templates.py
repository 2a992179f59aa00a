# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: one launch template by name with its latest and default versions (the clients retry, see _aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def find_template(client, name):
    """{"template", "latest", "default"} (DescribeLaunchTemplates, then the two versions in one
    DescribeLaunchTemplateVersions call), or None when no template has that name."""
    try:
        templates = client.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"]
    except is_boto3_error_code("InvalidLaunchTemplateName.NotFoundException"):
        return None
    if not templates:
        return None
    template = templates[0]
    versions = client.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                        Versions=["$Latest", "$Default"])["LaunchTemplateVersions"]
    by_number = dict((v["VersionNumber"], v) for v in versions)
    return {"template": template, "latest": by_number.get(template["LatestVersionNumber"], {}),
            "default": by_number.get(template["DefaultVersionNumber"], {})}
