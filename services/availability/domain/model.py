"""Clinicians and their schedules: the availability service's aggregates, free of Flask and SQLAlchemy."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

EDITABLE = ("name", "email", "time_zone", "modalities", "populations", "languages", "accepting_new_clients",
            "credentials", "bio", "active", "call", "max_per_day", "buffer_minutes")
CALL_METHODS = ("phone", "video")
DEFAULT_CALL = {"method": "video"}  # a link per booking from CALL_VIDEO_URL_TEMPLATE


class UnknownClinician(LookupError):
    """No clinician has that id (or, for the public, no active one)."""


class Invalid(ValueError):
    """Input the domain refuses; `errors` maps each field path at fault ("weekly.1.start") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Clinician:
    id: str
    name: str
    email: str
    time_zone: str
    modalities: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    accepting_new_clients: bool = True
    credentials: str | None = None
    bio: str | None = None
    active: bool = True
    # How the consultation happens: {"method": "phone"} (the clinician calls the client) or
    # {"method": "video", "video_url"?}; and the practice's rules: consultations per local day, minutes
    # kept free around each one.
    call: dict | None = None
    max_per_day: int | None = None
    buffer_minutes: int | None = None

    def __post_init__(self):
        self.call = normal_call(self.call)

    def change(self, changes: dict) -> set[str]:
        """Applies the given fields; returns the names of those whose value really changed."""
        if "call" in changes:
            changes = {**changes, "call": normal_call(changes["call"])}
        changed = {name for name in EDITABLE if name in changes and changes[name] != getattr(self, name)}
        for name in changed:
            setattr(self, name, changes[name])
        return changed

    def offers_consultations(self) -> bool:
        """Clients may book a first call only with active clinicians who take new clients."""
        return self.active and self.accepting_new_clients

    def matches(self, modality=None, population=None, language=None, accepting=None) -> bool:
        return ((modality is None or modality in self.modalities)
                and (population is None or population in self.populations)
                and (language is None or speaks(self.languages, language))
                and (accepting is None or accepting == self.accepting_new_clients))

    def event_data(self) -> dict:
        """`clinician.created` / `.updated` data: booking and notifications need the email too."""
        data = asdict(self)
        data["clinician_id"] = data.pop("id")
        return data


def normal_call(call: dict | None) -> dict:
    """The stored form of `call`: a method, and a video_url only for video calls that name one."""
    if not call:
        return dict(DEFAULT_CALL)
    out = {"method": call.get("method") or DEFAULT_CALL["method"]}
    if out["method"] == "video" and call.get("video_url"):
        out["video_url"] = call["video_url"]
    return out


def speaks(languages: list[str], wanted: str) -> bool:
    """"en" matches "en" and "en-GB"; "en-GB" matches only itself (case-insensitive)."""
    wanted = wanted.lower()
    return any(code.lower() == wanted or code.lower().startswith(wanted + "-") for code in languages)


@dataclass(frozen=True)
class Schedule:
    """A clinician's weekly windows, date overrides and time off; `version` rises on every change."""
    clinician_id: str
    version: int = 0
    weekly: list = field(default_factory=list)
    overrides: list = field(default_factory=list)
    time_off: list = field(default_factory=list)

    def replaced(self, weekly: list, overrides: list, time_off: list) -> Schedule:
        return Schedule(self.clinician_id, self.version + 1, weekly, overrides, time_off)

    def bumped(self) -> Schedule:
        """The same windows under a new version (the clinician's zone changed, so their instants did)."""
        return replace(self, version=self.version + 1)

    def as_dict(self) -> dict:
        return {"weekly": self.weekly, "overrides": self.overrides, "time_off": self.time_off}

    def event_data(self, time_zone: str) -> dict:
        """`availability.changed` data: the whole schedule, as date and datetime values for its schema."""
        overrides = [{"date": date.fromisoformat(o["date"]), "windows": o["windows"]} for o in self.overrides]
        time_off = [{"start": datetime.fromisoformat(t["start"]), "end": datetime.fromisoformat(t["end"])}
                    for t in self.time_off]
        return {"clinician_id": self.clinician_id, "version": self.version, "time_zone": time_zone,
                "weekly": self.weekly, "overrides": overrides, "time_off": time_off}
