"""What one customer message says about the vehicle and the part, as slot candidates.

Rasa's entity extraction is good but not perfect, least of all on Arabic and Arabizi, so
every message is read twice: the NLU entities, and :meth:`Vocabulary.parse` on the raw text
(which knows every make, model and part spelling in the catalog). VINs and frame numbers go
through :func:`catalog.vehicle_ids.find_vehicle_ids`. The result is a set of *candidates*;
``validate_part_form`` (actions/forms.py) then checks each against the catalog and decides what to say.

No Rasa imports here: this is plain Python, unit-tested on its own. The short words it reads
(yes/no, negations, "same car") are in ``catalog/vocabulary/conversation_words.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.vehicle_ids import VehicleId, find_vehicle_ids
from catalog.vocabulary import Vocabulary
from conversation.words import CLOSING_WORDS, NEGATIONS, NO_WORDS, OTHER_WORDS, SAME_WORDS, YES_WORDS
from shopkernel.numerals import MIN_YEAR, expand_two_digit_year, fold_digits, max_year

FORM_SLOTS = ("part", "make", "model", "year")
# Intents whose text may carry vehicle or part details. Others (store questions, handoff,
# goodbye...) leave the form untouched so that their own rules answer them.
READ_INTENTS = frozenset({"request_part", "inform", "nlu_fallback"})
# Words that mark the value after them as the wrong one: "2016 not 2015", "مو 2015".
_NEGATIONS = NEGATIONS
_ANSWER_INTENTS = frozenset({"affirm", "deny", "choose_part", "nlu_fallback"})
# Sent by the media pipeline for a registration-card photo: /chassis_photo{"vin": ...} or
# {"frame_number": ...}, and /unreadable_photo.
PHOTO_INTENTS = frozenset({"chassis_photo", "unreadable_photo"})
_YES_WORDS = YES_WORDS
_NO_WORDS = NO_WORDS
_YES_NO_WORDS = _YES_WORDS | _NO_WORDS | CLOSING_WORDS
_YEAR_TOKEN = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_TWO_DIGITS = re.compile(r"^\s*'?(\d{2})\s*$")
SHORT_ANSWER_WORDS = 3


@dataclass(frozen=True)
class MessageFacts:
    """The parts of a Rasa user message the reading needs."""

    text: str
    intent: str | None
    entities: tuple[dict, ...] = ()

    @property
    def is_payload(self) -> bool:
        """A button/list tap (``/inform{"model": "Prado"}``): trust its entities, not the text."""
        return self.text.startswith("/")

    def entity(self, name: str) -> str | None:
        """The last value NLU found for an entity (later mentions correct earlier ones)."""
        values = [str(e.get("value")) for e in self.entities if e.get("entity") == name and e.get("value")]
        return values[-1] if values else None


@dataclass
class Reading:
    """Slot candidates from one message, before validation against the catalog."""

    candidates: dict[str, str] = field(default_factory=dict)  # form slots -> text to validate
    vin: str | None = None
    vehicle_id: VehicleId | None = None  # set when a VIN/frame number was found (valid or not)
    part_number: str | None = None
    part_number_cleared: bool = False

    @property
    def empty(self) -> bool:
        return not (self.candidates or self.vehicle_id or self.part_number or self.part_number_cleared)


def read_message(
    facts: MessageFacts,
    vocab: Vocabulary,
    current: dict[str, str | None],
    requested_slot: str | None = None,
) -> Reading:
    """Candidates for part/make/model/year (+ VIN, part number) in one message.

    ``current`` holds the slots before this message (to read corrections such as "2016 not 2015").
    """
    reading = Reading()
    intent = facts.intent
    if is_answer_to_question(facts, requested_slot):
        intent = "inform"
    if intent not in READ_INTENTS and not facts.is_payload:
        return reading
    if intent != facts.intent:
        facts = MessageFacts(text=facts.text, intent=intent, entities=facts.entities)
    if facts.is_payload:
        if facts.intent in PHOTO_INTENTS:
            return reading  # a photo's number is confirmed by the customer first (actions/forms.py)
        number = facts.entity("vin") or facts.entity("frame_number")
        if number:  # a tapped "did you mean <VIN>?": read exactly as if it had been typed
            read_vehicle_id(MessageFacts(text=number, intent="inform"), reading)
        for slot in FORM_SLOTS:
            value = facts.entity(slot)
            if value:
                reading.candidates[slot] = value
        reading.part_number = facts.entity("part_number")
        return reading

    strict = facts.intent == "nlu_fallback"  # unsure NLU: only what the catalog recognises
    read_vehicle_id(facts, reading)
    if reading.vehicle_id:
        # the rest of the message only, and never as the answer to the form's question: the
        # number was the answer, words around it ("رقم الشاصي", "my vin is") are not a make
        raw = reading.vehicle_id.raw
        if raw and raw in facts.text:
            facts = MessageFacts(facts.text.replace(raw, " ").strip(), facts.intent, facts.entities)
        requested_slot = None
    mention = vocab.parse(facts.text)
    _read_make_model(facts, mention, reading, requested_slot, strict)
    _read_year(facts, mention, reading, current, requested_slot, strict)
    _read_part(facts, mention, reading, requested_slot, strict)
    number = mention.part_number or (None if strict else facts.entity("part_number"))
    if number and not reading.vehicle_id:
        reading.part_number = number
    elif "part" in reading.candidates and current.get("part_number"):
        reading.part_number_cleared = True  # a new part by name: stop searching by number
    return reading


def says_yes_or_no(text: str) -> bool:
    """The message contains a yes/no/cancel word (then affirm/deny really are affirm/deny)."""
    return bool(set(re.findall(r"\w+", text.lower())) & _YES_NO_WORDS)


def yes_or_no(facts: MessageFacts) -> str | None:
    """``"yes"``/``"no"`` when the message answers a yes/no question (a tap, or a typed yes/no word)."""
    if facts.intent not in ("affirm", "deny"):
        return None
    if not (facts.is_payload or says_yes_or_no(facts.text)):
        return None
    return "yes" if facts.intent == "affirm" else "no"


_SAME_WORDS = SAME_WORDS
_OTHER_WORDS = OTHER_WORDS


def answer_to_pending(facts: MessageFacts) -> str | None:
    """Yes/no to "Same car as last time?" / "Is your chassis number …?".

    The intent decides when it agrees with a yes/no word; otherwise a short reply is read by its
    words ("yup" filed under inform, "same car", "another car", "wrong"), since NLU can misfile
    one-word answers and the question is ours.
    """
    answer = yes_or_no(facts)
    if answer is not None or facts.is_payload or len(facts.text.split()) > SHORT_ANSWER_WORDS + 1:
        return answer
    words = set(re.findall(r"\w+", facts.text.lower()))
    if words & (_NO_WORDS | _OTHER_WORDS):
        return "no"
    return "yes" if words & (_YES_WORDS | _SAME_WORDS) else None


def vehicle_candidates(vid: VehicleId) -> dict[str, str]:
    """What a valid chassis number says for sure: make, and model/year when known."""
    if not vid.valid:
        return {}
    return {slot: str(value) for slot, value in (("make", vid.make), ("model", vid.model), ("year", vid.year))
            if value}  # fmt: skip


def is_answer_to_question(facts: MessageFacts, requested_slot: str | None) -> bool:
    """A short reply to the form's question that NLU filed under affirm/deny/choose/fallback.

    DIET is confidently wrong on words it never saw ("corvette" -> affirm, "lamborghini" ->
    deny) and "15" looks like a pick; while the form waits for an answer, such a message is
    the answer, unless it says yes/no/cancel.
    """
    return (
        bool(requested_slot)
        and not facts.is_payload
        and facts.intent in _ANSWER_INTENTS
        and len(facts.text.split()) <= SHORT_ANSWER_WORDS
        and not says_yes_or_no(facts.text)
    )


def read_vehicle_id(facts: MessageFacts, reading: Reading) -> None:
    """The first chassis number in the message (offline decode, no database needed)."""
    found = find_vehicle_ids(facts.text)
    if not found:
        return
    vid = found[0]
    reading.vehicle_id = vid
    if vid.valid:
        reading.vin = vid.normalized
        reading.candidates.update(vehicle_candidates(vid))


def _read_make_model(facts, mention, reading: Reading, requested_slot, strict: bool) -> None:  # noqa: ANN001
    text = facts.text
    make = mention.make or (None if strict else facts.entity("make"))
    if not make and mention.make_candidates:
        make = text  # ambiguous or misspelt: validation offers the choices
    model = mention.model or (None if strict else facts.entity("model"))
    if not model and mention.model_candidates:
        model = text
    if not model and not strict and requested_slot == "model" and facts.intent == "inform" and not make:
        model = text  # the answer to "which model?" that nothing recognised: say which exist
    if not make and not strict and requested_slot == "make" and facts.intent == "inform" and not model:
        make = text
    if make and "make" not in reading.candidates:
        reading.candidates["make"] = make
    if model and "model" not in reading.candidates:
        reading.candidates["model"] = model


def _read_year(facts, mention, reading: Reading, current, requested_slot, strict: bool) -> None:  # noqa: ANN001
    years = years_said(facts.text, current.get("year"))
    year: str | None = years or (str(mention.year) if mention.year else None)
    if not year and not strict:
        entity = facts.entity("year")
        if entity:
            year = fold_digits(entity)
    if not year and requested_slot == "year" and not strict:
        two = _TWO_DIGITS.match(fold_digits(facts.text))
        if two:
            year = two.group(1)
        elif facts.intent == "inform" and any(ch.isdigit() for ch in fold_digits(facts.text)):
            year = facts.text.strip()
    if year and "year" not in reading.candidates:
        reading.candidates["year"] = year


def _read_part(facts, mention, reading: Reading, requested_slot, strict: bool) -> None:  # noqa: ANN001
    part: str | None = mention.part if mention.part_matched else None
    if not part and not strict:
        part = facts.entity("part")
    if not part and mention.part_candidates:
        part = facts.text
    asked_for_part = facts.intent == "request_part" or requested_slot == "part"
    if not part and not strict and asked_for_part and mention.part_text and not mention.part_number:
        part = mention.part_text  # not a category we know: free text for the search / staff
    if part:
        reading.candidates["part"] = part


def years_said(text: str, current: str | None) -> str | None:
    """The model year a message gives, understanding corrections ("2016 not 2015").

    A year right after a negation is the wrong one; with two years left, the one that is
    not the current slot value wins.
    """
    folded = fold_digits(text).lower()
    tokens = re.findall(r"\w+", folded)
    kept: list[str] = []
    for i, token in enumerate(tokens):
        if not _YEAR_TOKEN.fullmatch(token) or not (MIN_YEAR <= int(token) <= max_year()):
            continue
        before = tokens[max(0, i - 2) : i]
        if (before and before[-1] in _NEGATIONS) or before == ["instead", "of"]:
            continue
        kept.append(token)
    kept = list(dict.fromkeys(kept))
    if len(kept) > 1 and current in kept:
        kept.remove(current)
    return kept[-1] if kept else None


def stale_slots(previous: dict[str, str | None], now: dict[str, str | None], mentioned: set[str]) -> set[str]:
    """Slots that belonged to the customer's previous car once the make or model changed.

    A new make without a model forgets model and year; a new model without a year forgets
    the year. Values the message itself gave are never stale.
    """
    stale: set[str] = set()
    if now.get("make") and previous.get("make") and now["make"] != previous["make"]:
        stale |= {"model", "year"}
    if now.get("model") and previous.get("model") and now["model"] != previous["model"]:
        stale.add("year")
    return stale - mentioned


def parse_year(value: str | int, requested: bool = False) -> int | None:
    """A 4-digit model year from "2015", "٢٠١٥", or "15" when the bot just asked for the year."""
    text = fold_digits(str(value)).strip()
    found = _YEAR_TOKEN.search(text)
    if found:
        year = int(found.group(1))
        return year if MIN_YEAR <= year <= max_year() else None
    two = _TWO_DIGITS.match(text)
    if two and requested:
        return expand_two_digit_year(int(two.group(1)))
    return None
