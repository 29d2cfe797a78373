"""Staff console: staff accounts, sessions, sign-in failures; lead workflow columns and history.

Lead statuses written by the assistant before the console are mapped to the sales workflow:
``needs_human`` and ``pending_retry`` become ``new`` (the kind and ``details.reason`` still say
why), ``closed`` becomes ``lost`` with the reason "closed before the console".

Revision ID: 0004_staff_console
Revises: 0003_lead_source_key
Create Date: 2026-12-02 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_staff_console"
down_revision = "0003_lead_source_key"
branch_labels = None
depends_on = None

NEW_STATUSES = "status IN ('new', 'contacted', 'quoted', 'won', 'lost')"
NEW_KINDS = "kind IN ('quote', 'not_found', 'handoff', 'website')"
OLD_STATUSES = "status IN ('new', 'needs_human', 'pending_retry', 'quoted', 'won', 'lost', 'closed')"
OLD_KINDS = "kind IN ('quote', 'not_found', 'handoff')"


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('agent', 'designer', 'admin')", name=op.f("ck_staff_users_role")),
        sa.CheckConstraint("lang IN ('en', 'ar')", name=op.f("ck_staff_users_lang")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    op.create_index(op.f("ix_staff_login_failures_username"), "staff_login_failures", ["username"])
    op.create_index(
        op.f("ix_staff_login_failures_client_address"), "staff_login_failures", ["client_address"]
    )
    op.create_index(op.f("ix_staff_login_failures_at"), "staff_login_failures", ["at"])

    # Widen the constraints first (old and new values both allowed), map the data, then narrow.
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("assigned_to", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("lost_reason", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint(op.f("ck_leads_status"), type_="check")
        batch.drop_constraint(op.f("ck_leads_kind"), type_="check")
        batch.create_index(batch.f("ix_leads_assigned_to"), ["assigned_to"])
        batch.create_index(batch.f("ix_leads_created_at"), ["created_at"])
    op.execute("UPDATE leads SET status = 'new' WHERE status IN ('needs_human', 'pending_retry')")
    op.execute(
        "UPDATE leads SET status = 'lost', lost_reason = 'closed before the console' "
        "WHERE status = 'closed'"
    )
    with op.batch_alter_table("leads") as batch:
        batch.create_check_constraint("status", NEW_STATUSES)
        batch.create_check_constraint("kind", NEW_KINDS)

    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_value", sa.String(length=64), nullable=True),
        sa.Column("new_value", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('created', 'status', 'note', 'assign')", name=op.f("ck_lead_events_kind")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_events_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_events")),
    )
    op.create_index(op.f("ix_lead_events_lead_id"), "lead_events", ["lead_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lead_events_lead_id"), table_name="lead_events")
    op.drop_table("lead_events")
    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint(op.f("ck_leads_status"), type_="check")
        batch.drop_constraint(op.f("ck_leads_kind"), type_="check")
    op.execute("UPDATE leads SET status = 'closed' WHERE status = 'contacted'")
    op.execute("UPDATE leads SET kind = 'quote' WHERE kind = 'website'")
    with op.batch_alter_table("leads") as batch:
        batch.drop_index(batch.f("ix_leads_created_at"))
        batch.drop_index(batch.f("ix_leads_assigned_to"))
        batch.drop_column("status_changed_at")
        batch.drop_column("lost_reason")
        batch.drop_column("assigned_to")
        batch.create_check_constraint("status", OLD_STATUSES)
        batch.create_check_constraint("kind", OLD_KINDS)
    op.drop_index(op.f("ix_staff_login_failures_at"), table_name="staff_login_failures")
    op.drop_index(op.f("ix_staff_login_failures_client_address"), table_name="staff_login_failures")
    op.drop_index(op.f("ix_staff_login_failures_username"), table_name="staff_login_failures")
    op.drop_table("staff_login_failures")
    op.drop_index(op.f("ix_staff_sessions_user_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
