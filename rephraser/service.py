"""The fallback rephraser: one place that decides whether, and how, to ask the model.

:meth:`FallbackRephraser.clarify` turns a message the NLU could not place into a
re-parsed request, or says why not (and the caller sends the canned clarification).
:meth:`FallbackRephraser.soften` optionally rewords a canned reply, keeping it only if
every figure survives unchanged. Neither ever raises for a model or network failure, and
nothing the model writes is shown to a customer except a softened reply that passed
:func:`rephraser.guard.check_facts`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from rephraser.client import ChatClient, Completion
from rephraser.errors import InvalidOutput, ModelError, ModelTimeout, NLUUnavailable
from rephraser.guard import check_facts, extract_facts
from rephraser.nlu import FALLBACK_INTENT, ParseResult, RasaParser
from rephraser.privacy import conversation_key, redact
from rephraser.prompts import Prompt, build_rephrase_prompt, build_soften_prompt, prompt_chars
from rephraser.settings import RephraserSettings
from rephraser.usage import Limits, UsageStore, estimate_tokens
from rephraser.validate import check_shape, read_json_field, validate_rephrasing
from shopkernel.masking import mask_phone

log = logging.getLogger("rephraser")

_WORD_CHARS = re.compile(r"\w", re.UNICODE)
_MIN_WORD_CHARS = 3

# Clarification.status values
REPHRASED = "rephrased"
NO_KEY = "no_key"
SKIPPED = "skipped"
UNCLEAR = "unclear"
STILL_UNCLEAR = "still_unclear"
NO_PROGRESS = "no_progress"
STORE_UNAVAILABLE = "usage_store_unavailable"


@dataclass(frozen=True)
class Clarification:
    """What :meth:`FallbackRephraser.clarify` found; ``parse`` is set only on success."""

    status: str
    rephrased: str | None = None
    parse: ParseResult | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def understood(self) -> bool:
        return self.status == REPHRASED and self.parse is not None


@dataclass(frozen=True)
class _Call:
    """One settled model call: its text (if any) and what it cost."""

    status: str
    content: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class FallbackRephraser:
    """Build once per process (``from_env``), share across turns, ``aclose`` at shutdown."""

    def __init__(
        self,
        settings: RephraserSettings,
        *,
        store: UsageStore | None = None,
        chat: ChatClient | None = None,
        parser: RasaParser | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        limits = Limits(settings.rate_per_customer, settings.rate_global, settings.daily_token_budget)
        self.store = store or UsageStore(settings.database_url, limits, clock)
        self._chat = chat
        self._parser = parser

    @classmethod
    def from_env(cls) -> FallbackRephraser:
        return cls(RephraserSettings.from_env())

    # ------------------------------------------------------------------ lazily built clients
    @property
    def chat(self) -> ChatClient:
        if self._chat is None:
            self._chat = ChatClient(self.settings)
        return self._chat

    @property
    def parser(self) -> RasaParser:
        if self._parser is None:
            self._parser = RasaParser(self.settings)
        return self._parser

    async def aclose(self) -> None:
        if self._chat is not None:
            await self._chat.aclose()
        if self._parser is not None:
            await self._parser.aclose()
        self.store.dispose()

    # ------------------------------------------------------------------ rephrasing
    async def clarify(
        self, text: str | None, conversation_id: str, previous: ParseResult | None = None
    ) -> Clarification:
        """Rephrase ``text`` and re-parse it; ``previous`` is the parse that fell back.

        A re-parse identical to ``previous`` (same intent and entities, when that intent was
        not already ``nlu_fallback``) is ``no_progress``: it would only repeat the turn.
        """
        if not self.settings.enabled:
            return Clarification(NO_KEY)
        message = (text or "").strip()
        if message.startswith("/") or len(_WORD_CHARS.findall(message)) < _MIN_WORD_CHARS:
            return Clarification(SKIPPED)
        redacted = redact(_cut(message, self.settings.max_input_chars))
        prompt = build_rephrase_prompt(redacted.text)
        call = await self._call_model(
            prompt, conversation_id, "rephrase", self._check_rephrasing(redacted.text, prompt)
        )
        spent = {"prompt_tokens": call.prompt_tokens, "completion_tokens": call.completion_tokens}
        if call.content is None:
            return Clarification(call.status, **spent)
        if not call.content:
            return Clarification(UNCLEAR, **spent)
        rephrased = redacted.restore(call.content)
        try:
            parse = await self.parser.parse(rephrased)
        except NLUUnavailable as exc:
            log.warning("rephrase conversation=%s: NLU re-parse failed: %s", mask_phone(conversation_id), exc)
            return Clarification(exc.outcome, rephrased, **spent)
        if not parse.is_confident(self.settings.min_confidence):
            return Clarification(STILL_UNCLEAR, rephrased, **spent)
        if previous is not None and _same_understanding(previous, parse):
            return Clarification(NO_PROGRESS, rephrased, **spent)
        log.info(
            "rephrase conversation=%s: understood as %s (%.2f)",
            mask_phone(conversation_id),
            parse.intent,
            parse.confidence,
        )
        return Clarification(REPHRASED, rephrased, parse, **spent)

    def _check_rephrasing(self, source: str, prompt: Prompt) -> Callable[[str], str]:
        def check(content: str) -> str:
            return validate_rephrasing(
                content, source, max_chars=self.settings.max_output_chars, tag=prompt.tag
            )

        return check

    # ------------------------------------------------------------------ softening
    async def soften(
        self,
        reply_text: str,
        facts: Iterable[object],
        *,
        language: str,
        conversation_id: str,
        customer_name: str | None = None,
    ) -> str:
        """``reply_text`` reworded in ``language``, or ``reply_text`` itself if anything is off.

        ``facts`` are the catalog values behind the reply (part numbers, prices, stock);
        the reworded text may state those and the figures already in ``reply_text``, and
        must keep every figure of ``reply_text``. The customer's name is not sent.
        """
        if not (self.settings.enabled and self.settings.rephrase_replies) or not reply_text.strip():
            return reply_text
        redacted = redact(reply_text, names=[customer_name] if customer_name else [])
        prompt = build_soften_prompt(redacted.text, language)
        allowed = [*facts, reply_text]
        required = [f.raw for f in extract_facts(reply_text)]
        max_chars = max(2 * len(reply_text) + 120, self.settings.max_output_chars)

        def check(content: str) -> str:
            softened = read_json_field(content, "reply")
            if not softened:
                raise InvalidOutput("empty reply")
            check_shape(softened, max_chars=max_chars, tag=prompt.tag)
            restored = redacted.restore(softened)
            verdict = check_facts(restored, allowed, required=required)
            if not verdict.ok:
                raise InvalidOutput(
                    f"facts changed: unknown={list(verdict.unknown)} missing={list(verdict.missing)}"
                )
            return restored

        call = await self._call_model(prompt, conversation_id, "soften", check)
        return call.content if call.content else reply_text

    # ------------------------------------------------------------------ the metered call
    async def _call_model(
        self, prompt: Prompt, conversation_id: str, purpose: str, check: Callable[[str], str]
    ) -> _Call:
        """Reserve budget, call, validate with ``check``, settle and log. Never raises."""
        key = conversation_key(conversation_id)
        estimate = estimate_tokens(prompt_chars(prompt), self.settings.max_output_tokens)
        try:
            reservation = await asyncio.to_thread(self.store.reserve, key, purpose, estimate)
        except SQLAlchemyError as exc:
            log.error(
                "%s conversation=%s: usage store unavailable (%s)",
                purpose,
                mask_phone(conversation_id),
                type(exc).__name__,
            )
            return _Call(STORE_UNAVAILABLE)
        if not reservation.granted:
            log.info(
                "%s conversation=%s: not called (%s)",
                purpose,
                mask_phone(conversation_id),
                reservation.refused,
            )
            return _Call(reservation.refused or "refused")

        call = await self._complete_and_check(prompt, check, estimate)
        charged = call.prompt_tokens + call.completion_tokens
        try:
            await asyncio.to_thread(
                self.store.settle,
                reservation.id,
                call.status,
                call.prompt_tokens,
                call.completion_tokens,
                charged,
            )
            totals = await asyncio.to_thread(_totals, self.store, key)
        except SQLAlchemyError as exc:
            log.error(
                "%s conversation=%s: could not record usage (%s)",
                purpose,
                mask_phone(conversation_id),
                type(exc).__name__,
            )
            totals = (-1, -1)
        log.info(
            "%s conversation=%s status=%s prompt_tokens=%d completion_tokens=%d "
            "conversation_tokens=%d day_tokens=%d",
            purpose,
            mask_phone(conversation_id),
            call.status,
            call.prompt_tokens,
            call.completion_tokens,
            totals[0],
            totals[1],
        )
        return call

    async def _complete_and_check(self, prompt: Prompt, check: Callable[[str], str], estimate: int) -> _Call:
        try:
            completion = await self.chat.complete(prompt.messages, max_tokens=self.settings.max_output_tokens)
        except ModelTimeout as exc:
            # The provider may have done (and billed) the work: charge the prompt estimate.
            return _Call(exc.outcome, prompt_tokens=estimate - self.settings.max_output_tokens)
        except ModelError as exc:
            log.warning("model call failed: %s (%s)", exc.outcome, exc)
            return _Call(exc.outcome)
        prompt_tokens, completion_tokens = _usage(completion, prompt)
        try:
            content = check(completion.content)
        except InvalidOutput as exc:
            log.warning("model output rejected: %s", exc)
            return _Call(exc.outcome, None, prompt_tokens, completion_tokens)
        return _Call("ok", content, prompt_tokens, completion_tokens)


def _usage(completion: Completion, prompt: Prompt) -> tuple[int, int]:
    """Provider-reported usage, or an estimate when a server leaves it out."""
    prompt_tokens = completion.prompt_tokens
    if prompt_tokens is None:
        prompt_tokens = math.ceil(prompt_chars(prompt) / 3)
    completion_tokens = completion.completion_tokens
    if completion_tokens is None:
        completion_tokens = math.ceil(len(completion.content) / 3)
    return prompt_tokens, completion_tokens


def _totals(store: UsageStore, key: str) -> tuple[int, int]:
    return store.conversation_tokens(key), store.tokens_today()


def _same_understanding(a: ParseResult, b: ParseResult) -> bool:
    if a.intent == FALLBACK_INTENT:
        return False

    def entities(p: ParseResult) -> set[tuple[str, str]]:
        return {(str(e.get("entity")), str(e.get("value")).lower()) for e in p.entities}

    return a.intent == b.intent and entities(a) == entities(b)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a space when one is near the end."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return head[:space] if space > limit * 0.8 else head
