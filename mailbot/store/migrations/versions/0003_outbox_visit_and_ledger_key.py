"""Tie emails to the visit they are about, and allow one ledger entry of each type per visit

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_emails_visit_id'), ['visit_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_emails_visit_id_visits', 'visits', ['visit_id'], ['id'])

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_ledger_visit_entry_type', ['visit_id', 'entry_type'])


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ledger_visit_entry_type', type_='unique')

    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_emails_visit_id_visits', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_emails_visit_id'))
        batch_op.drop_column('visit_id')
