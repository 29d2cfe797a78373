"""Staff handoff: who took over a customer, and every message staff sent over WhatsApp.

``customers.handoff_agent`` / ``handoff_taken_at`` (the console's "take over") and the
``staff_messages`` journal (written before each send; failures and Rasa-down sends kept).

Revision ID: 0002_staff_handoff
Revises: 0001
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_staff_handoff"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("handoff_agent", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("handoff_taken_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "staff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("wamid", sa.String(length=255), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record_error", sa.Text(), nullable=True),
        sa.Column("dedup_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('text', 'parts', 'template', 'notify')", name=op.f("ck_staff_messages_kind")
        ),
        sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f("ck_staff_messages_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_messages")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_staff_messages_dedup_key")),
    )
    op.create_index(op.f("ix_staff_messages_conversation_id"), "staff_messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_messages_conversation_id"), table_name="staff_messages")
    op.drop_table("staff_messages")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("handoff_taken_at")
        batch.drop_column("handoff_agent")
