"""Initial catalog schema: every table in catalog/schema.py.

Generated with ``alembic revision --autogenerate`` and reviewed; ``now()`` defaults
are written as ``sa.func.now()`` so the same revision runs on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 02:35:19.596905
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_ar", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_categories_name")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_user_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("handoff_active", sa.Boolean(), nullable=False),
        sa.Column("handoff_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("channel_user_id", name=op.f("uq_customers_channel_user_id")),
    )
    op.create_table(
        "frame_codes",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("make", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("engine", sa.String(length=64), nullable=True),
        sa.Column("year_from", sa.Integer(), nullable=True),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_frame_codes")),
    )
    op.create_table(
        "makes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_ar", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_makes")),
        sa.UniqueConstraint("name", name=op.f("uq_makes_name")),
    )
    op.create_table(
        "vin_lookups",
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("vin", name=op.f("pk_vin_lookups")),
    )
    op.create_table(
        "category_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("term_norm", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_category_synonyms_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_synonyms")),
        sa.UniqueConstraint("category_id", "term_norm", name="uq_category_synonyms_category_term"),
    )
    with op.batch_alter_table("category_synonyms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_synonyms_term_norm"), ["term_norm"], unique=False)

    op.create_table(
        "customer_vehicles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("frame_number", sa.String(length=32), nullable=True),
        sa.Column("make", sa.String(length=64), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("engine", sa.String(length=64), nullable=True),
        sa.Column("decoded", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_vehicles_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_vehicles")),
    )
    with op.batch_alter_table("customer_vehicles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_vehicles_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "make_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("make_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("alias_norm", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["make_id"], ["makes.id"], name=op.f("fk_make_aliases_make_id_makes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_make_aliases")),
        sa.UniqueConstraint("make_id", "alias_norm", name="uq_make_aliases_make_alias"),
    )
    with op.batch_alter_table("make_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_make_aliases_alias_norm"), ["alias_norm"], unique=False)

    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("make_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_ar", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["make_id"], ["makes.id"], name=op.f("fk_models_make_id_makes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("make_id", "name", name="uq_models_make_name"),
    )
    op.create_table(
        "parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(length=64), nullable=False),
        sa.Column("part_number", sa.String(length=64), nullable=False),
        sa.Column("part_number_norm", sa.String(length=64), nullable=False),
        sa.Column("price_aed", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "condition IN ('genuine', 'oem', 'aftermarket', 'used')", name=op.f("ck_parts_condition")
        ),
        sa.CheckConstraint("price_aed >= 0", name=op.f("ck_parts_price_non_negative")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_parts_stock_non_negative")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_parts_category_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint("sku", name=op.f("uq_parts_sku")),
    )
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parts_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parts_part_number_norm"), ["part_number_norm"], unique=False)

    op.create_table(
        "fitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("make_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=False),
        sa.Column("year_to", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.CheckConstraint("year_from <= year_to", name=op.f("ck_fitments_year_range")),
        sa.ForeignKeyConstraint(["make_id"], ["makes.id"], name=op.f("fk_fitments_make_id_makes")),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name=op.f("fk_fitments_model_id_models")),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_fitments_part_id_parts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitments")),
        sa.UniqueConstraint(
            "part_id", "model_id", "year_from", "year_to", "engine", name="uq_fitments_part_vehicle"
        ),
    )
    with op.batch_alter_table("fitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fitments_part_id"), ["part_id"], unique=False)
        batch_op.create_index("ix_fitments_vehicle", ["model_id", "year_from", "year_to"], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel_user_id", sa.String(length=64), nullable=False),
        sa.Column("customer_name", sa.String(length=128), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("make", sa.String(length=64), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("vin", sa.String(length=32), nullable=True),
        sa.Column("part_query", sa.String(length=255), nullable=True),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("price_aed", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('quote', 'not_found', 'handoff')", name=op.f("ck_leads_kind")),
        sa.CheckConstraint(
            "status IN ('new', 'needs_human', 'pending_retry', 'quoted', 'won', 'lost', 'closed')",
            name=op.f("ck_leads_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_leads_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_leads_part_id_parts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_channel_user_id"), ["channel_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_status"), ["status"], unique=False)

    op.create_table(
        "model_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("alias_norm", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_model_aliases_model_id_models"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_aliases")),
        sa.UniqueConstraint("model_id", "alias_norm", name="uq_model_aliases_model_alias"),
    )
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_aliases_alias_norm"), ["alias_norm"], unique=False)

    op.create_table(
        "part_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_norm", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('oem', 'interchange', 'supplier', 'superseded')", name=op.f("ck_part_numbers_kind")
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_numbers_part_id_parts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_numbers")),
        sa.UniqueConstraint("part_id", "number_norm", name="uq_part_numbers_part_number"),
    )
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_numbers_number_norm"), ["number_norm"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_numbers_part_id"), ["part_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_numbers_part_id"))
        batch_op.drop_index(batch_op.f("ix_part_numbers_number_norm"))

    op.drop_table("part_numbers")
    with op.batch_alter_table("model_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_aliases_alias_norm"))

    op.drop_table("model_aliases")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_status"))
        batch_op.drop_index(batch_op.f("ix_leads_customer_id"))
        batch_op.drop_index(batch_op.f("ix_leads_channel_user_id"))

    op.drop_table("leads")
    with op.batch_alter_table("fitments", schema=None) as batch_op:
        batch_op.drop_index("ix_fitments_vehicle")
        batch_op.drop_index(batch_op.f("ix_fitments_part_id"))

    op.drop_table("fitments")
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parts_part_number_norm"))
        batch_op.drop_index(batch_op.f("ix_parts_category_id"))

    op.drop_table("parts")
    op.drop_table("models")
    with op.batch_alter_table("make_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_make_aliases_alias_norm"))

    op.drop_table("make_aliases")
    with op.batch_alter_table("customer_vehicles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_vehicles_customer_id"))

    op.drop_table("customer_vehicles")
    with op.batch_alter_table("category_synonyms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_synonyms_term_norm"))

    op.drop_table("category_synonyms")
    op.drop_table("vin_lookups")
    op.drop_table("makes")
    op.drop_table("frame_codes")
    op.drop_table("customers")
    op.drop_table("categories")
