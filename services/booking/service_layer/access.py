"""What a signed-in caller (shared.auth.Principal) may reach in booking, and their audit entries."""
from __future__ import annotations

from services.booking.adapters import contact_requests
from services.booking.domain.contact import ContactRequest
from services.booking.domain.errors import Forbidden, NotFound
from services.booking.service_layer.unit_of_work import Tx
from shared.access import record_audit, record_list_read
from shared.auth import Principal


def audit(tx: Tx, who: Principal, action: str, subject: str | None) -> None:
    """The staff member's read or change, as an audit.recorded event in this transaction (ids only)."""
    record_audit(tx.session, tx.outbox, who, action, subject, tx.now)


def audit_list(tx: Tx, who: Principal, action: str, subjects) -> None:
    """A list of records with client details, each record audited (repeats within minutes folded)."""
    record_list_read(tx.session, tx.outbox, who, action, subjects, tx.now)


def visible_request(tx: Tx, request_id: str, who: Principal, for_update: bool = False,
                    field: str | None = None) -> ContactRequest:
    """A contact request the caller may see: staff roles every one, a clinician those naming them."""
    request = contact_requests.get(tx.session, request_id, for_update=for_update)
    if request is None:
        raise NotFound("No such contact request.", field)
    if not who.may_act_for(request.clinician_id):
        raise Forbidden("This contact request is not one of yours.")
    return request


def list_scope(who: Principal, clinician_id: str | None) -> str | None:
    """Whose items a list shows: the clinician asked for (another clinician's: Forbidden, never an
    empty list); without one, a clinician's own and everyone's for staff roles."""
    if clinician_id is not None and not who.may_act_for(clinician_id):
        raise Forbidden("These belong to another clinician.", "clinician_id")
    return clinician_id or who.clinician_id
