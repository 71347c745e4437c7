"""Who may do what. Checked in the service layer, never only by hiding a button."""

from __future__ import annotations

from app.core.records import Role, StrEnum


class Permission(StrEnum):
    VIEW_REGISTRY = "view_registry"
    EDIT_REGISTRY = "edit_registry"
    IMPORT_DATA = "import_data"
    EXPORT_DATA = "export_data"
    VIEW_OWNER_CONTACT = "view_owner_contact"
    SEARCH_REGISTRY = "search_registry"
    CREATE_REQUEST = "create_request"
    APPROVE_REQUEST = "approve_request"
    OVERRIDE_POLICY = "override_policy"
    CHANGE_POLICY = "change_policy"
    RECORD_RESPONSE = "record_response"
    VIEW_EVIDENCE = "view_evidence"
    LEGAL_HOLD = "legal_hold"
    VIEW_AUDIT = "view_audit"
    VIEW_PUBLIC_LOG = "view_public_log"
    MANAGE_USERS = "manage_users"
    CHANGE_SETTINGS = "change_settings"
    MANAGE_AGENCIES = "manage_agencies"
    MANAGE_PROGRAM = "manage_program"
    POST_FEED = "post_feed"
    MODERATE_FEED = "moderate_feed"


_A, _S, _U, _D = Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN

GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_REGISTRY: frozenset({_A, _S, _D}),
    Permission.EDIT_REGISTRY: frozenset({_A, _S, _D}),
    Permission.IMPORT_DATA: frozenset({_A, _S, _D}),
    Permission.EXPORT_DATA: frozenset({_A, _S, _D}),
    Permission.VIEW_OWNER_CONTACT: frozenset({_A, _S}),
    Permission.SEARCH_REGISTRY: frozenset({_A, _S, _D}),
    Permission.CREATE_REQUEST: frozenset({_A, _S}),
    Permission.APPROVE_REQUEST: frozenset({_S}),
    Permission.OVERRIDE_POLICY: frozenset({_S}),
    Permission.CHANGE_POLICY: frozenset({_S}),
    Permission.RECORD_RESPONSE: frozenset({_A, _S}),
    Permission.VIEW_EVIDENCE: frozenset({_A, _S}),
    Permission.LEGAL_HOLD: frozenset({_S}),
    Permission.VIEW_AUDIT: frozenset({_U, _S, _D}),
    Permission.VIEW_PUBLIC_LOG: frozenset({_A, _S, _U, _D}),
    Permission.MANAGE_USERS: frozenset({_D}),
    Permission.CHANGE_SETTINGS: frozenset({_D, _S}),
    # The program (issue 12): coordinators (analysts, supervisors) keep agencies, the ledger and operations; an
    # own store's first administrator may add its agency. Only supervisors moderate the feed.
    Permission.MANAGE_AGENCIES: frozenset({_A, _S, _D}),
    Permission.MANAGE_PROGRAM: frozenset({_A, _S}),
    Permission.POST_FEED: frozenset({_A, _S}),
    Permission.MODERATE_FEED: frozenset({_S}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in GRANTS[permission]
