"""The one place where other apps react to what the ledger records.

`entry_appended` is sent *inside* the transaction that appends the entry (never on commit), so what
a receiver writes — outbox rows for notifications, roll-up counters — commits or rolls back together
with the change it follows: a receiver that raises undoes the whole step. Receivers must therefore
be quick and write only rows; anything slow or external goes through an outbox row delivered
later."""

from django.dispatch import Signal

# sender=LedgerEntry; kwargs: entry (the LedgerEntry just written), proposal (the locked Proposal).
entry_appended = Signal()
