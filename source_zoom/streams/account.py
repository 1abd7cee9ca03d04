"""The account's structure: its groups and roles, and who is in each. Full refresh only (Zoom
keeps no history of a membership): a member removed since the last sync is gone from the next.
Groups and roles need a Pro plan or higher; a Free account answers "No permission" (400 code 200)
for the whole account, so the table ends empty with one warning that names the plan."""

from typing import Mapping, Optional, Tuple

from source_zoom.errors import Outcome, ZoomError
from source_zoom.paging import Paging
from source_zoom.zoom_stream import ZoomStream

NEEDS_PRO_FOR_GROUPS_AND_ROLES: Mapping[Tuple[int, Optional[int]], ZoomError] = {
    (400, 200): ZoomError("Zoom's groups and roles need a Pro plan or higher", Outcome.STREAM_UNAVAILABLE),
}


class Groups(ZoomStream):
    """GET /groups: the account's groups (departments, teams) with their member counts."""

    path_template = "groups"
    records_key = "groups"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"
    extra_errors = NEEDS_PRO_FOR_GROUPS_AND_ROLES


class GroupMembers(ZoomStream):
    """GET /groups/{groupId}/members: one record per group and member (a user in two groups is in
    two records). A group deleted since it was listed (404 code 4130) is skipped."""

    path_template = "groups/{id}/members"
    parent = Groups
    records_key = "members"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["group_id", "id"]
    stamp_from_parent = {"group_id": "id"}
    extra_errors = {
        **NEEDS_PRO_FOR_GROUPS_AND_ROLES,
        (404, 4130): ZoomError("the group was deleted since it was listed", Outcome.SKIP_RESOURCE),
    }


class Roles(ZoomStream):
    """GET /roles: the account's roles (Zoom's `common` roles: owner, admin, member and custom ones)."""

    path_template = "roles"
    records_key = "roles"
    primary_key = "id"
    extra_errors = NEEDS_PRO_FOR_GROUPS_AND_ROLES


class RoleMembers(ZoomStream):
    """GET /roles/{roleId}/members: one record per role and member. A role deleted since it was
    listed (400 code 1034) is skipped."""

    path_template = "roles/{id}/members"
    parent = Roles
    records_key = "members"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["role_id", "id"]
    stamp_from_parent = {"role_id": "id"}
    extra_errors = {
        **NEEDS_PRO_FOR_GROUPS_AND_ROLES,
        (400, 1034): ZoomError("the role was deleted since it was listed", Outcome.SKIP_RESOURCE),
    }
