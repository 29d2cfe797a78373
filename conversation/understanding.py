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
from collections.abc import Callable
from dataclasses import dataclass, field

from catalog.normalize import normalize_text
from catalog.vehicle_ids import VehicleId, find_vehicle_ids
from catalog.vocabulary import Vocabulary
from conversation.replies import is_filler
from conversation.replies import yes_or_no as short_yes_or_no
from conversation.words import (
    CLOSING_WORDS,
    NEGATIONS,
    NO_EXTRA,
    NO_WORDS,
    OTHER_WORDS,
    SAME_WORDS,
    YES_EXTRA,
    YES_WORDS,
)
from conversation.years import YearRange, answer_year, year_said
from shopkernel.numerals import MIN_YEAR, fold_digits, max_year

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
_YES_NO_WORDS = _YES_WORDS | _NO_WORDS | CLOSING_WORDS | YES_EXTRA | NO_EXTRA
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
    kept, wrong = taken_back(facts.text, vocab)
    if wrong:  # "not Corolla, Camry": read without the name the customer takes back
        facts = MessageFacts(kept, facts.intent, _entities_without(facts, wrong))
    facts = MessageFacts(facts.text, facts.intent, _without_fillers(facts.entities))
    mention = vocab.parse(facts.text)
    _read_make_model(facts, mention, reading, requested_slot, strict)
    _read_year(facts, reading, current, requested_slot, strict, catalog_years(vocab))
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
    if answer is not None or facts.is_payload:
        return answer
    answer = short_yes_or_no(facts.text)  # "la2", "اي نعم", "no thanks" whatever NLU said
    if answer is not None or len(facts.text.split()) > SHORT_ANSWER_WORDS + 1:
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
    if is_filler(text):
        make, model = mention.make, mention.model  # "I mean", "يعني": nothing to check
    if not model and not strict and requested_slot == "model" and facts.intent == "inform" and not make:
        model = text if not is_filler(text) else None  # the answer to "which model?": say which exist
    if not make and not strict and requested_slot == "make" and facts.intent == "inform" and not model:
        make = text if not is_filler(text) else None
    if make and "make" not in reading.candidates:
        reading.candidates["make"] = make
    if model and "model" not in reading.candidates:
        reading.candidates["model"] = model


def _read_year(facts, reading: Reading, current, requested_slot, strict: bool, span: YearRange) -> None:  # noqa: ANN001
    """ "14 model", "موديل ١٧", "2k19", "'16", "twenty twenty", "2016 not 2015"; "15" for "which year?"."""
    said = year_said(facts.text, current.get("year"), span)
    if said is None and requested_slot == "year" and not strict:
        said = answer_year(facts.text, span)
    year: str | None = str(said) if said else None
    if not year and not strict:
        entity = facts.entity("year")
        if entity and year_said(entity, None, span):
            year = str(year_said(entity, None, span))
    digits = any(ch.isdigit() for ch in fold_digits(facts.text))
    if not year and requested_slot == "year" and not strict and facts.intent == "inform" and digits:
        year = facts.text.strip()  # digits that are no year: validation says what a year looks like
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
    if part and not mention.part_matched and is_filler(part):
        part = None  # "the", "بس", "ya3ni": never a part
    if part:
        reading.candidates["part"] = part


def years_said(text: str, current: str | None, span: YearRange | None = None) -> str | None:
    """The model year a message gives as text, understanding corrections ("2016 not 2015")."""
    year = year_said(text, current, span)
    return str(year) if year else None


def catalog_years(vocab: Vocabulary | None) -> YearRange:
    """The model years the catalog covers (the default 1950..next year without fitments)."""
    covered = vocab.years_covered() if vocab is not None else None
    return YearRange(*covered) if covered else YearRange(MIN_YEAR, max_year())


_PIECES = re.compile(r"[^\s,،.;!?]+|[,،.;!?]")


def negated_names(text: str, vocab: Vocabulary) -> list[str]:
    """Names the customer takes back: "not Corolla, Camry", "Camry mo Corolla", "بدل كورولا"."""
    return taken_back(text, vocab)[1]


def taken_back(text: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """The text without the names it takes back, and those names.

    A name taken back is the words right after a negation ("not", "mo", "مو", "بدل") that name a
    make, model or part (up to three words, never across a comma).
    """
    pieces = _PIECES.findall(text)
    drop: set[int] = set()
    wrong: list[str] = []
    for i, piece in enumerate(pieces):
        if normalize_text(piece) not in _NEGATIONS:
            continue
        for size in (3, 2, 1):
            span = pieces[i + 1 : i + 1 + size]
            if len(span) < size or any(not p[0].isalnum() for p in span):
                continue
            if year_said(" ".join(span)) is not None:
                continue  # "not 2015": years are read by conversation/years.py
            if _one_name(span, vocab):
                wrong.append(" ".join(span))
                drop |= {i, *range(i + 1, i + 1 + size)}
                break
    kept = " ".join(p for i, p in enumerate(pieces) if i not in drop)
    return kept, wrong


def _names_in(text: str, vocab: Vocabulary) -> set[str]:
    mention = vocab.parse(text)
    return {n for n in (mention.make, mention.model, mention.part if mention.part_matched else None) if n}


def _one_name(span: list[str], vocab: Vocabulary) -> bool:
    """The words name something, and their tail names nothing else ("كورولا كامري" is two names)."""
    whole = _names_in(" ".join(span), vocab)
    return bool(whole) and (len(span) == 1 or _names_in(" ".join(span[1:]), vocab) <= whole)


def _entities_without(facts: MessageFacts, names: list[str]) -> tuple[dict, ...]:
    wrong = {normalize_text(n) for n in names}
    return tuple(
        e for e in facts.entities
        if normalize_text(str(e.get("value") or "")) not in wrong
        and normalize_text(facts.text[e["start"] : e["end"]] if "start" in e else "") not in wrong
    )  # fmt: skip


def _without_fillers(entities: tuple[dict, ...]) -> tuple[dict, ...]:
    """NLU sometimes tags "I mean", "model", "بس" as a part or model: those are no values."""
    kept = []
    for entity in entities:
        if entity.get("entity") in ("part", "make", "model") and is_filler(str(entity.get("value") or "")):
            continue
        kept.append(entity)
    return tuple(kept)


def stale_slots(
    previous: dict[str, str | None],
    now: dict[str, str | None],
    mentioned: set[str],
    has_year: Callable[[str | None, str, int], bool | None] | None = None,
) -> set[str]:
    """Slots a correction makes wrong: it changes one thing and keeps the rest.

    A new make without a model forgets the model (it belongs to the old make). A new model
    keeps the part and the year, unless the catalog says the new model has no parts for that
    year (``has_year`` False), then the year is asked again. Values the message gave stay.
    """
    stale: set[str] = set()
    if (
        now.get("make")
        and previous.get("make")
        and now["make"] != previous["make"]
        and "model" not in mentioned
    ):
        stale.add("model")
    model_changed = now.get("model") and previous.get("model") and now["model"] != previous["model"]
    year = now.get("year")
    known = model_changed and year and str(year).isdigit() and has_year is not None
    if known and has_year(now.get("make"), str(now["model"]), int(year)) is False:
        stale.add("year")
    return stale - mentioned


def parse_year(value: str | int, requested: bool = False, span: YearRange | None = None) -> int | None:
    """A 4-digit model year from "2015", "٢٠١٥", "2k19", "14 model"; "15" when the bot asked for the year."""
    span = span or YearRange(MIN_YEAR, max_year())
    return answer_year(str(value), span) if requested else year_said(str(value), None, span)
