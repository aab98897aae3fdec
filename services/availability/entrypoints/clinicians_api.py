"""HTTP resources of the directory: clinicians and their schedules; reads are public, writes admin-only."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.availability.domain.model import MODALITY_LABELS, Clinician, Schedule
from services.availability.domain.slots import instant
from services.availability.entrypoints import schemas
from services.availability.service_layer import clinicians as commands
from services.availability.service_layer import slots as queries
from shared.clock import isoformat
from shared.web import ProblemSchema, is_admin, require_admin

blp = Blueprint("clinicians", __name__, url_prefix="/v1/clinicians",
                description="The practice's directory: clinicians, what they offer, and their schedules.")
ADMIN = [{"bearer": []}]
PROBLEM = "application/problem+json"


def needs_admin(view):
    view = blp.doc(security=ADMIN)(view)
    return blp.alt_response(401, schema=ProblemSchema, content_type=PROBLEM,
                            description="Missing or wrong admin credential")(view)


def names_a_clinician(view):
    return blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM,
                            description="No such clinician")(view)


@blp.before_request
def _writes_need_the_admin():
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        require_admin()  # before the body is validated: strangers learn nothing about our input rules


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
    data["modality_labels"] = [MODALITY_LABELS[m] for m in clinician.modalities]
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
        """Add a clinician (admin); publishes clinician.created"""
        clinician = commands.create_clinician(_container(), body)
        return present(clinician, None, admin=True)


@blp.route("/<clinician_id>")
class ClinicianResource(MethodView):
    @blp.response(200, schemas.ClinicianOut)
    @names_a_clinician
    def get(self, clinician_id):
        """One clinician (the admin also sees the email and inactive clinicians)"""
        admin = is_admin()
        clinician = commands.get_clinician(_container(), clinician_id, include_inactive=admin)
        return present(clinician, queries.next_open(_container(), clinician), admin)

    @blp.arguments(schemas.ClinicianPatch(partial=True))
    @blp.response(200, schemas.ClinicianOut)
    @needs_admin
    @names_a_clinician
    def patch(self, body, clinician_id):
        """Change some fields (admin); {"active": false} deactivates; publishes clinician.updated"""
        clinician = commands.update_clinician(_container(), clinician_id, body)
        return present(clinician, queries.next_open(_container(), clinician), admin=True)


@blp.route("/<clinician_id>/schedule")
class ScheduleResource(MethodView):
    @blp.response(200, schemas.ScheduleOut)
    @names_a_clinician
    def get(self, clinician_id):
        """The clinician's weekly windows, date overrides and time off, with the schedule's version"""
        clinician, schedule = commands.get_schedule(_container(), clinician_id, include_inactive=is_admin())
        return present_schedule(clinician, schedule)

    @blp.arguments(schemas.ScheduleIn())
    @blp.response(200, schemas.ScheduleOut)
    @needs_admin
    @names_a_clinician
    def put(self, body, clinician_id):
        """Replace the schedule (admin): local times on the 15-minute grid; publishes availability.changed"""
        return present_schedule(*commands.set_schedule(_container(), clinician_id, **body))
