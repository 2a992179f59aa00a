# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: boto3 clients on the controller for an action plugin, configured as a module's would be.

An action's task arguments already hold the module_defaults of its action groups (ansible-core
merges ``group/scaleout.webtier.aws`` into every member's arguments when it validates the task),
so the same options reach it as reach the modules: region, endpoint_url, credentials or profile,
aws_ca_bundle, validate_certs and aws_config. They are checked against amazon.aws's own argument
spec, with its aliases and its environment fallbacks (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_PROFILE,
AWS_URL, AWS_CA_BUNDLE ...), then turned into a session by amazon.aws's plugin helpers, and every
client gets the collection's retry policy (``_aws_clients.RETRIES``) unless aws_config says
otherwise - exactly what ``_aws_clients.client`` does for a module.
"""

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import RETRIES

try:
    import botocore.config
except ImportError:
    pass  # TaskAWS says so when it is used

AWS_OPTIONS = aws_argument_spec()


def aws_option_names():
    """Every name (and alias) of the AWS connection options."""
    names = set(AWS_OPTIONS)
    for spec in AWS_OPTIONS.values():
        names.update(spec.get("aliases", []))
    return names


class TaskAWS(AWSPluginBase):
    """The AWS connection of one task: ``TaskAWS(args).client(service)``. args: the task's AWS options."""

    def __init__(self, args):
        validation = ArgumentSpecValidator(AWS_OPTIONS).validate(dict(args))
        if validation.error_messages:
            raise AnsibleError("; ".join(validation.error_messages))
        self._options = validation.validated_parameters
        try:
            self.require_aws_sdk()  # warns, as a module does, when they are older than amazon.aws supports
        except AnsibleBotocoreError as e:
            raise AnsibleError("on the controller: %s" % e.message)

    def get_options(self):
        return self._options

    def client(self, service, retry_decorator=None, **extra_params):
        extra_params.setdefault("config", botocore.config.Config(retries=dict(RETRIES)))
        return super().client(service, retry_decorator, **extra_params)

    def clients(self, services):
        return dict((service, self.client(service)) for service in services)
