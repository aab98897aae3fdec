"""outbox publication sequence: the relay numbers rows as it marks them sent; the feed's cursor

Revision ID: d7c0d0d11301
Revises: (the staff service's newest revision)
"""
from alembic import op

from shared.messaging.tables import add_publication_sequence, drop_publication_sequence

revision = 'd7c0d0d11301'
# TEMPORARY (H3, parallel work): follows the newest other revision (the staff service's newest migration); the
# lead's merge sets the assigned value: chains it after H7's newest
def _head(wanted: str) -> str:
    import pathlib
    import re as _re
    found = {}
    for f in pathlib.Path(__file__).parent.glob("*.py"):
        text = f.read_text()
        rev = _re.search(r"^revision = '(\w+)'", text, _re.MULTILINE)
        down = _re.search(r"^down_revision = '(\w+)'", text, _re.MULTILINE)
        if rev and rev.group(1) != revision:
            found[rev.group(1)] = down.group(1) if down else None
    if wanted in found:
        return wanted
    mine = {revision}
    while any(d in mine and r not in mine for r, d in found.items()):  # those after this one
        mine |= {r for r, d in found.items() if d in mine}
    found = {r: d for r, d in found.items() if r not in mine}
    downs = set(found.values())
    return min(r for r in found if r not in downs)


down_revision = _head('')
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_publication_sequence(op)


def downgrade() -> None:
    drop_publication_sequence(op)
