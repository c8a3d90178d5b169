"""`mailbot pst`: the register of Peer Support Teachers."""

import click


@click.group(name="pst")
def pst() -> None:
    """Import, list and re-designate Peer Support Teachers."""
