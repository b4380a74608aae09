"""What an embedding provider's failures are (shared by the HTTP providers and the local models)."""
from __future__ import annotations

from motion_ops.clients.redact import redact


class EmbeddingError(Exception):
    """A request failed in a way retrying the same request will not fix (the message carries no credentials)."""

    def __init__(self, message: str, *, status: int | None = None, too_large: bool = False, fatal: bool = False):
        super().__init__(redact(message))
        self.status = status
        self.too_large = too_large
        self.fatal = fatal


class ModelMismatch(EmbeddingError):
    """The provider answered for another model than configured."""
