"""`attune accounts create`: the practice's first admin (or any account) from the command line."""
from __future__ import annotations

import getpass
import json
import os
import sys

PASSWORD_VARIABLE = "ATTUNE_ACCOUNT_PASSWORD"  # for scripts and tests; people are prompted


def add_accounts_parser(sub) -> None:
    p = sub.add_parser("accounts", help="staff accounts (e.g. the first admin)")
    accounts = p.add_subparsers(dest="accounts_command", required=True)
    c = accounts.add_parser("create", help="create an account; prompts for its password")
    c.add_argument("--email", required=True)
    c.add_argument("--role", required=True, choices=("admin", "staff", "clinician"))
    c.add_argument("--name", default=None)
    c.add_argument("--clinician-id", default=None, help="the clinician a clinician account acts for")
    c.set_defaults(func=cmd_create)


def read_password() -> str:
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("attune: the passwords differ; nothing was created")
    return first


def cmd_create(args) -> None:
    from services.staff.bootstrap import bootstrap
    from services.staff.service_layer import accounts
    from services.staff.service_layer.errors import StaffError
    from shared.auth import OWNER
    from shared.runtime import migrate

    container = bootstrap()
    migrate(container)
    body = {"email": args.email, "name": args.name, "role": args.role, "clinician_id": args.clinician_id,
            "password": read_password()}
    try:  # the command line is the owner's own access (audited as `owner`)
        account = accounts.create(container, OWNER, body, container.clock.now())
    except StaffError as e:
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in (e.errors or {}).items())
        print(f"attune: account not created: {errors or e.detail}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        container.db.engine.dispose()
    print(json.dumps({k: v for k, v in account.items() if k != "created_at"}))
