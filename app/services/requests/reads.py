"""Reads for the Requests tab and the request dialog: the list, a request's history and overrides, agencies and
incidents (the same permission as the list)."""

from __future__ import annotations

from app.core.permissions import Permission
from app.core.records import RequestState
from app.core.request_records import RequestRecord, RequestSummary, Transition
from app.services.session import Session
from app.store import requests as store


def list_requests(session: Session, states: list[RequestState] | None = None) -> list[RequestSummary]:
    session.require(Permission.CREATE_REQUEST)
    return store.list_requests(session.conn, states)


def timeline(session: Session, request_id: int) -> list[Transition]:
    session.require(Permission.CREATE_REQUEST)
    return store.transitions(session.conn, request_id)


def get_request(session: Session, request_id: int) -> RequestRecord | None:
    session.require(Permission.CREATE_REQUEST)
    return store.get_request(session.conn, request_id)


def agencies(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the partner agencies whose partnership has not ended."""
    session.require(Permission.CREATE_REQUEST)
    return store.agencies(session.conn)


def agency_name(session: Session, agency_id: int) -> str:
    session.require(Permission.CREATE_REQUEST)
    return store.agency_name(session.conn, agency_id)


def agency_point(session: Session, agency_id: int | None) -> tuple[float, float] | None:
    session.require(Permission.CREATE_REQUEST)
    return store.agency_point(session.conn, agency_id)


def recent_incidents(session: Session, agency_id: int | None) -> list[tuple]:
    session.require(Permission.CREATE_REQUEST)
    return store.recent_incidents(session.conn, agency_id)


def incident_point(session: Session, incident_id: int | None) -> tuple[float, float] | None:
    session.require(Permission.CREATE_REQUEST)
    return store.incident_point(session.conn, incident_id)


def overrides(session: Session, request_id: int) -> list[tuple[str, str, str, str, str | None]]:
    """(rule, reason, who, at, voided at) of every rule a supervisor let pass on this request (voided: by an edit
    of the request after it; such an override no longer counts)."""
    session.require(Permission.CREATE_REQUEST)
    return store.overrides(session.conn, request_id)


def overridden_rules(session: Session, request_id: int) -> set[str]:
    session.require(Permission.CREATE_REQUEST)
    return store.overridden_rules(session.conn, request_id)
