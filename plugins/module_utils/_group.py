# -*- coding: utf-8 -*-
# Copyright: scaleout.webtier contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private: whether an Auto Scaling group as amazon.aws.autoscaling_group_info returns it has the
settings the scaling_group role applies (pure), for the ``group_drift`` filter.

The comparison itself is ``_autoscaling.settings`` (the scaling_group module's and the plan's);
this only reads the info module's snake_case form into it.
"""

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling import settings

GROUP_METRICS = settings.GROUP_METRICS
DESIRED_KEYS = settings.WANTED_KEYS


def group_drift(existing, desired):
    """The differences, as ``"setting: now -> wanted"`` lines; empty when the group is in sync.

    ``existing`` is one entry of amazon.aws.autoscaling_group_info's ``results`` (snake_case);
    ``desired`` has the keys of DESIRED_KEYS (``suspended_processes`` None: keep what is suspended;
    ``tags``: key to value, all propagated at launch; ``instance_warmup``, optional, is compared
    when given).
    """
    wanted = settings.wanted_group(desired)
    return settings.difference_lines(settings.group_differences(settings.current_group_from_info(existing), wanted))
