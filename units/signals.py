"""What other apps may follow about the unit tree.

`unit_moved` is sent inside the transaction that moved a unit under another parent (its subtree
moves with it), after the move: what is kept per ancestor (the dashboard's roll-ups) follows."""

from django.dispatch import Signal

# sender=Unit; kwargs: unit (the moved Unit, reloaded).
unit_moved = Signal()
