"""Customers' data erasure requests: ``privacy_erasures`` (the audit trail, privacy/erase.py).

Revision ID: 0006_privacy_erasures
Revises: 0005_api_keys
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_privacy_erasures"
down_revision = "0005_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("pseudonym", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasures")),
    )
    op.create_index(
        op.f("ix_privacy_erasures_conversation_id"), "privacy_erasures", ["conversation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_privacy_erasures_conversation_id"), table_name="privacy_erasures")
    op.drop_table("privacy_erasures")
