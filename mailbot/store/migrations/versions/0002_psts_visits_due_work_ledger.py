"""Add the PST register, visits, due work and the ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('psts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('school', sa.Text(), nullable=False),
    sa.Column('headteacher_name', sa.Text(), nullable=True),
    sa.Column('headteacher_email', sa.String(length=320), nullable=False),
    sa.Column('phase', sa.String(length=64), nullable=False),
    sa.Column('subjects', sa.JSON(), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('designated_on', sa.Date(), nullable=False),
    sa.Column('max_visits_per_term', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('session', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('calendar_uid', sa.String(length=255), nullable=False),
    sa.Column('calendar_sequence', sa.Integer(), nullable=False),
    sa.Column('half_days', sa.Integer(), nullable=False),
    sa.Column('plan_received_at', sa.DateTime(), nullable=True),
    sa.Column('plan_forwarded_at', sa.DateTime(), nullable=True),
    sa.Column('plan_filename', sa.Text(), nullable=True),
    sa.Column('feedback_rating', sa.Integer(), nullable=True),
    sa.Column('feedback_comments', sa.Text(), nullable=True),
    sa.Column('feedback_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('calendar_uid')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_case_id'), ['case_id'], unique=False)

    op.create_table('due_work',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('pst_id', sa.Integer(), nullable=True),
    sa.Column('once_key', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['pst_id'], ['psts.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('once_key')
    )
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_work_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_due_work_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_work_pst_id'), ['pst_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_work_visit_id'), ['visit_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=32), nullable=False),
    sa.Column('school', sa.Text(), nullable=False),
    sa.Column('entry_type', sa.String(length=16), nullable=False),
    sa.Column('half_days', sa.Integer(), nullable=False),
    sa.Column('rate_pence', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_term'), ['term'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_visit_id'), ['visit_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pst_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('host_headteacher_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('host_headteacher_email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('shortlist', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('excluded_pst_emails', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('state_before_hold', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_pst_id'), ['pst_id'], unique=False)
        batch_op.create_foreign_key('fk_cases_pst_id_psts', 'psts', ['pst_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_pst_id_psts', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_pst_id'))
        batch_op.drop_column('state_before_hold')
        batch_op.drop_column('excluded_pst_emails')
        batch_op.drop_column('shortlist')
        batch_op.drop_column('host_headteacher_email')
        batch_op.drop_column('host_headteacher_name')
        batch_op.drop_column('pst_id')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_visit_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_term'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_case_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_work_visit_id'))
        batch_op.drop_index(batch_op.f('ix_due_work_pst_id'))
        batch_op.drop_index('ix_due_work_due')
        batch_op.drop_index(batch_op.f('ix_due_work_case_id'))

    op.drop_table('due_work')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_case_id'))

    op.drop_table('visits')
    op.drop_table('psts')
