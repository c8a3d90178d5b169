"""Let staff ask for a set-aside message to be handled again, optionally under a case they name

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replay_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replay_requested_by', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('replay_case_reference', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbound_messages_replay_requested_at'), ['replay_requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_replay_requested_at'))
        batch_op.drop_column('replay_case_reference')
        batch_op.drop_column('replay_requested_by')
        batch_op.drop_column('replay_requested_at')
