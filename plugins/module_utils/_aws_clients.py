# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the one client policy of the collection's modules, and the paginated read they share.

Retries are botocore's, and only botocore's: every client is made in its standard retry mode with
MAX_RETRIES retries per call (throttling, 5xx and connection errors, with exponential backoff and
jitter), unless the task's C(aws_config) says otherwise, which wins (the playbooks'
``playbooks/vars/aws_clients.yml`` sets the same). botocore's ``max_attempts`` counts the retries
after the first attempt, so one call is tried at most MAX_ATTEMPTS (11) times before its module
hears of it: no AWSRetry is stacked on top. A wait treats a call still throttled after that as a
throttled poll (see ``_waiting.wait_until``), not as a retry.
"""

try:
    import botocore.config
except ImportError:
    pass  # Handled by AnsibleAWSModule

MAX_RETRIES = 10
MAX_ATTEMPTS = MAX_RETRIES + 1
RETRIES = {"mode": "standard", "max_attempts": MAX_RETRIES}


def client(module, service):
    """A boto3 client for an AnsibleAWSModule under the collection's retry policy."""
    return module.client(service, config=botocore.config.Config(retries=dict(RETRIES)))


def clients(module, services):
    """``{service: client}`` for several services."""
    return dict((service, client(module, service)) for service in services)


def paginate(aws_client, operation, **params):
    """Every page of a paginated operation merged into one result (one call per page)."""
    return aws_client.get_paginator(operation).paginate(**params).build_full_result()
