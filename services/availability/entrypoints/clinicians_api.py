"""HTTP resources of the directory: clinicians and their schedules; reads are public, writes for staff roles
(and a clinician's own schedule and their profile's self-service fields)."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.availability.domain.model import Clinician, Schedule
from services.availability.domain.slots import instant
from services.availability.entrypoints import schemas
from services.availability.service_layer import clinicians as commands
from services.availability.service_layer import slots as queries
from shared import taxonomy
from shared.access import authorize, current_principal, record_audit
from shared.auth import ROLES, STAFF_ROLES
from shared.clock import isoformat
from shared.web import ProblemError, ProblemSchema

blp = Blueprint("clinicians", __name__, url_prefix="/v1/clinicians",
                description="The practice's directory: clinicians, what they offer, and their schedules.")
ADMIN = [{"bearer": []}]
PROBLEM = "application/problem+json"
PROFILE = "/v1/clinicians/<clinician_id>"
# What a clinician may change in their own directory entry (as a member edits their own profile in Cal.com or
# Calendly); who they are, their zone, what they offer and their day's rules are the practice's to set.
SELF_SERVICE = frozenset({"credentials", "bio", "languages", "accepting_new_clients", "call"})
STAFF_SET = frozenset(schemas.ClinicianPatch().fields) - SELF_SERVICE


def needs_admin(view):
    view = blp.doc(security=ADMIN)(view)
    view = blp.alt_response(403, schema=ProblemSchema, content_type=PROBLEM,
                            description="A role (or another clinician) this call does not allow")(view)
    return blp.alt_response(401, schema=ProblemSchema, content_type=PROBLEM,
                            description="Missing, expired, revoked or forged credential")(view)


def names_a_clinician(view):
    return blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM,
                            description="No such clinician")(view)


@blp.before_request
def _writes_need_a_staff_role():
    """Before the body is validated (strangers learn nothing about our input rules): creating and
    changing clinicians is for admin and staff; a clinician's own schedule (and what else hangs
    under /v1/clinicians/<id>/) also for that clinician, and so are their own profile's self-service fields."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    clinician_id = (request.view_args or {}).get("clinician_id")
    profile = request.url_rule.rule == PROFILE
    if clinician_id is None or (profile and request.method != "PATCH"):
        authorize(*STAFF_ROLES)
    elif profile:
        _only_self_service(authorize(*ROLES, clinician_id=clinician_id))
    else:
        authorize(*ROLES, clinician_id=clinician_id)


def _only_self_service(principal) -> None:
    """A clinician's change naming a field the practice sets is refused whole, each such field named;
    unknown fields are left to the body's validation (a 422 like anyone's)."""
    body = request.get_json(silent=True)
    refused = sorted(STAFF_SET.intersection(body)) if principal.role == "clinician" and isinstance(body, dict) else []
    if refused:
        raise ProblemError(403, "Forbidden", f"The practice's staff set {', '.join(refused)}; a clinician may change "
                           f"their own {', '.join(sorted(SELF_SERVICE))}.",
                           errors={name: ["is set by the practice's staff (admin or staff role)"] for name in refused},
                           slug="forbidden")


def _audited(action: str):
    """The command's audit hook: who (the verified caller) did `action`, in the change's transaction."""
    principal, outbox = current_principal(), _container().outbox
    return lambda session, subject, now: record_audit(session, outbox, principal, action, subject, now)


def _sees_private(clinician_id: str) -> bool:
    """Staff roles and the clinician themself see the email and an inactive profile."""
    principal = current_principal()
    return principal is not None and principal.may_act_for(clinician_id)


def _container():
    return current_app.extensions["attune"]


def _when(epoch: int | None) -> str | None:
    return None if epoch is None else isoformat(instant(epoch))


def present(clinician: Clinician, next_available: int | None, admin: bool) -> dict:
    """The clinician as the API shows it: the email only to the admin."""
    data = clinician.event_data()
    data["id"] = data.pop("clinician_id")
    if not admin:
        data.pop("email")
        data["call"] = {"method": clinician.call["method"]}  # a standing video room is for booked clients
    labels = taxonomy.current()
    data["modality_labels"] = [labels.modality_label(m) for m in clinician.modalities]
    data["next_available"] = _when(next_available)
    return data


def present_schedule(clinician: Clinician, schedule: Schedule) -> dict:
    return {"clinician_id": clinician.id, "time_zone": clinician.time_zone, "version": schedule.version,
            **schedule.as_dict()}


@blp.route("")
class Clinicians(MethodView):
    @blp.arguments(schemas.DirectoryQuery(), location="query")
    @blp.response(200, schemas.ClinicianList)
    def get(self, query):
        """Active clinicians matching the filters, each with its next open slot, like a therapist directory"""
        found = queries.directory(_container(), queries.Filters(**query))
        return {"clinicians": [present(c, first, admin=False) for c, first in found]}

    @blp.arguments(schemas.ClinicianIn())
    @blp.response(201, schemas.ClinicianOut)
    @needs_admin
    def post(self, body):
        """Add a clinician (admin, staff); publishes clinician.created"""
        clinician = commands.create_clinician(_container(), body, audit=_audited("clinician.created"))
        return present(clinician, None, admin=True)


@blp.route("/<clinician_id>")
class ClinicianResource(MethodView):
    @blp.response(200, schemas.ClinicianOut)
    @names_a_clinician
    def get(self, clinician_id):
        """One clinician (staff roles and the clinician also see the email and an inactive profile)"""
        private = _sees_private(clinician_id)
        clinician = commands.get_clinician(_container(), clinician_id, include_inactive=private)
        return present(clinician, queries.next_open(_container(), clinician), private)

    @blp.arguments(schemas.ClinicianPatch(partial=True))
    @blp.response(200, schemas.ClinicianOut)
    @needs_admin
    @names_a_clinician
    def patch(self, body, clinician_id):
        """Change some fields (admin, staff; the clinician their own self-service fields); publishes clinician.updated

        Admin and staff change any field; `{"active": false}` deactivates. The clinician themself may change
        `credentials`, `bio`, `languages`, `accepting_new_clients` and `call` (method, video_url): a change that
        names any other field (name, email, time_zone, modalities, populations, max_per_day, buffer_minutes,
        active) is a 403 whose `errors` name those fields, and nothing changes. Another clinician's id is a 403.
        """
        clinician = commands.update_clinician(_container(), clinician_id, body, audit=_audited("clinician.updated"))
        return present(clinician, queries.next_open(_container(), clinician), admin=True)


@blp.route("/<clinician_id>/schedule")
class ScheduleResource(MethodView):
    @blp.response(200, schemas.ScheduleOut)
    @names_a_clinician
    def get(self, clinician_id):
        """The clinician's weekly windows, date overrides and time off, with the schedule's version"""
        clinician, schedule = commands.get_schedule(_container(), clinician_id,
                                                    include_inactive=_sees_private(clinician_id))
        return present_schedule(clinician, schedule)

    @blp.arguments(schemas.ScheduleIn())
    @blp.response(200, schemas.ScheduleOut)
    @needs_admin
    @names_a_clinician
    def put(self, body, clinician_id):
        """Replace the schedule (admin, staff, the clinician): local times on the 15-minute grid; publishes
        availability.changed"""
        return present_schedule(*commands.set_schedule(_container(), clinician_id, **body,
                                                       audit=_audited("schedule.changed")))
