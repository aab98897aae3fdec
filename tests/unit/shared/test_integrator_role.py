"""The integrator role: a signed, revocable token that only `require_reader` accepts, never `authorize`."""
from __future__ import annotations

import pytest

from shared import auth, revocations
from shared.web import ProblemError, require_reader
from tests.unit.shared.test_access import KEY, NOW, answer, app  # noqa: F401 - the app fixture

TOKEN_ID = "itk_0123456789abcdef"


def integrator_token(now=NOW) -> str:
    token, _, _ = auth.issue(KEY, TOKEN_ID, auth.INTEGRATOR, None, now, ttl=auth.INTEGRATOR_TTL, session_id=TOKEN_ID)
    return token


def reader_answer(app, token: str | None, integrator_tokens=()):  # noqa: F811 - the fixture's app
    app.extensions["attune"].settings.integrator_tokens = integrator_tokens
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with app.test_request_context(headers=headers):
        try:
            require_reader()
            return 200
        except ProblemError as e:
            return e.status


def test_an_integrator_token_verifies_as_the_integrator_role_acting_for_no_clinician():
    principal = auth.verify(KEY, integrator_token(), NOW)

    assert (principal.account_id, principal.role, principal.session_id) == (TOKEN_ID, "integrator", TOKEN_ID)
    assert not principal.may_act_for("cl_a") and not principal.may_act_for(None)
    assert auth.INTEGRATOR not in auth.ROLES and auth.INTEGRATOR not in auth.STAFF_ROLES


def test_an_integrator_token_naming_a_clinician_is_never_issued():
    with pytest.raises(ValueError):
        auth.issue(KEY, TOKEN_ID, auth.INTEGRATOR, "cl_a", NOW)


@pytest.mark.parametrize("roles", [("admin",), ("admin", "staff"), auth.ROLES])
def test_authorize_refuses_an_integrator_token_whatever_staff_roles_it_allows(app, roles):  # noqa: F811
    assert answer(app, integrator_token(), *roles) == 403


def test_require_reader_takes_an_integrator_token_until_it_is_revoked(app):  # noqa: F811
    token = integrator_token()
    assert reader_answer(app, token) == 200

    with app.extensions["attune"].db.write() as conn:
        revocations.revoke_session(conn, app.extensions["attune"].tables["revocations"], TOKEN_ID)

    assert reader_answer(app, token) == 401


def test_require_reader_takes_the_admin_and_configured_tokens_refuses_staff_with_403_and_strangers_with_401(
        app):  # noqa: F811
    staff, _, _ = auth.issue(KEY, "ac_2", "staff", None, NOW)
    clinician, _, _ = auth.issue(KEY, "ac_3", "clinician", "cl_a", NOW)
    admin, _, _ = auth.issue(KEY, "ac_1", "admin", None, NOW)
    configured = "crm-sync-0123456789abcdef"

    assert reader_answer(app, admin) == reader_answer(app, configured, (configured,)) == 200
    assert reader_answer(app, "owner-" + "t" * 26) == 200
    assert reader_answer(app, staff) == reader_answer(app, clinician) == 403
    assert reader_answer(app, None) == reader_answer(app, configured) == 401
    expired = integrator_token(NOW - auth.INTEGRATOR_TTL)
    assert reader_answer(app, expired) == 401
