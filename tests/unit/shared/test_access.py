"""The role rules: who may act for which clinician, what `authorize` answers, and whose list a caller sees."""
from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import MetaData

from services.booking.domain.errors import Forbidden
from services.booking.service_layer.access import list_scope
from shared import auth, revocations
from shared.access import authorize, current_principal
from shared.clock import FrozenClock
from shared.db import Database, make_engine
from shared.web import ProblemError

KEY = "k" * 40
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ADMIN, STAFF = auth.Principal("ac_1", "admin"), auth.Principal("ac_2", "staff")
CLINICIAN_A = auth.Principal("ac_3", "clinician", "cl_a")


@pytest.mark.parametrize("principal, clinician, allowed", [
    (ADMIN, "cl_a", True), (STAFF, "cl_b", True), (auth.OWNER, "cl_b", True),
    (CLINICIAN_A, "cl_a", True), (CLINICIAN_A, "cl_b", False), (CLINICIAN_A, None, False),
    (STAFF, None, True),
])
def test_staff_roles_act_for_every_clinician_and_a_clinician_only_for_themself(principal, clinician, allowed):
    assert principal.may_act_for(clinician) is allowed


def test_a_clinicians_list_is_their_own_and_another_clinicians_is_forbidden_not_empty():
    assert list_scope(CLINICIAN_A, None) == "cl_a" and list_scope(CLINICIAN_A, "cl_a") == "cl_a"
    assert list_scope(STAFF, None) is None and list_scope(ADMIN, "cl_b") == "cl_b"
    with pytest.raises(Forbidden):
        list_scope(CLINICIAN_A, "cl_b")


@pytest.fixture
def app(tmp_path):
    """A Flask app with just what `authorize` reads: settings, clock and the revocations table."""
    metadata = MetaData()
    table = revocations.add_revocations_table(metadata)
    db = Database(make_engine(f"sqlite:///{tmp_path / 'access.db'}"))
    metadata.create_all(db.engine)
    app = Flask(__name__)
    app.extensions["attune"] = types.SimpleNamespace(
        settings=types.SimpleNamespace(admin_token="owner-" + "t" * 26, secret_key=KEY), clock=FrozenClock(NOW),
        db=db, tables={"revocations": table})
    return app


def answer(app, token: str | None, *roles: str, clinician_id: str | None = None):
    """authorize's principal, or the HTTP status of its refusal."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with app.test_request_context(headers=headers):
        try:
            return authorize(*roles, clinician_id=clinician_id)
        except ProblemError as e:
            return e.status


def token(role: str, clinician_id: str | None = None, issued: datetime = NOW) -> str:
    return auth.issue(KEY, f"ac_{role}", role, clinician_id, issued)[0]


def test_authorize_answers_401_without_a_valid_credential_and_403_for_a_role_or_clinician_not_allowed(app):
    assert answer(app, None, "admin") == 401
    assert answer(app, "owner-" + "t" * 26, "admin") == auth.OWNER
    assert answer(app, token("staff"), "admin") == 403
    assert answer(app, token("staff"), "admin", "staff").role == "staff"
    assert answer(app, token("clinician", "cl_a"), *auth.ROLES, clinician_id="cl_b") == 403
    assert answer(app, token("clinician", "cl_a"), *auth.ROLES, clinician_id="cl_a").clinician_id == "cl_a"
    assert answer(app, token("admin", issued=NOW - timedelta(hours=9)), "admin") == 401
    assert answer(app, auth.issue("w" * 40, "ac_x", "admin", None, NOW)[0], "admin") == 401


def test_a_revoked_session_or_a_deactivated_account_is_refused_but_a_new_session_of_another_account_is_not(app):
    revoked, other = token("staff"), auth.issue(KEY, "ac_other", "staff", None, NOW)[0]
    container = app.extensions["attune"]
    with container.db.write() as session:
        revocations.revoke_session(session, container.tables["revocations"], auth.verify(KEY, revoked, NOW).session_id)
        revocations.set_account_disabled(session, container.tables["revocations"], "ac_admin", True)

    assert answer(app, revoked, "staff") == 401
    assert answer(app, token("admin"), "admin") == 401
    assert answer(app, other, "staff").account_id == "ac_other"


def test_the_principal_is_resolved_once_per_request(app):
    with app.test_request_context(headers={"Authorization": f"Bearer {token('staff')}"}):
        first = current_principal()
        assert current_principal() is first and first.role == "staff"
