"""The account's structure: its groups and roles, and who is in each. Full refresh only (Zoom
keeps no history of a membership): a member removed since the last sync is gone from the next.
Groups and roles need a Pro plan or higher; a Free account answers "No permission" (400 code 200)
for the whole account, so the table ends empty with one warning that names the plan."""

from source_zoom.declarations import MEDIUM, Endpoint, ErrorRules, Outcome, Scopes, ZoomError
from source_zoom.paging import Paging
from source_zoom.zoom_stream import ZoomStream

NEEDS_PRO_FOR_GROUPS_AND_ROLES: ErrorRules = {
    (400, 200): ZoomError("Zoom's groups and roles need a Pro plan or higher", Outcome.STREAM_UNAVAILABLE),
}


class Groups(ZoomStream):
    """GET /groups: the account's groups (departments, teams) with their member counts."""

    endpoint = Endpoint("groups", MEDIUM, Scopes("group:read:admin", "group:read:list_groups:admin"), errors=NEEDS_PRO_FOR_GROUPS_AND_ROLES)
    records_key = "groups"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"


class GroupMembers(ZoomStream):
    """GET /groups/{groupId}/members: one record per group and member (a user in two groups is in
    two records). A group deleted since it was listed (404 code 4130) is skipped."""

    endpoint = Endpoint(
        "groups/{id}/members", MEDIUM, Scopes("group:read:admin", "group:read:list_members:admin"),
        errors={**NEEDS_PRO_FOR_GROUPS_AND_ROLES, (404, 4130): ZoomError("the group was deleted since it was listed", Outcome.SKIP_RESOURCE)},
    )
    parent = Groups
    records_key = "members"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["group_id", "id"]
    stamp_from_parent = {"group_id": "id"}


class Roles(ZoomStream):
    """GET /roles: the account's roles (Zoom's `common` roles: owner, admin, member and custom ones)."""

    endpoint = Endpoint("roles", MEDIUM, Scopes("role:read:admin", "role:read:list_roles:admin"), errors=NEEDS_PRO_FOR_GROUPS_AND_ROLES)
    records_key = "roles"
    primary_key = "id"


class RoleMembers(ZoomStream):
    """GET /roles/{roleId}/members: one record per role and member. A role deleted since it was
    listed (400 code 1034) is skipped."""

    endpoint = Endpoint(
        "roles/{id}/members", MEDIUM, Scopes("role:read:admin", "role:read:list_members:admin"),
        errors={**NEEDS_PRO_FOR_GROUPS_AND_ROLES, (400, 1034): ZoomError("the role was deleted since it was listed", Outcome.SKIP_RESOURCE)},
    )
    parent = Roles
    records_key = "members"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["role_id", "id"]
    stamp_from_parent = {"role_id": "id"}
