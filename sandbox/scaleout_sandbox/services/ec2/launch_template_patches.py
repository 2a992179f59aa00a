"""Launch templates: the template's own tags stay off the launch data (CreateLaunchTemplate),
ClientToken honoured by CreateLaunchTemplate and CreateLaunchTemplateVersion (``answer_once``), and
DeleteLaunchTemplateVersions, which moto lacks (amazon.aws.ec2_launch_template calls it to delete a
template that has several versions). As on AWS, any version but the default can go; deleted
versions disappear from DescribeLaunchTemplateVersions. moto indexes versions by number, so they
are hidden rather than removed."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.registry import patch

M = "moto.ec2.models.launch_templates"
R = "moto.ec2.responses.launch_templates"
# The request's parameters that are not compared for idempotency: the token itself, and the
# protocol's own (the guide excepts the Region and the Availability Zone, which are not parameters here).
NOT_COMPARED = ("ClientToken", "Action", "Version")


def answer_once(response, action, create):
    """``create()``'s answer, or for a repeated ClientToken the first answer: "If you repeat the
    request with the same client token, the same response is returned"; with the same token but
    another parameter, IdempotentParameterMismatch (EC2 API Reference, "Ensuring idempotency in
    Amazon EC2 API requests"). moto ignored the token: a repeated CreateLaunchTemplateVersion made
    another version, a repeated CreateLaunchTemplate failed with AlreadyExists. Tokens are per account
    and Region (the backend) and per action; kept for the sandbox's life (AWS: "at least 24 hours")."""
    token = response._get_param("ClientToken")
    if not token:
        return create()
    request = sorted((key, tuple(value) if isinstance(value, list) else value)
                     for key, value in response.querystring.items() if key not in NOT_COMPARED)
    tokens = response.ec2_backend.__dict__.setdefault("sandbox_launch_template_tokens", {})
    if (action, token) in tokens:
        first_request, answer = tokens[(action, token)]
        if first_request != request:
            from moto.ec2.exceptions import EC2ClientError

            raise EC2ClientError("IdempotentParameterMismatch", f"Client token {token} was already used with different parameters.")
        return answer
    answer = create()
    tokens[(action, token)] = (request, answer)
    return answer


@patch(M, "LaunchTemplateBackend", "create_launch_template")
def create_launch_template(engine, original):
    # The template's own tags (resource type launch-template) are not launch data.
    def create_launch_template(self, name, description, template_data, tag_spec):
        specs = template_data.get("TagSpecifications")
        if specs is not None:
            kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                template_data.pop("TagSpecifications")
        template = original(self, name, description, template_data, tag_spec)
        engine.consistency.created(template.id)  # describes see it a while later (consistency.py)
        return template

    return create_launch_template


@patch(R, "LaunchTemplates", "create_launch_template_version")
def create_launch_template_version(_engine, original):
    def create_launch_template_version(self):
        return answer_once(self, "CreateLaunchTemplateVersion", lambda: original(self))

    return create_launch_template_version


@patch(M, "LaunchTemplateBackend", "describe_launch_template_versions")
def describe_launch_template_versions(_engine, original):
    def describe_launch_template_versions(self, *args, **kwargs):
        return [(template, version) for template, version in original(self, *args, **kwargs)
                if version.number not in getattr(template, "deleted_versions", set())]

    return describe_launch_template_versions


@patch(R, "LaunchTemplates", "delete_launch_template_versions", adds=True)
def delete_launch_template_versions(_engine, _original):
    def delete_launch_template_versions(self):
        tid, name = self._get_param("LaunchTemplateId"), self._get_param("LaunchTemplateName")
        template = self.ec2_backend.get_launch_template(tid) if tid else self.ec2_backend.get_launch_template_by_name(name)
        deleted = template.__dict__.setdefault("deleted_versions", set())
        done, refused = [], []
        for raw in self._get_param("Versions", []) or []:
            entry = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name}
            number = int(raw) if str(raw).isdigit() else None
            if number is None or not 1 <= number <= len(template.versions) or number in deleted:
                refused.append(dict(entry, VersionNumber=number or 0, ResponseError={
                    "Code": "launchTemplateVersionDoesNotExist", "Message": "The specified launch template version does not exist."}))
            elif number == template.default_version_number:
                refused.append(dict(entry, VersionNumber=number, ResponseError={
                    "Code": "launchTemplateVersionIsDefault", "Message": "The default version of a launch template cannot be deleted."}))
            else:
                deleted.add(number)
                done.append(dict(entry, VersionNumber=number))
        return ActionResult({"SuccessfullyDeletedLaunchTemplateVersions": done,
                             "UnsuccessfullyDeletedLaunchTemplateVersions": refused})

    return delete_launch_template_versions
