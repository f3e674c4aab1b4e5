"""What messaging refuses, with the words shown to the person refused."""


class MessagingError(Exception):
    """A message that cannot be sent; the text is shown to the sender."""


class AttachmentError(MessagingError):
    """The attached file was refused (by the same checks as project files)."""


class ModerationError(Exception):
    """A moderation step that cannot be taken; the text is shown to the staff member."""


class AlreadyReviewed(ModerationError):
    """Someone else decided first; the text says who and what."""
