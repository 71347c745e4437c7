"""The dashboards' facts: compact numpy columns, one entry per camera, request, shipment, …; filled by
app.store.insights.load_facts and filtered in memory by app.core.insights. Pure Python + numpy."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Recipient / owner answer states in one order (the dashboards' stacked series use it).
ANSWER_STATES = ("shared", "declined", "no_footage", "no_response", "pending")
REQUEST_STATES = ("draft", "awaiting_approval", "sent", "resolved", "expired", "withdrawn")


@dataclass
class CameraFacts:
    day: np.ndarray           # float64 days since 1970 of registered_on
    source: np.ndarray        # int8 index into SOURCE_CODES
    district: np.ndarray      # int64 district code
    lat: np.ndarray           # float64 (for an agency's jurisdiction)
    lon: np.ndarray
    active: np.ndarray        # bool


@dataclass
class RequestFacts:
    ids: np.ndarray           # int64
    agency: np.ndarray        # int64
    created_day: np.ndarray   # float64
    sent_day: np.ndarray      # float64, NaN = never sent
    state: np.ndarray         # int8 index into REQUEST_STATES
    district: np.ndarray      # int64, of the area's centre
    answers: np.ndarray       # int32 (n, 5): owners per ANSWER_STATES
    first_answer_h: np.ndarray  # float64 hours from sending to the first owner's answer (NaN = none)
    useful: np.ndarray        # int8 1 / 0 / -1 unknown
    arrest: np.ndarray        # int8 1 / 0 / -1 unknown


@dataclass
class ProgramFacts:
    agency_ids: np.ndarray
    agency_names: list[str]
    partnered_day: np.ndarray        # float64, NaN = not partnered
    shipment_day: np.ndarray
    shipment_agency: np.ndarray
    shipment_units: np.ndarray
    credit_day: np.ndarray
    credit_agency: np.ndarray
    credit_units: np.ndarray
    distribution_day: np.ndarray
    distribution_agency: np.ndarray
    distribution_registered: np.ndarray   # bool: a camera was registered for it
    distribution_conditional: np.ndarray | None   # bool, None = not recorded in this store
    distribution_district: np.ndarray
    distribution_units: np.ndarray | None = None   # int64 units per handout (None: one each)


@dataclass
class EvidenceFacts:
    received_day: np.ndarray
    agency: np.ndarray
    purged_day: np.ndarray           # NaN = not purged
    legal_hold: np.ndarray           # bool (now)
    shared_onward: list[tuple[float, int, str]] | None = None   # (day, agency, recipient organisation); None = gap


@dataclass
class Facts:
    cameras: CameraFacts
    requests: RequestFacts
    program: ProgramFacts
    evidence: EvidenceFacts
    jurisdictions: dict[int, str] = field(default_factory=dict)   # agency id -> GeoJSON text
