"""The account's structure: groups and roles, and who is in each (Zoom's user management).

A group is a set of users (departments, teams); a user can be in several groups, and each user
record's `group_ids` names them. Every user holds exactly one role (`role_id`): Zoom's built-in
Owner ("0"), Admin ("1") and Member ("2"), or a custom role. Groups and roles need a Pro plan or
higher: a plan without them answers GET /groups, /roles and their member listings 400 code 200
(config `groups_and_roles=False`). Members are the users that have hosted (active and inactive:
a pending user has not joined the account yet). Drawn from a random stream of its own.

GET /groups (rivet users' GroupsListGroupsResponse: groups, total_records, next_page_token),
GET /groups/{groupId}/members (GroupsListGroupMembersResponse, members by next_page_token),
GET /roles?type=common|iq (accounts' RolesListRolesResponse; the fake has no Zoom IQ roles),
GET /roles/{roleId}/members (RolesListMembersInRoleResponse).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .model import Dataset, User

GROUP_NAMES = ("Engineering", "Sales", "Customer Success", "Leadership")
PLAN_MESSAGE = "Only available for paid account."
OWNER, ADMIN, MEMBER = "0", "1", "2"


@dataclass
class Group:
    id: str
    name: str


@dataclass
class Role:
    id: str
    name: str
    description: str
    type: str = "common"


@dataclass
class Structure:
    groups: list[Group]
    roles: list[Role]


def organise(dataset: "Dataset", rng: random.Random) -> None:
    """Groups and roles for the account: every member in one group, every third also in a second
    one; the first user owns the account, two are admins, one holds a custom role."""
    ids = lambda: "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))  # noqa: E731
    groups = [Group(ids(), name) for name in GROUP_NAMES]
    custom = Role(ids(), "Billing viewer", "Reads invoices and usage reports")
    roles = [Role(OWNER, "Owner", "Account owner"), Role(ADMIN, "Admin", "Account administrator"),
             Role(MEMBER, "Member", "Account member"), custom]
    for index, user in enumerate(dataset.users):
        # The last group stays small: only the owner and the admins are in it.
        first = groups[index % (len(groups) - 1)]
        second = groups[(index + 1) % (len(groups) - 1)] if index % 3 == 0 else None
        user.record["group_ids"] = [first.id] + ([second.id] if second else [])
        user.record["role_id"] = OWNER if index == 0 else ADMIN if index in (1, 2) else custom.id if index == 3 else MEMBER
        if index < 3:
            user.record["group_ids"].append(groups[-1].id)
    dataset.structure = Structure(groups, roles)


def members(dataset: "Dataset") -> list["User"]:
    return dataset.hosting_users()


def group_members(dataset: "Dataset", group_id: str) -> list[dict[str, Any]]:
    return [{"email": u.record["email"], "first_name": u.record["first_name"], "id": u.id,
             "last_name": u.record["last_name"], "type": u.record["type"]}
            for u in members(dataset) if group_id in u.record.get("group_ids", [])]


def role_members(dataset: "Dataset", role_id: str) -> list[dict[str, Any]]:
    return [{"department": u.record.get("dept", ""), "email": u.record["email"], "first_name": u.record["first_name"],
             "id": u.id, "last_name": u.record["last_name"], "type": u.record["type"]}
            for u in members(dataset) if u.record.get("role_id") == role_id]


def group_rows(dataset: "Dataset") -> list[dict[str, Any]]:
    return [{"id": g.id, "name": g.name, "total_members": len(group_members(dataset, g.id))} for g in dataset.structure.groups]


def role_rows(dataset: "Dataset") -> list[dict[str, Any]]:
    return [{"description": r.description, "id": r.id, "name": r.name, "type": r.type,
             "total_members": len(role_members(dataset, r.id))} for r in dataset.structure.roles]


def find_group(dataset: "Dataset", group_id: str) -> Optional[Group]:
    return next((g for g in dataset.structure.groups if g.id == group_id), None)


def find_role(dataset: "Dataset", role_id: str) -> Optional[Role]:
    return next((r for r in dataset.structure.roles if r.id == role_id), None)


def remove_members(dataset: "Dataset") -> dict[str, str]:
    """An admin removes a user in two groups from one of them, and takes an admin's role away
    (Zoom gives a user removed from a role the Member role). Returns {"group_id", "role_id",
    "user_id"s} of what changed."""
    in_two = next(u for u in members(dataset) if len(u.record["group_ids"]) >= 2 and u.record.get("role_id") == MEMBER)
    group_id = in_two.record["group_ids"].pop(0)
    admin = next(u for u in members(dataset) if u.record.get("role_id") == ADMIN)
    admin.record["role_id"] = MEMBER
    return {"group_id": group_id, "group_user_id": in_two.id, "role_id": ADMIN, "role_user_id": admin.id}


def truth(dataset: "Dataset") -> dict[str, list[dict[str, Any]]]:
    """What the four tables hold: each group's and role's members stamped with it (a user in two
    groups is in both); nothing on a plan without groups and roles."""
    if not dataset.config.groups_and_roles:
        return {"groups": [], "group_members": [], "roles": [], "role_members": []}
    return {
        "groups": group_rows(dataset),
        "group_members": [{**m, "group_id": g.id} for g in dataset.structure.groups for m in group_members(dataset, g.id)],
        "roles": role_rows(dataset),
        "role_members": [{**m, "role_id": r.id} for r in dataset.structure.roles for m in role_members(dataset, r.id)],
    }
