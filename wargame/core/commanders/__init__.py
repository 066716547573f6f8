"""Commanders: decision policies behind the one interface of ``rules.orders`` (``Commander``, ``Orders``).

The doctrine AI (``DoctrineCommander``) commands every faction by default: ``WarModel`` injects it into
the campaign for each faction that is not given another commander (a classroom team's, a test's).
"""

from __future__ import annotations

from wargame.core.commanders.doctrine import DoctrineCommander
from wargame.core.rules.orders import Commander, Orders

DOCTRINE = DoctrineCommander()

__all__ = ["DOCTRINE", "Commander", "DoctrineCommander", "Orders"]
