"""`EMAIL_BACKEND`: whatever Django sends (password resets, admin e-mails) goes through the outbox,
in the caller's transaction, and is delivered by the dispatcher through KL14_EMAIL_BACKEND."""

from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .outbox import messages_write

        return messages_write(list(email_messages))
