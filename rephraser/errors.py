"""Exception types at the rephraser's boundaries.

Every failure of the language model maps to one of these; the service turns each into the
canned clarification, so none of them ever reaches a customer.
"""

from __future__ import annotations


class RephraserError(Exception):
    """Base class: anything that makes the rephraser fall back to canned text."""


class ModelError(RephraserError):
    """The language model call did not give usable text."""

    outcome = "model_error"


class ModelTimeout(ModelError):
    outcome = "timeout"


class ModelRateLimited(ModelError):
    """HTTP 429 from the provider (rate limit or exhausted quota)."""

    outcome = "provider_rate_limited"


class ModelUnavailable(ModelError):
    """5xx, connection refused or reset."""

    outcome = "provider_unavailable"


class ModelRejected(ModelError):
    """Any other 4xx: bad key, unknown model, request refused."""

    outcome = "provider_rejected"


class MalformedResponse(ModelError):
    """The HTTP body was not a chat completion (broken JSON, wrong shape, no content)."""

    outcome = "malformed_response"


class InvalidOutput(RephraserError):
    """The model answered, but its text failed validation (not JSON, too long, new facts)."""

    outcome = "invalid_output"


class NLUUnavailable(RephraserError):
    """Rasa's ``/model/parse`` could not be reached or answered nonsense."""

    outcome = "nlu_unavailable"
