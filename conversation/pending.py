"""The questions the parts form may be waiting on, and what an answer to them decides.

Three small state machines, no Rasa: the caller passes the message's yes/no answer and the
slots, and turns the decision into events and responses (actions/forms.py).

* "Is your chassis number JTM…?" (``chassis_pending``, after a photo): "yes" reads the number
  exactly as if the customer had typed it; "no" is acknowledged.
* "Same car as last time?" (``vehicle_offer``): "yes" takes the remembered vehicle.
* An invalid chassis number (``vin_retry``): explained once (None → "retry"); a second invalid
  number in a row falls back to make/model/year ("retry" → "gave_up"); anything else the
  customer gives resets it.
"""

from __future__ import annotations

from dataclasses import dataclass

RETRY, GAVE_UP = "retry", "gave_up"


@dataclass(frozen=True)
class PendingAnswer:
    """What an answer to a pending yes/no question means."""

    read_number: str | None = None  # "yes" to the chassis question: read this as the message
    declined_number: bool = False  # "no" to the chassis question: say we will not use it
    take_offer: bool = False  # "yes" to "same car as last time?"


def answer_pending(answer: str | None, chassis_pending: str | None, has_offer: bool) -> PendingAnswer | None:
    """The decision for a yes/no ``answer``, or None when it answers no pending question.

    The chassis question wins when both are pending (it is the one asked last).
    """
    if answer is None or not (chassis_pending or has_offer):
        return None
    if chassis_pending:
        if answer == "yes":
            return PendingAnswer(read_number=chassis_pending)
        return PendingAnswer(declined_number=True)
    return PendingAnswer(take_offer=answer == "yes")


@dataclass(frozen=True)
class VinStep:
    """The next ``vin_retry`` value and what to tell the customer."""

    retry: str | None
    say: str | None = None  # "explain" the problem (with suggestions) or "give_up"
    changed: bool = True  # False: leave the slot as it is


def next_vin_step(number_valid: bool | None, retry: str | None, gave_other_details: bool) -> VinStep:
    """``number_valid`` is None when the message held no chassis number."""
    if number_valid is None:
        return VinStep(None) if retry and gave_other_details else VinStep(retry, changed=False)
    if not number_valid:
        return VinStep(GAVE_UP, "give_up") if retry else VinStep(RETRY, "explain")
    return VinStep(None) if retry else VinStep(retry, changed=False)
