"""The API's JSON shapes (pydantic v1 models): what the OpenAPI document promises.

Routes build plain dicts of exactly these fields for speed (no model round-trip per part);
the schemathesis test checks every response against these models through the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, Field


class Condition(str, Enum):
    genuine = "genuine"
    oem = "oem"
    aftermarket = "aftermarket"
    used = "used"


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", example="about:blank")
    title: str = Field(..., example="Unprocessable content")
    status: int = Field(..., example=422)
    detail: str = Field(..., example="year: value is not a valid integer")
    instance: str | None = Field(None, example="/api/v1/parts")

    class Config:
        extra = "allow"


class PartSummary(BaseModel):
    sku: str = Field(..., example="BP-100001")
    name: str = Field(..., example="Front Brake Pad Set - Toyota Land Cruiser 2008-2021")
    category: str = Field(..., example="Brake Pads")
    brand: str = Field(..., example="Toyota Genuine")
    part_number: str = Field(..., example="04465-60320")
    oem_numbers: list[str] = Field(..., example=["04465-60320", "04465-60280"])
    price_aed: float = Field(..., example=385.0, description="Price in UAE dirhams, VAT included.")
    stock: int = Field(..., ge=0, example=12)
    in_stock: bool
    condition: Condition
    fits: str = Field(..., example="Toyota Land Cruiser 2008-2021, Lexus LX570 2008-2021")
    url: str | None = Field(None, description="Storefront page (PART_URL_TEMPLATE); absent when not set.")


class Interpretation(BaseModel):
    """How the query was understood (free text resolved to catalog names)."""

    make: str | None = None
    model: str | None = None
    year: int | None = None
    part: str | None = None
    part_number: str | None = None
    condition: Condition | None = None


class PartPage(BaseModel):
    items: list[PartSummary]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; also in `Link`.")
    query: Interpretation


class Fitment(BaseModel):
    make: str = Field(..., example="Toyota")
    model: str = Field(..., example="Land Cruiser")
    year_from: int = Field(..., example=2008)
    year_to: int = Field(..., example=2021)
    engine: str | None = Field(None, example="1VD-FTV", description="None: any engine.")


class PartNumberOut(BaseModel):
    number: str = Field(..., example="04465-60280")
    kind: str = Field(..., example="oem")


class PartDetailOut(BaseModel):
    sku: str
    name: str
    category: str
    category_ar: str | None = None
    brand: str
    part_number: str
    numbers: list[PartNumberOut]
    price_aed: float
    stock: int = Field(..., ge=0)
    in_stock: bool
    condition: Condition
    fitments: list[Fitment]
    updated_at: datetime | None = None
    url: str | None = None


class Named(BaseModel):
    name: str = Field(..., example="Toyota")
    name_ar: str | None = Field(None, example="تويوتا")


class MakeList(BaseModel):
    items: list[Named]


class ModelList(BaseModel):
    make: Named
    items: list[Named]


class CategoryList(BaseModel):
    items: list[Named]


class VehicleDecode(BaseModel):
    kind: str = Field(..., example="vin", description="vin | frame")
    input: str
    normalized: str = Field(..., example="JTMHV05J604123456")
    valid: bool
    problem: str | None = Field(None, description="length | forbidden_letters | check_digit | format")
    message: str | None = Field(None, description="What to tell the customer when the number is not valid.")
    make: str | None = None
    model: str | None = None
    year: int | None = None
    year_candidates: list[int] = []
    engine: str | None = None
    country: str | None = None
    chassis_code: str | None = None
    warnings: list[str] = []
    suggestions: list[str] = []
    online_lookup: bool = Field(False, description="True when the configured VIN lookup service added facts.")


class LeadIn(BaseModel):
    """The website's "request this part" form."""

    name: str = Field(..., min_length=1, max_length=128, example="Ahmed")
    phone: str = Field(
        ..., max_length=32, example="+971501234567", description="E.164; UAE 05x numbers accepted."
    )
    make: str | None = Field(None, max_length=64, example="Toyota")
    model: str | None = Field(None, max_length=64, example="Land Cruiser")
    year: int | None = Field(None, ge=1950, le=2100, example=2015)
    vin: str | None = Field(None, max_length=32, example="JTMHV05J604123456")
    part: str | None = Field(None, max_length=255, example="front brake pads")
    sku: str | None = Field(None, max_length=64, example="BP-100001")
    message: str | None = Field(None, max_length=2000, example="Need it by Thursday")

    class Config:
        extra = "forbid"


class LeadOut(BaseModel):
    id: int
    status: str = Field(..., example="new")
    kind: str = Field(..., example="website")
    created_at: datetime
    sku: str | None = None
    part: str | None = None


class Health(BaseModel):
    status: str = Field(..., example="ok")
    checks: dict[str, str] = {}
