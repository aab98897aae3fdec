"""HTTP request and response shapes of the staff service."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.auth import ROLES
from shared.events import UtcDateTime


class Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class AccountIn(Strict):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    clinician_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    password = fields.String(required=True, load_only=True,
                             metadata={"description": "at least 12 characters, not a common password"})


class AccountOut(Schema):
    id = fields.String()
    email = fields.String(allow_none=True)
    name = fields.String()
    role = fields.String()
    clinician_id = fields.String(allow_none=True)
    active = fields.Boolean()
    totp = fields.Boolean(metadata={"description": "signs in with a TOTP code"})
    created_at = UtcDateTime(allow_none=True)
    status = fields.String(metadata={"description": "active, deactivated, or invited (no password yet)"})
    invitation = fields.Nested(lambda: AccountInvitation(), allow_none=True, metadata={
        "description": "an invited account's open invitation (in the list of accounts)"})


class AccountInvitation(Schema):
    id = fields.String()
    sent_at = UtcDateTime()
    expires_at = UtcDateTime()
    status = fields.String(metadata={"description": "pending, or expired (resend it for a new link)"})


class AccountList(Schema):
    accounts = fields.List(fields.Nested(AccountOut))


class AccountPatch(Strict):
    active = fields.Boolean()
    role = fields.String(validate=validate.OneOf(ROLES))
    clinician_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    name = fields.String(validate=validate.Length(min=1, max=200))


class PasswordIn(Strict):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024),
                             metadata={"description": "the new password: 12+ characters, not a common one"})
    current_password = fields.String(load_default=None, allow_none=True, load_only=True,
                                     validate=validate.Length(max=1024),
                                     metadata={"description": "required when the account changes its own"})


class TotpOut(Schema):
    otpauth_uri = fields.String(metadata={"description": "otpauth://totp/... for an authenticator app (QR code)"})
    secret = fields.String(metadata={"description": "the key (base32) in the URI, for typing into the app by hand"})
    qr_code = fields.String(metadata={"description": "the otpauth_uri as a QR code: an SVG `data:` URI for <img src>"})


class TotpSetupOut(TotpOut):
    setup_token = fields.String(metadata={"description": "sealed; give it back with the first code to "
                                                         "POST .../totp/confirm or POST /v1/sessions"})
    expires_at = UtcDateTime(metadata={"description": "the setup_token lapses then (10 minutes)"})


class TotpConfirmIn(Strict):
    setup_token = fields.String(required=True, validate=validate.Length(max=2048))
    otp = fields.String(required=True, validate=validate.Length(max=16),
                        metadata={"description": "the code the authenticator app shows now"})


class SessionIn(Strict):
    email = fields.String(required=True, validate=validate.Length(max=320))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))
    otp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    totp_setup_token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2048),
                                     metadata={"description": "from POST /v1/accounts/{id}/totp/setup: `otp` is "
                                               "then the first code of that key, which this sign-in turns on"})


class SessionOut(Schema):
    token = fields.String(metadata={"description": "send as Authorization: Bearer <token> to every service"})
    expires_at = UtcDateTime()
    account = fields.Nested(AccountOut)


class CurrentOut(Schema):
    account = fields.Nested(AccountOut)
    expires_at = UtcDateTime(allow_none=True)


class AuditQuery(Strict):
    account_id = fields.String(validate=validate.Length(max=64))
    subject = fields.String(validate=validate.Length(max=200))
    service = fields.String(validate=validate.Length(max=32))
    after = fields.String(validate=validate.Length(max=64),
                          metadata={"description": "a next_cursor from an earlier page, or an RFC 3339 time"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditEntry(Schema):
    at = UtcDateTime()
    account_id = fields.String(metadata={"description": "an account id, or `owner` for the admin token"})
    role = fields.String()
    owner_token = fields.Boolean()
    session_id = fields.String(allow_none=True)
    action = fields.String()
    service = fields.String()
    subject = fields.String(allow_none=True)


class AuditPage(Schema):
    entries = fields.List(fields.Nested(AuditEntry))
    next_cursor = fields.String(allow_none=True)


class IntegratorTokenIn(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80),
                         metadata={"description": "who or what uses it, e.g. `CRM sync` (1-80 characters)"})


class IntegratorTokenOut(Schema):
    id = fields.String(metadata={"description": "itk_...: the token's session id, as the audit log names it"})
    name = fields.String()
    hint = fields.String(metadata={"description": "the token's last 4 characters, to tell tokens apart"})
    created_by = fields.String(metadata={"description": "an account id, or `owner` for the admin token"})
    created_at = UtcDateTime()
    expires_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)
    status = fields.String(metadata={"description": "active, revoked or expired"})


class IntegratorTokenMade(IntegratorTokenOut):
    token = fields.String(metadata={"description": "Authorization: Bearer <token> for the read-only feeds "
                                                   "(GET /v1/events); shown only in this answer"})


class IntegratorTokenList(Schema):
    integrator_tokens = fields.List(fields.Nested(IntegratorTokenOut))


class InvitationIn(Strict):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    clinician_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                                 metadata={"description": "required for a clinician account"})


class InvitationOut(Schema):
    id = fields.String(metadata={"description": "inv_...; resend or revoke by it"})
    account_id = fields.String(metadata={"description": "the invited account (status `invited` until accepted)"})
    email = fields.String()
    name = fields.String()
    role = fields.String()
    clinician_id = fields.String(allow_none=True)
    created_at = UtcDateTime()
    sent_at = UtcDateTime(metadata={"description": "the latest (re)send"})
    sends = fields.Integer()
    expires_at = UtcDateTime(metadata={"description": "72 hours after the latest send"})
    status = fields.String(metadata={"description": "pending or expired"})


class InvitationList(Schema):
    invitations = fields.List(fields.Nested(InvitationOut))


class InvitationAcceptIn(Strict):
    token = fields.String(required=True, validate=validate.Length(min=1, max=256),
                          metadata={"description": "from the invitation link (#/invite/<token>)"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024),
                             metadata={"description": "the person's own password: 12+ characters, not a common one"})
