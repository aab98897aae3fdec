"""GET /v1/practice: the practice-wide booking settings and the vocabularies clients filter by."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from services.availability.entrypoints import schemas
from shared import taxonomy

blp = Blueprint("practice", __name__, url_prefix="/v1/practice", description="Practice-wide settings.")


@blp.route("")
@blp.response(200, schemas.PracticeOut)
def practice():
    """Lookahead, minimum notice and slot length, with the modalities (and their names) and populations"""
    settings = current_app.extensions["attune"].settings
    labels = taxonomy.of(settings)  # the practice's own (ATTUNE_TAXONOMY), else the seeds' list
    return {"name": settings.practice_name, "lookahead_days": settings.lookahead_days,
            "min_notice_minutes": settings.min_notice_minutes, "slot_minutes": settings.slot_minutes,
            "modalities": [{"id": key, "label": label} for key, label in labels.modalities],
            "populations": list(labels.population_codes),
            "population_labels": [{"id": key, "label": label} for key, label in labels.populations]}
