"""Online chassis lookup (NHTSA vPIC ``DecodeVinValues`` wire format), cached and fail-fast.

Offline decoding (:mod:`catalog.vehicle_ids`) gives the make and, in North America, the
year. A lookup adds the model, trim and engine. It is optional and must never slow a
customer down:

* disabled unless ``CHASSIS_LOOKUP_URL`` is set, so by default nothing leaves the machine;
* short timeouts, a retry only for 5xx and connection errors (not for timeouts);
* answers cached in ``vin_lookups`` (also "no data" answers, so we ask once);
* a circuit breaker: after N failures in a row no request is made for T seconds, and
  :meth:`ChassisLookupClient.lookup` returns the stale cache entry or None at once.

Callers get ``None`` for "nothing known", never an exception from the provider.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from catalog.schema import Make, Model, VinLookup
from catalog.vehicle_ids import VIN_ALPHABET, VIN_LENGTH, VehicleId
from catalog.wmi import canonical_make
from shopkernel.env import EnvReader

log = logging.getLogger(__name__)

VPIC_PATH = "/api/vehicles/DecodeVinValues/{vin}"
DEFAULT_PROVIDER = "vpic"


class ChassisLookupError(Exception):
    """The provider did not give a usable answer (network, status or payload)."""


class ProviderResponseError(ChassisLookupError):
    """The provider answered, but not with the DecodeVinValues JSON shape."""


class InvalidVinError(ValueError):
    """``lookup`` was given something that is not a well-formed 17-character VIN."""


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class LookupSettings:
    """How to reach the provider; read once with :meth:`from_env`. Empty ``base_url`` = disabled."""

    base_url: str = ""
    provider: str = DEFAULT_PROVIDER
    timeout_s: float = 2.0
    retries: int = 1
    retry_backoff_s: float = 0.2
    breaker_failures: int = 3
    breaker_cooldown_s: float = 60.0
    cache_days: int = 180
    api_key: str | None = field(default=None, repr=False)
    api_key_header: str = "X-API-Key"

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LookupSettings:
        read = EnvReader(env)
        return cls(
            base_url=read.url("CHASSIS_LOOKUP_URL"),
            provider=read.text("CHASSIS_LOOKUP_PROVIDER", DEFAULT_PROVIDER),
            timeout_s=read.number("CHASSIS_LOOKUP_TIMEOUT", 2.0, minimum=0),
            retries=read.integer("CHASSIS_LOOKUP_RETRIES", 1, minimum=0),
            breaker_failures=read.integer("CHASSIS_LOOKUP_BREAKER_FAILURES", 3, minimum=1),
            breaker_cooldown_s=read.number("CHASSIS_LOOKUP_BREAKER_COOLDOWN", 60.0, minimum=0),
            cache_days=read.integer("CHASSIS_LOOKUP_CACHE_DAYS", 180, minimum=0),
            api_key=read.text("CHASSIS_LOOKUP_API_KEY") or None,
            api_key_header=read.text("CHASSIS_LOOKUP_API_KEY_HEADER", "X-API-Key"),
        )

    def url_for(self, vin: str, model_year: int | None = None) -> str:
        """``{base}/api/vehicles/DecodeVinValues/{VIN}?format=json[&modelyear=YYYY]``.

        A base containing ``{vin}`` is used as a full template (for providers with other paths).
        """
        base = self.base_url.rstrip("/")
        url = base.format(vin=vin) if "{vin}" in base else base + VPIC_PATH.format(vin=vin)
        params = [] if "format=" in url else ["format=json"]
        if model_year:
            params.append(f"modelyear={int(model_year)}")
        if not params:
            return url
        return url + ("&" if "?" in url else "?") + "&".join(params)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class LookupResult:
    """What the provider knows about one VIN, in catalog terms."""

    vin: str
    make: str | None
    model: str | None
    year: int | None
    engine: str | None = None
    trim: str | None = None
    body: str | None = None
    plant_country: str | None = None
    error_codes: tuple[int, ...] = ()
    error_text: str = ""
    from_cache: bool = False
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def clean(self) -> bool:
        """vPIC error code 0: "VIN decoded clean. Check Digit (9th position) is correct"."""
        return 0 in self.error_codes

    @property
    def usable(self) -> bool:
        return bool(self.make or self.model)


def parse_decode_vin_values(payload: bytes | str, vin: str) -> LookupResult:
    """Parse a ``DecodeVinValues`` JSON body; raise :class:`ProviderResponseError` if it is not one."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderResponseError(f"not JSON: {exc}") from exc
    results = data.get("Results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise ProviderResponseError("no Results[0] object in the response")
    return result_from_row(results[0], vin)


def result_from_row(row: Mapping, vin: str, from_cache: bool = False) -> LookupResult:
    """One ``Results`` row (all values strings, "" = unknown) → :class:`LookupResult`."""

    def text(key: str) -> str | None:
        value = row.get(key)
        if value is None:
            return None
        value = str(value).strip()
        return value if value and value.lower() not in {"null", "not applicable"} else None

    make_raw = text("Make")
    return LookupResult(
        vin=vin,
        make=canonical_make(make_raw) or (_tidy(make_raw) if make_raw else None),
        model=_tidy(text("Model")),
        year=_year(text("ModelYear")),
        engine=_engine(text("EngineModel"), text("DisplacementL"), text("EngineCylinders")),
        trim=text("Trim"),
        body=text("BodyClass"),
        plant_country=_tidy(text("PlantCountry")),
        error_codes=tuple(int(c) for c in re.findall(r"\d+", text("ErrorCode") or "")),
        error_text=text("ErrorText") or "",
        from_cache=from_cache,
        raw=dict(row),
    )


def _tidy(value: str | None) -> str | None:
    """Providers shout ("LAND CRUISER"); the catalog writes "Land Cruiser". Mixed case is kept."""
    if not value:
        return None
    if value.isupper() and len(value) > 3:
        return " ".join(w if any(c.isdigit() for c in w) else w.capitalize() for w in value.split())
    return value


def _year(value: str | None) -> int | None:
    if value and value.isdigit() and 1950 <= int(value) <= 2100:
        return int(value)
    return None


def _engine(model: str | None, litres: str | None, cylinders: str | None) -> str | None:
    parts = [model] if model else []
    try:
        if litres:
            parts.append(f"{float(litres):.1f}L")
    except ValueError:
        pass
    if cylinders and cylinders.isdigit():
        parts.append(f"{cylinders} cyl")
    return " ".join(parts) or None


# --------------------------------------------------------------------------- circuit breaker
class CircuitBreaker:
    """Closed → (N failures in a row) → open for ``cooldown`` s → one trial call → closed or open.

    Thread-safe: the sync client is called from ``asyncio.to_thread`` workers.
    """

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic):
        self.failures_to_open = max(1, failures)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        """May a request go out now? While open: no; after the cool-down: one trial at a time."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.cooldown_s or self._trial_running:
                return False
            self._trial_running = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.failures_to_open:
                self._opened_at = self._clock()
            self._trial_running = False


# --------------------------------------------------------------------------- client
@dataclass
class LookupStats:
    """Counters for the logs and the benchmark."""

    requests: int = 0
    cache_hits: int = 0
    failures: int = 0
    skipped_open: int = 0


class ChassisLookupClient:
    """Sync and async VIN lookups with cache, retries and a circuit breaker.

    Build one per process (it keeps HTTP connections and the breaker state)::

        client = ChassisLookupClient(LookupSettings.from_env(), session_factory)
        result = client.lookup("1HGCM82633A004352")          # or: await client.alookup(...)
        vid = client.enrich(decode(text))                     # VehicleId with model/year filled
    """

    def __init__(
        self,
        settings: LookupSettings,
        session_factory: sessionmaker | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_s, clock)
        self.stats = LookupStats()
        self._sleep = sleep
        self._http: httpx.Client | None = None
        self._ahttp: httpx.AsyncClient | None = None

    # ---- public, sync
    def lookup(self, vin: str, model_year: int | None = None) -> LookupResult | None:
        """What the provider knows about ``vin``; None when disabled, unknown or unreachable."""
        vin = _checked_vin(vin)
        if not self.settings.enabled:
            return None
        cached = self._cache_get(vin)
        if cached and self._fresh(cached):
            self.stats.cache_hits += 1
            return cached[0]
        if not self.breaker.allow():
            self.stats.skipped_open += 1
            return cached[0] if cached else None
        try:
            result = self._fetch(vin, model_year)
        except ChassisLookupError as exc:
            self._failed(vin, exc)
            return cached[0] if cached else None
        self.breaker.record_success()
        self._cache_put(vin, result)
        return result

    def enrich(self, vid: VehicleId, model_year: int | None = None) -> VehicleId:
        """``vid`` with model/year/engine from the lookup added (see :func:`merge`)."""
        if vid.kind != "vin" or not vid.valid or not self.settings.enabled:
            return vid
        result = self.lookup(vid.normalized, model_year)
        return merge(vid, result, self._known_models(vid, result))

    # ---- public, async
    async def alookup(self, vin: str, model_year: int | None = None) -> LookupResult | None:
        """Async twin of :meth:`lookup` (HTTP with ``httpx.AsyncClient``, DB in a worker thread)."""
        vin = _checked_vin(vin)
        if not self.settings.enabled:
            return None
        cached = await asyncio.to_thread(self._cache_get, vin)
        if cached and self._fresh(cached):
            self.stats.cache_hits += 1
            return cached[0]
        if not self.breaker.allow():
            self.stats.skipped_open += 1
            return cached[0] if cached else None
        try:
            result = await self._afetch(vin, model_year)
        except ChassisLookupError as exc:
            self._failed(vin, exc)
            return cached[0] if cached else None
        self.breaker.record_success()
        await asyncio.to_thread(self._cache_put, vin, result)
        return result

    async def aenrich(self, vid: VehicleId, model_year: int | None = None) -> VehicleId:
        if vid.kind != "vin" or not vid.valid or not self.settings.enabled:
            return vid
        result = await self.alookup(vid.normalized, model_year)
        known = await asyncio.to_thread(self._known_models, vid, result)
        return merge(vid, result, known)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    async def aclose(self) -> None:
        self.close()
        if self._ahttp is not None:
            await self._ahttp.aclose()
            self._ahttp = None

    # ---- HTTP
    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "partsbot-chassis-lookup/1"}
        if self.settings.api_key:
            headers[self.settings.api_key_header] = self.settings.api_key
        return headers

    def _fetch(self, vin: str, model_year: int | None) -> LookupResult:
        if self._http is None:
            self._http = httpx.Client(timeout=self.settings.timeout_s, headers=self._headers())
        url = self.settings.url_for(vin, model_year)
        for attempt in range(self.settings.retries + 1):
            self.stats.requests += 1
            try:
                response = self._http.get(url)
            except httpx.TimeoutException as exc:
                raise ChassisLookupError(f"timed out after {self.settings.timeout_s}s") from exc
            except httpx.TransportError as exc:
                if attempt < self.settings.retries:
                    self._sleep(self.settings.retry_backoff_s * (attempt + 1))
                    continue
                raise ChassisLookupError(f"connection failed: {type(exc).__name__}") from exc
            except httpx.HTTPError as exc:  # anything else httpx raises: still the provider's fault
                raise ChassisLookupError(f"HTTP error: {type(exc).__name__}") from exc
            if response.status_code >= 500 and attempt < self.settings.retries:
                self._sleep(self.settings.retry_backoff_s * (attempt + 1))
                continue
            return _result_from_response(response, vin)
        raise ChassisLookupError("no attempt made")  # pragma: no cover - retries >= 0

    async def _afetch(self, vin: str, model_year: int | None) -> LookupResult:
        if self._ahttp is None:
            self._ahttp = httpx.AsyncClient(timeout=self.settings.timeout_s, headers=self._headers())
        url = self.settings.url_for(vin, model_year)
        for attempt in range(self.settings.retries + 1):
            self.stats.requests += 1
            try:
                response = await self._ahttp.get(url)
            except httpx.TimeoutException as exc:
                raise ChassisLookupError(f"timed out after {self.settings.timeout_s}s") from exc
            except httpx.TransportError as exc:
                if attempt < self.settings.retries:
                    await asyncio.sleep(self.settings.retry_backoff_s * (attempt + 1))
                    continue
                raise ChassisLookupError(f"connection failed: {type(exc).__name__}") from exc
            except httpx.HTTPError as exc:  # anything else httpx raises: still the provider's fault
                raise ChassisLookupError(f"HTTP error: {type(exc).__name__}") from exc
            if response.status_code >= 500 and attempt < self.settings.retries:
                await asyncio.sleep(self.settings.retry_backoff_s * (attempt + 1))
                continue
            return _result_from_response(response, vin)
        raise ChassisLookupError("no attempt made")  # pragma: no cover

    def _failed(self, vin: str, exc: Exception) -> None:
        self.stats.failures += 1
        self.breaker.record_failure()
        log.warning("chassis lookup for %s failed (%s); breaker %s", _masked(vin), exc, self.breaker.state)

    # ---- cache
    def _fresh(self, cached: tuple[LookupResult, datetime]) -> bool:
        age = datetime.now(timezone.utc) - cached[1]
        return age <= timedelta(days=self.settings.cache_days)

    def _cache_get(self, vin: str) -> tuple[LookupResult, datetime] | None:
        if self.session_factory is None:
            return None
        try:
            with self.session_factory() as session:
                row = session.get(VinLookup, vin)
                if row is None or row.provider != self.settings.provider or not isinstance(row.result, dict):
                    return None
                fetched = row.fetched_at
                if fetched.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
                    fetched = fetched.replace(tzinfo=timezone.utc)
                return result_from_row(row.result, vin, from_cache=True), fetched
        except SQLAlchemyError as exc:
            log.warning("chassis lookup cache read failed: %s", type(exc).__name__)
            return None

    def _cache_put(self, vin: str, result: LookupResult) -> None:
        if self.session_factory is None:
            return
        try:
            with self.session_factory() as session:
                row = session.get(VinLookup, vin) or VinLookup(vin=vin)
                row.provider = self.settings.provider
                row.result = result.raw
                row.fetched_at = datetime.now(timezone.utc)
                session.add(row)
                session.commit()
        except IntegrityError:
            log.info("chassis lookup for %s cached concurrently", _masked(vin))
        except SQLAlchemyError as exc:
            log.warning("chassis lookup cache write failed: %s", type(exc).__name__)

    def _known_models(self, vid: VehicleId, result: LookupResult | None) -> list[str]:
        """Catalog model names of the make, to map provider names onto (empty without a DB)."""
        make = (result.make if result else None) or vid.make
        if self.session_factory is None or not make:
            return []
        try:
            with self.session_factory() as session:
                return catalog_models(session, make)
        except SQLAlchemyError:
            return []


def catalog_models(session: Session, make: str) -> list[str]:
    stmt = select(Model.name).join(Make, Model.make_id == Make.id).where(Make.name == make)
    return list(session.execute(stmt).scalars())


def _result_from_response(response: httpx.Response, vin: str) -> LookupResult:
    if response.status_code != 200:
        raise ChassisLookupError(f"HTTP {response.status_code}")
    return parse_decode_vin_values(response.content, vin)


def _checked_vin(vin: str) -> str:
    if not isinstance(vin, str):
        raise InvalidVinError(f"a VIN must be a string, got {type(vin).__name__}")
    vin = vin.strip().upper()
    if len(vin) != VIN_LENGTH or any(c not in VIN_ALPHABET for c in vin):
        raise InvalidVinError(f"not a 17-character VIN: {vin!r} (decode() it first)")
    return vin


def _masked(vin: str) -> str:
    """Log the maker and model part only, never the serial."""
    return vin[:11] + "******"


# --------------------------------------------------------------------------- merge
def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def canonical_model(model: str | None, known_models: list[str] | tuple[str, ...] = ()) -> str | None:
    """Provider model name → the catalog's spelling ("LANDCRUISER" → "Land Cruiser") when known."""
    if not model:
        return None
    by_key = {_key(m): m for m in known_models}
    return by_key.get(_key(model), model)


def merge(
    vid: VehicleId, result: LookupResult | None, known_models: list[str] | tuple[str, ...] = ()
) -> VehicleId:
    """Offline decode + lookup: the lookup adds model/year/engine; the offline make stays when it has none."""
    if result is None or not result.usable:
        return vid
    warnings = list(vid.warnings)
    make = result.make or vid.make
    if vid.make and result.make and vid.make != result.make:
        warnings.append(f"lookup says make {result.make}, WMI says {vid.make}")
    year = result.year or vid.year
    return replace(
        vid,
        make=make,
        model=canonical_model(result.model, known_models) or vid.model,
        year=year,
        year_candidates=(year,) if year else vid.year_candidates,
        engine=result.engine or vid.engine,
        warnings=tuple(w for w in warnings if not (year and w.startswith("model year"))),
    )
