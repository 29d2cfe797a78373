"""Idempotent leads: ``leads.source_key`` ("<kind>:<WhatsApp message id>"), unique.

A turn that is re-driven after its Rasa server died (connectors/whatsapp/inbox.py) runs the
same actions again; the key makes the second ``record_lead`` return the first lead.

Revision ID: 0003_lead_source_key
Revises: 0002_staff_handoff
Create Date: 2026-12-02 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_lead_source_key"
down_revision = "0002_staff_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("source_key", sa.String(length=300), nullable=True))
        batch.create_unique_constraint(op.f("uq_leads_source_key"), ["source_key"])


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint(op.f("uq_leads_source_key"), type_="unique")
        batch.drop_column("source_key")
