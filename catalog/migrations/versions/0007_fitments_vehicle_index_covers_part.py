"""The fitments vehicle index carries ``part_id``: a vehicle's parts are read from the index alone.

Revision ID: 0007_fitments_vehicle_covering
Revises: 0006_privacy_erasures
Create Date: 2026-12-03 17:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0007_fitments_vehicle_covering"
down_revision = "0006_privacy_erasures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_fitments_vehicle", table_name="fitments")
    op.create_index("ix_fitments_vehicle", "fitments", ["model_id", "year_from", "year_to", "part_id"])


def downgrade() -> None:
    op.drop_index("ix_fitments_vehicle", table_name="fitments")
    op.create_index("ix_fitments_vehicle", "fitments", ["model_id", "year_from", "year_to"])
