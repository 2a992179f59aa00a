# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: IAM roles (global; the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def roles_with_tags(client, path_prefix):
    """[(role, tags)] for every role under path_prefix (one ListRoleTags call per role)."""
    roles = paginate(client, "list_roles", PathPrefix=path_prefix)["Roles"]
    return [(role, client.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])) for role in roles]
