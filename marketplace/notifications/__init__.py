"""Notifications: the bell, the e-mail outbox and its worker, and the scheduled follow-ups."""
