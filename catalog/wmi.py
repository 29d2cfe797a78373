"""Which make a VIN belongs to: WMI (positions 1-3) → the catalog's canonical make name.

``vininfo`` knows ~700 WMIs but names manufacturers its own way ("Chevrolet USA",
"DaimlerChrysler AG/Daimler AG", "BMW M") and has gaps and slips that matter in the
Gulf (JMY is Mitsubishi, not Mazda; KMH is Hyundai, not Genesis; KNA/KND/KNC are
Kia). :data:`WMI_OVERRIDES` fixes those first; :func:`canonical_make` maps any
manufacturer or provider spelling ("TOYOTA", "MERCEDES-BENZ") to the shop's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vininfo.dicts import COUNTRIES, WMI

# WMIs vininfo gets wrong or only knows by a two-letter group we must not trust.
WMI_OVERRIDES: dict[str, str] = {
    # Toyota and Lexus
    "JTM": "Toyota",
    "JTE": "Toyota",
    "JTD": "Toyota",
    "JTN": "Toyota",
    "JTK": "Toyota",
    "JT3": "Toyota",
    "JT2": "Toyota",
    "JT4": "Toyota",
    "JT5": "Toyota",
    "JTF": "Toyota",
    "JTG": "Toyota",
    "JTL": "Toyota",
    "JTB": "Toyota",
    "4T1": "Toyota",
    "4T3": "Toyota",
    "5TD": "Toyota",
    "5TF": "Toyota",
    "5TE": "Toyota",
    "5TB": "Toyota",
    "2T3": "Toyota",
    "MR0": "Toyota",
    "MR1": "Toyota",
    "MHF": "Toyota",
    "AHT": "Toyota",
    "8AJ": "Toyota",
    "JTH": "Lexus",
    "JTJ": "Lexus",
    "JT6": "Lexus",
    "JT8": "Lexus",
    "2T2": "Lexus",
    "58A": "Lexus",
    # Nissan and Infiniti
    "JN1": "Nissan",
    "JN8": "Nissan",
    "JN6": "Nissan",
    "1N4": "Nissan",
    "1N6": "Nissan",
    "3N1": "Nissan",
    "5N1": "Nissan",
    "MNT": "Nissan",
    "JNK": "Infiniti",
    "JNR": "Infiniti",
    "JNX": "Infiniti",
    "5N3": "Infiniti",
    # Mitsubishi (JMY/JMB are Mitsubishi; vininfo maps the JM group to Mazda)
    "JMY": "Mitsubishi",
    "JMB": "Mitsubishi",
    "JMA": "Mitsubishi",
    "JA3": "Mitsubishi",
    "JA4": "Mitsubishi",
    "MMB": "Mitsubishi",
    "MMC": "Mitsubishi",
    "MMT": "Mitsubishi",
    "ML3": "Mitsubishi",
    "JMZ": "Mazda",
    "JM1": "Mazda",
    "JM3": "Mazda",
    # Hyundai and Kia
    "KMH": "Hyundai",
    "KM8": "Hyundai",
    "KMF": "Hyundai",
    "KMJ": "Hyundai",
    "5NP": "Hyundai",
    "5NM": "Hyundai",
    "MAL": "Hyundai",
    "KMT": "Genesis",
    "KNA": "Kia",
    "KND": "Kia",
    "KNC": "Kia",
    "KNE": "Kia",
    "5XY": "Kia",
    "5XX": "Kia",
    "3KP": "Kia",
    # Honda
    "1HG": "Honda",
    "2HG": "Honda",
    "JHM": "Honda",
    "JHL": "Honda",
    "5FN": "Honda",
    "5J6": "Honda",
    "SHH": "Honda",
    "19X": "Honda",
    # General Motors: the WMI says which brand; "1G" alone does not
    "1G1": "Chevrolet",
    "1GC": "Chevrolet",
    "1GN": "Chevrolet",
    "1GB": "Chevrolet",
    "2GN": "Chevrolet",
    "3GN": "Chevrolet",
    "3GC": "Chevrolet",
    "KL1": "Chevrolet",
    "1GK": "GMC",
    "1GT": "GMC",
    "1GD": "GMC",
    "2GK": "GMC",
    "3GK": "GMC",
    "3GT": "GMC",
    "1GY": "Cadillac",
    "1G6": "Cadillac",
    # Ford
    "1FM": "Ford",
    "1FT": "Ford",
    "1FA": "Ford",
    "1FD": "Ford",
    "2FM": "Ford",
    "3FA": "Ford",
    "MNB": "Ford",
    "6FP": "Ford",
    "1LN": "Lincoln",
    "5LM": "Lincoln",
    # Mercedes-Benz, BMW, Land Rover
    "WDB": "Mercedes-Benz",
    "WDD": "Mercedes-Benz",
    "WDC": "Mercedes-Benz",
    "W1K": "Mercedes-Benz",
    "W1N": "Mercedes-Benz",
    "W1X": "Mercedes-Benz",
    "4JG": "Mercedes-Benz",
    "55S": "Mercedes-Benz",
    "WBA": "BMW",
    "WBS": "BMW",
    "WBX": "BMW",
    "WBY": "BMW",
    "5UX": "BMW",
    "5YM": "BMW",
    "SAL": "Land Rover",
    "SAJ": "Jaguar",
}

# Manufacturer spellings (vininfo, vPIC, commercial providers) → canonical make.
_MAKE_ALIASES: dict[str, str] = {
    "toyota": "Toyota",
    "lexus": "Lexus",
    "nissan": "Nissan",
    "infiniti": "Infiniti",
    "mitsubishi": "Mitsubishi",
    "hyundai": "Hyundai",
    "kia": "Kia",
    "genesis": "Genesis",
    "honda": "Honda",
    "acura": "Acura",
    "chevrolet": "Chevrolet",
    "gmc": "GMC",
    "cadillac": "Cadillac",
    "ford": "Ford",
    "lincoln": "Lincoln",
    "mercedes-benz": "Mercedes-Benz",
    "mercedes benz": "Mercedes-Benz",
    "mercedes": "Mercedes-Benz",
    "daimler": "Mercedes-Benz",
    "bmw": "BMW",
    "mini": "MINI",
    "land rover": "Land Rover",
    "range rover": "Land Rover",
    "jaguar": "Jaguar",
    "mazda": "Mazda",
    "subaru": "Subaru",
    "suzuki": "Suzuki",
    "isuzu": "Isuzu",
    "volkswagen": "Volkswagen",
    "audi": "Audi",
    "porsche": "Porsche",
    "jeep": "Jeep",
    "dodge": "Dodge",
    "chrysler": "Chrysler",
    "ram": "RAM",
    "renault": "Renault",
    "peugeot": "Peugeot",
    "mg": "MG",
    "geely": "Geely",
    "chery": "Chery",
    "changan": "Changan",
    "haval": "Haval",
    "great wall": "Great Wall",
    "jetour": "Jetour",
    "byd": "BYD",
    "volvo": "Volvo",
    "tesla": "Tesla",
    "fiat": "Fiat",
}
# Words around a brand in vininfo names: plants, JV partners, divisions.
_NOISE = re.compile(
    r"\b(usa|canada|mexico|australia|thailand|brazil|argentina|uk|spain|truck|trucks|motor|motors|"
    r"company|co|inc|ltd|ag|corp|corporation|automobiles|auto|cars|car|suv|of|europe|m)\b|[().,/]"
)
_JV_PREFIX = re.compile(r"^(faw|gac|dongfeng|beijing|guangzhou|saic|changan|brilliance|dongfeng yueda)\s+")


@dataclass(frozen=True)
class WmiInfo:
    """What the first three characters say: the make (canonical, or None) and the country."""

    make: str | None
    manufacturer: str | None  # vininfo's own wording, for the logs and the decoded JSON
    country: str | None


def canonical_make(name: str | None) -> str | None:
    """``"TOYOTA"``, ``"Toyota Mexico"``, ``"FAW Toyota"`` → ``"Toyota"``; unknown → None."""
    if not name:
        return None
    key = " ".join(name.replace("-", " - ").lower().split()).replace(" - ", "-")
    if key in _MAKE_ALIASES:
        return _MAKE_ALIASES[key]
    for part in re.split(r"\s*/\s*", key):
        part = _JV_PREFIX.sub("", part.strip())
        part = " ".join(_NOISE.sub(" ", part).split())
        if part in _MAKE_ALIASES:
            return _MAKE_ALIASES[part]
        first = part.split(" ")[0] if part else ""
        if first in _MAKE_ALIASES and first not in {"general"}:
            return _MAKE_ALIASES[first]
    return None


def lookup_wmi(vin: str) -> WmiInfo:
    """Make and country of a (normalised) VIN from its WMI; overrides first, then vininfo."""
    wmi = vin[:3]
    entry = WMI.get(wmi) or WMI.get(wmi[:2])
    manufacturer = entry if isinstance(entry, str) or entry is None else entry.manufacturer
    make = WMI_OVERRIDES.get(wmi) or canonical_make(manufacturer)
    return WmiInfo(make=make, manufacturer=manufacturer, country=COUNTRIES.get(vin[:2]))
