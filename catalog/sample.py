"""A deterministic, realistic sample catalog for a Dubai parts shop (demos, tests, benchmarks).

The same ``seed`` and ``rows`` always give the same bytes. The first rows are
fixed anchors (Toyota Land Cruiser 200 front brake pads with OEM number
04465-60320 and oil filters, in stock, from several brands) followed by a
round-robin pass so that every model generation and every category appears
early; the rest is random but plausible: real model generations and engine
codes, brand lists per category, OEM-style numbers per make, AED prices by
category, condition and market segment.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from catalog.csv_format import STANDARD_COLUMNS

DEFAULT_SEED = 42


@dataclass(frozen=True)
class Generation:
    make: str
    model: str
    year_from: int
    year_to: int
    code: str  # chassis/generation code, used in names and OEM numbers
    engines: tuple[str, ...]
    group: str  # generations in one group share parts


def _g(make, model, years, code, engines, group) -> Generation:
    year_from, year_to = years
    return Generation(make, model, year_from, year_to, code, tuple(engines.split()), group)


GENERATIONS: tuple[Generation, ...] = (
    _g("Toyota", "Land Cruiser", (2008, 2021), "LC200", "1GR-FE 1UR-FE 3UR-FE 2UZ-FE 1VD-FTV", "lc200"),
    _g("Lexus", "LX570", (2008, 2021), "URJ201", "3UR-FE", "lc200"),
    _g("Toyota", "Land Cruiser", (2022, 2026), "LC300", "V35A-FTS F33A-FTV", "lc300"),
    _g("Lexus", "LX600", (2022, 2026), "VJA310", "V35A-FTS", "lc300"),
    _g("Toyota", "Land Cruiser", (1998, 2007), "LC100", "2UZ-FE 1FZ-FE 1HZ", "lc100"),
    _g("Toyota", "Land Cruiser 70", (2007, 2024), "GRJ79", "1GR-FE 1VD-FTV 1HZ", "lc70"),
    _g("Toyota", "Prado", (2010, 2023), "J150", "2TR-FE 1GR-FE 1KD-FTV", "prado150"),
    _g("Toyota", "FJ Cruiser", (2007, 2023), "GSJ15", "1GR-FE", "prado150"),
    _g("Lexus", "GX460", (2010, 2023), "URJ150", "1UR-FE", "prado150"),
    _g("Toyota", "Prado", (2003, 2009), "J120", "2TR-FE 1GR-FE", "prado120"),
    _g("Toyota", "Camry", (2012, 2017), "XV50", "2AR-FE 2GR-FE", "camry50"),
    _g("Lexus", "ES", (2013, 2018), "XV60", "2AR-FE 2GR-FE", "camry50"),
    _g("Toyota", "Camry", (2018, 2024), "XV70", "A25A-FKS 2GR-FKS", "camry70"),
    _g("Lexus", "ES", (2019, 2025), "XZ10", "A25A-FKS 2GR-FKS", "camry70"),
    _g("Toyota", "Camry", (2007, 2011), "XV40", "2AZ-FE 2GR-FE", "camry40"),
    _g("Toyota", "Corolla", (2014, 2019), "E170", "1ZR-FE 2ZR-FE", "corolla170"),
    _g("Toyota", "Corolla", (2019, 2025), "E210", "M20A-FKS 2ZR-FE", "corolla210"),
    _g("Toyota", "Hilux", (2016, 2025), "AN120", "2TR-FE 2GD-FTV 1GD-FTV", "hilux120"),
    _g("Toyota", "Fortuner", (2016, 2025), "AN160", "2TR-FE 1GR-FE 2GD-FTV", "hilux120"),
    _g("Toyota", "Hilux", (2005, 2015), "AN10", "2TR-FE 1KD-FTV", "hilux10"),
    _g("Toyota", "Fortuner", (2005, 2015), "AN50", "2TR-FE 1GR-FE", "hilux10"),
    _g("Toyota", "Yaris", (2014, 2020), "XP150", "1NZ-FE 2NR-FE", "yaris150"),
    _g("Toyota", "Yaris", (2020, 2025), "XP210", "2NR-FE M15A", "yaris210"),
    _g("Toyota", "Hiace", (2005, 2018), "H200", "2TR-FE 1KD-FTV", "hiace"),
    _g("Toyota", "RAV4", (2019, 2025), "XA50", "M20A-FKS A25A-FKS", "rav4"),
    _g("Nissan", "Patrol", (2010, 2026), "Y62", "VK56VD VK56DE", "patrol62"),
    _g("Nissan", "Patrol", (1998, 2016), "Y61", "TB48DE TB45E ZD30", "patrol61"),
    _g("Nissan", "Sunny", (2011, 2019), "N17", "HR15DE", "sunny17"),
    _g("Nissan", "Sunny", (2020, 2025), "N18", "HR15DE", "sunny18"),
    _g("Nissan", "Altima", (2013, 2018), "L33", "QR25DE VQ35DE", "altima33"),
    _g("Nissan", "Altima", (2019, 2025), "L34", "PR25DD KR20DDET", "altima34"),
    _g("Nissan", "X-Trail", (2014, 2021), "T32", "QR25DE MR20DD", "xtrail32"),
    _g("Nissan", "Pathfinder", (2013, 2020), "R52", "VQ35DE", "pathfinder"),
    _g("Nissan", "Navara", (2015, 2025), "D23", "QR25DE YD25DDTi", "navara"),
    _g("Nissan", "Kicks", (2017, 2025), "P15", "HR16DE", "kicks"),
    _g("Mitsubishi", "Pajero", (2007, 2021), "V97", "6G75 6G72 4M41", "pajero"),
    _g("Mitsubishi", "Lancer", (2008, 2017), "CY", "4B11 4A91", "lancer"),
    _g("Mitsubishi", "L200", (2015, 2025), "KL", "4D56 4N15", "l200"),
    _g("Mitsubishi", "ASX", (2011, 2025), "GA", "4B11 4A92", "asx"),
    _g("Mitsubishi", "Attrage", (2014, 2025), "A13A", "3A92", "attrage"),
    _g("Hyundai", "Elantra", (2016, 2020), "AD", "G4NA G4FG", "hk_nu"),
    _g("Kia", "Cerato", (2019, 2024), "BD", "G4FG G4NA", "hk_nu"),
    _g("Hyundai", "Elantra", (2021, 2025), "CN7", "G4FL G4NH", "elantra7"),
    _g("Hyundai", "Accent", (2011, 2017), "RB", "G4FC G4FA", "accent_rb"),
    _g("Kia", "Rio", (2012, 2017), "UB", "G4FC G4FA", "accent_rb"),
    _g("Hyundai", "Accent", (2018, 2025), "HC", "G4LC G4FG", "accent_hc"),
    _g("Hyundai", "Tucson", (2016, 2021), "TL", "G4NA G4FJ", "hk_suv"),
    _g("Kia", "Sportage", (2016, 2021), "QL", "G4NA G4FJ", "hk_suv"),
    _g("Hyundai", "Tucson", (2022, 2025), "NX4", "G4NL G4FP", "tucson4"),
    _g("Kia", "Sportage", (2022, 2025), "NQ5", "G4NL G4FP", "tucson4"),
    _g("Hyundai", "Santa Fe", (2013, 2018), "DM", "G4KE G6DH", "santafe"),
    _g("Hyundai", "Creta", (2017, 2025), "GS", "G4FG G4NA", "creta"),
    _g("Kia", "Cerato", (2014, 2018), "YD", "G4NA G4FG", "cerato_yd"),
    _g("Kia", "Picanto", (2017, 2025), "JA", "G3LA G4LA", "picanto"),
    _g("Kia", "Sorento", (2015, 2020), "UM", "G4KJ G6DH", "sorento"),
    _g("Honda", "Accord", (2013, 2017), "CR", "K24W J35Y", "accord9"),
    _g("Honda", "Accord", (2018, 2022), "CV", "K20C4 L15BE", "accord10"),
    _g("Honda", "Civic", (2016, 2021), "FC", "R18Z1 L15B7", "civic10"),
    _g("Honda", "Civic", (2022, 2025), "FE", "K20C2 L15BL", "civic11"),
    _g("Honda", "CR-V", (2017, 2022), "RW", "K24W L15BE", "crv"),
    _g("Honda", "Pilot", (2016, 2022), "YF6", "J35Y6", "pilot"),
    _g("Chevrolet", "Tahoe", (2015, 2020), "K2UC", "L83 L86", "gm_k2"),
    _g("GMC", "Yukon", (2015, 2020), "K2UG", "L83 L86", "gm_k2"),
    _g("Chevrolet", "Silverado", (2014, 2018), "K2XX", "L83 LV3", "gm_k2"),
    _g("GMC", "Sierra", (2014, 2018), "K2XX", "L83 L86", "gm_k2"),
    _g("Chevrolet", "Tahoe", (2021, 2025), "T1UC", "L84 L87", "gm_t1"),
    _g("GMC", "Yukon", (2021, 2025), "T1UG", "L84 L87", "gm_t1"),
    _g("Chevrolet", "Camaro", (2016, 2024), "A1XC", "LTG LT1", "camaro"),
    _g("Ford", "Explorer", (2011, 2019), "U502", "Duratec35 EcoBoost35", "explorer5"),
    _g("Ford", "Explorer", (2020, 2025), "U625", "EcoBoost23 EcoBoost30", "explorer6"),
    _g("Ford", "Expedition", (2018, 2025), "U553", "EcoBoost35", "expedition"),
    _g("Ford", "F-150", (2015, 2020), "P552", "Coyote50 EcoBoost35", "f150"),
    _g("Ford", "Ranger", (2012, 2022), "PX", "P4AT P5AT", "ranger"),
    _g("Mercedes-Benz", "G-Class", (2002, 2018), "W463", "M273 M157 M275", "gclass463"),
    _g("Mercedes-Benz", "G-Class", (2019, 2026), "W463A", "M176 M177", "gclass463a"),
    _g("Mercedes-Benz", "S-Class", (2014, 2020), "W222", "M276 M278", "sclass"),
    _g("Mercedes-Benz", "E-Class", (2017, 2023), "W213", "M274 M264 M276", "eclass"),
    _g("BMW", "X5", (2014, 2018), "F15", "N55 N63", "x5f15"),
    _g("BMW", "X5", (2019, 2025), "G05", "B58 N63", "x5g05"),
    _g("BMW", "5 Series", (2017, 2023), "G30", "B48 B58", "bmw5"),
    _g("Land Rover", "Range Rover", (2013, 2021), "L405", "508PS 306DT", "rr405"),
    _g("Land Rover", "Range Rover", (2022, 2026), "L460", "PT400 N63", "rr460"),
    _g("Land Rover", "Range Rover Sport", (2014, 2022), "L494", "508PS 306PS", "rr405"),
    _g("Land Rover", "Defender", (2020, 2026), "L663", "PT300 PT400", "defender"),
)


@dataclass(frozen=True)
class CategorySpec:
    name: str
    code: str
    name_ar: str
    price: tuple[int, int]  # genuine price range in AED for a mainstream car
    positions: tuple[str, ...]
    engine_specific: bool
    used_ok: bool
    oem_brands: tuple[str, ...]
    aftermarket_brands: tuple[str, ...]


def _c(name, code, name_ar, price, positions, engine_specific, used_ok, oem, aftermarket) -> CategorySpec:
    return CategorySpec(
        name, code, name_ar, price, tuple(positions.split("|")) if positions else ("",),
        engine_specific, used_ok, tuple(oem.split(", ")), tuple(aftermarket.split(", ")),
    )  # fmt: skip


CATEGORIES: tuple[CategorySpec, ...] = (
    _c("Brake Pads", "BP", "فحمات فرامل", (180, 450), "Front|Rear", False, False,
       "Advics, Akebono, Bosch", "Brembo, TRW, Akebono, Bosch, Ferodo, Hi-Q, Nisshinbo"),
    _c("Brake Discs", "BD", "ديسك فرامل", (250, 700), "Front|Rear", False, False,
       "Advics, Brembo, ATE", "Brembo, TRW, Zimmermann, EBC"),
    _c("Oil Filter", "OF", "فلتر زيت", (25, 60), "", True, False,
       "Denso, Mann-Filter, Mahle, Bosch", "Sakura, Mann-Filter, Mahle, Bosch, Fram"),
    _c("Air Filter", "AF", "فلتر هواء", (45, 150), "", True, False,
       "Denso, Mann-Filter, Mahle", "Sakura, K&N, Mann-Filter, Fram"),
    _c("Cabin Filter", "CF", "فلتر مكيف", (40, 120), "", False, False,
       "Denso, Mann-Filter, Mahle, Bosch", "Sakura, Mann-Filter, Bosch"),
    _c("Spark Plugs", "SP", "بواجي", (35, 95), "", True, False,
       "Denso, NGK, Bosch", "NGK, Champion, Bosch, Denso"),
    _c("Shock Absorber", "SA", "مساعد", (250, 900), "Front|Rear", False, True,
       "KYB, Sachs, Bilstein", "Monroe, KYB, Bilstein, Old Man Emu, Gabriel"),
    _c("Alternator", "ALT", "دينمو", (900, 2800), "", True, True,
       "Denso, Bosch, Valeo, Mitsubishi Electric", "Bosch, Valeo, Hella"),
    _c("Starter Motor", "ST", "سلف", (700, 2200), "", True, True,
       "Denso, Bosch, Valeo", "Bosch, Valeo, Hella"),
    _c("Radiator", "RAD", "رديتر", (600, 2200), "", True, True,
       "Denso, Valeo, Nissens", "Nissens, Koyorad, Valeo, NRF"),
    _c("AC Compressor", "ACC", "كمبروسر مكيف", (1200, 3800), "", True, True,
       "Denso, Sanden, Valeo", "Sanden, Valeo, Mahle"),
    _c("Water Pump", "WP", "طرمبة ماء", (250, 900), "", True, False,
       "Aisin, GMB, Gates", "GMB, Gates, Aisin, SKF"),
    _c("Fuel Pump", "FP", "طرمبة بنزين", (350, 1400), "", True, True,
       "Denso, Bosch, Aisin", "Bosch, Delphi, Walbro"),
    _c("Timing Belt", "TB", "سير تايمن", (120, 450), "", True, False,
       "Gates, Mitsuboshi, Aisin", "Gates, Dayco, Contitech, Bando"),
    _c("Headlight", "HL", "ليت أمامي", (650, 3500), "Left|Right", False, True,
       "Koito, Hella, Valeo", "Depo, TYC, Hella"),
    _c("Tail Light", "TL", "اسطب خلفي", (350, 1600), "Left|Right", False, True,
       "Koito, Hella, Valeo", "Depo, TYC"),
    _c("Side Mirror", "SM", "مراية جانبية", (350, 1800), "Left|Right", False, True,
       "Murakami, Ichikoh, Magna", "TYC, Depo"),
    _c("Front Bumper", "FB", "صدام أمامي", (500, 2500), "", False, True, "Magna", "TYG, Depo"),
    _c("Clutch Kit", "CK", "كلتش", (650, 2200), "", True, False,
       "Aisin, Exedy, Sachs, Valeo", "Exedy, Valeo, LuK, Sachs"),
    _c("Wheel Bearing", "BRG", "رمان بلي", (150, 550), "Front|Rear", False, False,
       "Koyo, NSK, NTN", "SKF, Koyo, NSK, FAG, Timken"),
    _c("Control Arm", "CA", "مقص", (250, 950), "Front Lower Left|Front Lower Right|Front Upper", False, True,
       "555, Lemförder, TRW", "555, CTR, Lemförder, Moog"),
    _c("Engine Mount", "EM", "كرسي مكينة", (180, 650), "Front|Rear|Left|Right", True, False,
       "Yamashita, Corteco, Lemförder", "Corteco, Febi Bilstein, Anchor"),
    _c("Battery", "BAT", "بطارية", (280, 950), "", False, False,
       "Panasonic, Varta, ACDelco", "Varta, Amaron, Solite, ACDelco, Bosch"),
    _c("Wiper Blades", "WIP", "مساحات", (35, 120), "", False, False,
       "Denso, Bosch, Valeo", "Bosch, Valeo, Denso, Trico"),
)  # fmt: skip

GENUINE_BRANDS = {
    "Toyota": "Toyota Genuine",
    "Lexus": "Toyota Genuine",
    "Nissan": "Nissan Genuine",
    "Mitsubishi": "Mitsubishi Genuine",
    "Hyundai": "Mobis",
    "Kia": "Mobis",
    "Honda": "Honda Genuine",
    "Chevrolet": "ACDelco",
    "GMC": "ACDelco",
    "Ford": "Motorcraft",
    "Mercedes-Benz": "Mercedes-Benz Genuine",
    "BMW": "BMW Genuine",
    "Land Rover": "Land Rover Genuine",
}
PRICE_TIER = {"Mercedes-Benz": 2.1, "BMW": 1.9, "Land Rover": 2.0, "Lexus": 1.4}
BIG_SUVS = {"Land Cruiser", "Land Cruiser 70", "Patrol", "Tahoe", "Yukon", "LX570", "LX600", "Expedition"}
CONDITION_FACTOR = {"genuine": 1.0, "oem": 0.75, "aftermarket": 0.5, "used": 0.4}
ARABIC_POSITION = {"Front": "أمامية", "Rear": "خلفية", "Left": "يسار", "Right": "يمين"}

# Category number blocks per make family (Toyota 04465-xxxxx front pads, Nissan D1060-, Hyundai 58101-...).
_TOYOTA = dict(zip([c.name for c in CATEGORIES], (
    "04465", "43512", "04152", "17801", "87139", "90919", "48510", "27060", "28100", "16400", "88320",
    "16100", "23220", "13568", "81150", "81550", "87910", "52119", "31250", "90369", "48068", "12361",
    "28800", "85222"), strict=True))  # fmt: skip
_NISSAN = dict(zip(_TOYOTA, (
    "D1060", "40206", "15208", "16546", "27277", "22401", "E6110", "23100", "23300", "21410", "92600",
    "21010", "17040", "13028", "26060", "26555", "96301", "62022", "30100", "40210", "54500", "11210",
    "24410", "28890"), strict=True))  # fmt: skip
_HYUNDAI = dict(zip(_TOYOTA, (
    "58101", "51712", "26300", "28113", "97133", "18855", "54651", "37300", "36100", "25310", "97701",
    "25100", "31110", "24312", "92101", "92401", "87610", "86511", "41100", "51720", "54500", "21810",
    "37110", "98350"), strict=True))  # fmt: skip
_HONDA = dict(zip(_TOYOTA, (
    "45022", "45251", "15400", "17220", "80292", "12290", "51610", "31100", "31200", "19010", "38810",
    "19200", "17045", "14400", "33100", "33500", "76200", "04711", "22200", "44300", "51350", "50820",
    "31500", "76620"), strict=True))  # fmt: skip
_FORD = dict(zip(_TOYOTA, (
    "2001", "1125", "6731", "9601", "19N619", "12405", "18124", "10346", "11002", "8005", "19703",
    "8501", "9H307", "6268", "13008", "13404", "17682", "17757", "7B546", "1104", "3078", "6038",
    "10655", "17528"), strict=True))  # fmt: skip
_MERCEDES = dict(zip(_TOYOTA, (
    "420", "421", "180", "094", "830", "159", "320", "154", "151", "500", "230", "200", "470", "997",
    "820", "820", "810", "880", "250", "980", "330", "240", "982", "820"), strict=True))  # fmt: skip
_BMW = dict(zip(_TOYOTA, (
    "3411", "3411", "1142", "1371", "6411", "1212", "3131", "1231", "1241", "1711", "6452", "1151",
    "1611", "1131", "6311", "6321", "5116", "5111", "2120", "3120", "3112", "2211", "6121", "6161"),
    strict=True))  # fmt: skip
_MITSUBISHI = dict(zip(_TOYOTA, (
    "4605", "4615", "1230", "1500", "7803", "1822", "4060", "1800", "1810", "1350", "7813", "1300",
    "1760", "1145", "8301", "8330", "7632", "6400", "2300", "3880", "4013", "1092", "8200", "8250"),
    strict=True))  # fmt: skip
_TOYOTA_MODEL_CODE = {
    "lc200": "60", "lc300": "60", "lc100": "60", "lc70": "60", "prado150": "60", "prado120": "35",
    "camry50": "33", "camry70": "06", "camry40": "33", "corolla170": "02", "corolla210": "12",
    "hilux120": "0K", "hilux10": "0K", "yaris150": "52", "yaris210": "0D", "hiace": "26", "rav4": "42",
}  # fmt: skip
_HONDA_MODEL_CODE = {"accord9": "T2A", "accord10": "TVA", "civic10": "TBA", "civic11": "T20", "crv": "TLA",
                     "pilot": "TG7"}  # fmt: skip
_FORD_MODEL_CODE = {"explorer5": "BB5Z", "explorer6": "LB5Z", "expedition": "JL1Z", "f150": "FL3Z",
                    "ranger": "AB3Z"}  # fmt: skip
_MERCEDES_MODEL_CODE = {"gclass463": "463", "gclass463a": "463", "sclass": "222", "eclass": "213"}


class _Numbers:
    """OEM and aftermarket part numbers in each maker's and brand's usual style."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def letters(self, n: int, alphabet: str = "ABCDEFGHJKLMNPRSTUVWXYZ") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def oem(self, gen: Generation, category: str) -> str:
        make, r = gen.make, self.rng
        if make in ("Toyota", "Lexus"):
            code = _TOYOTA_MODEL_CODE.get(gen.group, "0" + self.letters(1))
            return f"{_TOYOTA[category]}-{code}{self.digits(3)}"
        if make == "Nissan":
            return f"{_NISSAN[category]}-{self.digits(1)}{self.letters(2)}{self.digits(1)}{self.letters(1)}"
        if make in ("Hyundai", "Kia"):
            return f"{_HYUNDAI[category]}-{self.digits(1)}{self.letters(2)}{self.digits(2)}"
        if make == "Honda":
            code = _HONDA_MODEL_CODE.get(gen.group, "T" + self.letters(2))
            return f"{_HONDA[category]}-{code}-{self.letters(1)}{self.digits(2)}"
        if make == "Mitsubishi":
            return f"{_MITSUBISHI[category]}{r.choice('AB')}{self.digits(3)}"
        if make in ("Chevrolet", "GMC"):
            return r.choice(("84", "23", "22")) + self.digits(6)
        if make == "Ford":
            code = _FORD_MODEL_CODE.get(gen.group, "FL3Z")
            return f"{code}-{_FORD[category]}-{self.letters(1, 'ABCDE')}"
        if make == "Mercedes-Benz":
            code = _MERCEDES_MODEL_CODE.get(gen.group, "000")
            return f"A{code}{_MERCEDES[category]}{self.digits(4)}"
        if make == "BMW":
            return _BMW[category] + self.digits(7)
        return "LR" + self.digits(6)  # Land Rover

    def aftermarket(self, brand: str, category: str) -> str:
        r, d = self.rng, self.digits
        styles = {
            "Bosch": lambda: f"0 986 {d(3)} {d(3)}",
            "Brembo": lambda: f"P 83 {d(3)}" if category == "Brake Pads" else f"09.{d(4)}.{d(2)}",
            "Akebono": lambda: f"AN-{d(3)}WK",
            "TRW": lambda: f"GDB{d(4)}",
            "NGK": lambda: r.choice(("BKR6E-11", "ILKAR7B11", "LKAR7BIX-11S", "ILZKAR7B11", "BKR5EYA")),
            "Denso": lambda: f"{d(3)}-{d(4)}" if category not in ("Spark Plugs",) else f"IK{d(2)}TT",
            "Mann-Filter": lambda: (
                {"Oil Filter": "W ", "Air Filter": "C ", "Cabin Filter": "CUK "}.get(category, "W ") + d(4)
            ),
            "Mahle": lambda: (
                {"Oil Filter": "OC ", "Air Filter": "LX ", "Cabin Filter": "LA "}.get(category, "OC ") + d(3)
            ),
            "KYB": lambda: r.choice(("334", "341", "551")) + d(3),
            "Monroe": lambda: r.choice("GDE") + d(4),
            "Sachs": lambda: f"3{d(2)} {d(3)}",
            "Gates": lambda: f"T{d(3)}" if category == "Timing Belt" else f"GWP{d(4)}",
            "Valeo": lambda: f"{r.choice(('437', '826', '585'))}{d(3)}",
            "Hella": lambda: f"1EL {d(3)} {d(3)}-{d(2)}",
            "Varta": lambda: f"5{d(2)} {d(3)} {d(3)}",
            "ACDelco": lambda: f"PF{d(2)}" if category == "Oil Filter" else f"{d(2)}-{d(4)}",
            "Sakura": lambda: f"{'C' if category == 'Oil Filter' else 'A'}-{d(4)}",
        }
        style = styles.get(brand)
        if style is not None:
            return style()
        prefix = "".join(w[0] for w in brand.replace("-", " ").split()).upper()[:3]
        return f"{prefix}-{d(5)}"


class SampleCatalog:
    """Generates rows for :data:`catalog.csv_format.STANDARD_COLUMNS`."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        self.numbers = _Numbers(self.rng)
        self.groups: dict[str, list[Generation]] = {}
        for gen in GENERATIONS:
            self.groups.setdefault(gen.group, []).append(gen)
        self.next_sku = 100001

    def rows(self, count: int) -> Iterator[list[str]]:
        produced = 0
        for part_rows in self._parts():
            for row in part_rows:
                if produced >= count:
                    return
                yield row
                produced += 1

    # ------------------------------------------------------------------ which parts
    def _parts(self) -> Iterator[list[list[str]]]:
        yield from self._anchors()
        size = max(len(GENERATIONS), len(CATEGORIES))
        for i in range(size):  # round robin: every generation and category appears early
            yield self._part(GENERATIONS[i % len(GENERATIONS)], CATEGORIES[i % len(CATEGORIES)])
        while True:
            gen = self.rng.choice(GENERATIONS)
            yield self._part(gen, self.rng.choice(CATEGORIES))

    def _anchors(self) -> Iterator[list[list[str]]]:
        """Land Cruiser 200 brake pads and oil filters, in stock, several brands (demos rely on them)."""
        lc200 = self.groups["lc200"]
        pads = _category("Brake Pads")
        yield self._part(
            lc200[0],
            pads,
            brand="Toyota Genuine",
            condition="genuine",
            position="Front",
            part_number="04465-60320",
            oem=["04465-60320", "04465-60280"],
            stock=12,
        )
        for brand, condition, number in (
            ("Advics", "oem", "A1N183"),
            ("Brembo", "aftermarket", "P 83 152"),
            ("Akebono", "aftermarket", "AN-743WK"),
            ("TRW", "aftermarket", "GDB3530"),
        ):
            yield self._part(
                lc200[0],
                pads,
                brand=brand,
                condition=condition,
                position="Front",
                part_number=number,
                oem=["04465-60320"],
                stock=self.rng.randint(3, 20),
            )
        yield self._part(
            lc200[0],
            pads,
            brand="Toyota Genuine",
            condition="genuine",
            position="Rear",
            part_number="04466-60090",
            oem=["04466-60090"],
            stock=8,
        )
        oil = _category("Oil Filter")
        for brand, condition, number in (
            ("Toyota Genuine", "genuine", "04152-38020"),
            ("Denso", "oem", "260340-0500"),
            ("Mann-Filter", "aftermarket", "HU 7019 z"),
            ("Sakura", "aftermarket", "EO-28160"),
            ("Mahle", "aftermarket", "OX 416D1"),
        ):
            yield self._part(
                lc200[0],
                oil,
                brand=brand,
                condition=condition,
                part_number=number,
                oem=["04152-38020", "04152-YZZA1"],
                stock=self.rng.randint(4, 40),
                any_engine=True,
            )

    # ------------------------------------------------------------------ one part
    def _part(
        self,
        gen: Generation,
        cat: CategorySpec,
        *,
        brand: str | None = None,
        condition: str | None = None,
        position: str | None = None,
        part_number: str | None = None,
        oem: list[str] | None = None,
        stock: int | None = None,
        any_engine: bool = False,
    ) -> list[list[str]]:
        r = self.rng
        condition = condition or self._condition(cat)
        brand = brand or self._brand(gen, cat, condition)
        position = position if position is not None else r.choice(cat.positions)
        genuine_number = self.numbers.oem(gen, cat.name)
        if part_number is None:
            part_number = (
                genuine_number
                if condition in ("genuine", "used")
                else self.numbers.aftermarket(brand, cat.name)
            )
        if oem is None:
            oem = [genuine_number] + ([self.numbers.oem(gen, cat.name)] if r.random() < 0.25 else [])
        stock = stock if stock is not None else self._stock(condition)
        sku = f"{cat.code}-{self.next_sku}"
        self.next_sku += 1
        name = self._name(gen, cat, position)
        price = self._price(gen, cat, condition)
        fits = self._fitments(gen, cat, any_engine)
        common = [sku, name, cat.name, brand, part_number, "|".join(oem)]
        tail = [f"{price:.2f}", str(stock), condition]
        return [[*common, g.make, g.model, str(y0), str(y1), engine, *tail] for g, y0, y1, engine in fits]

    def _condition(self, cat: CategorySpec) -> str:
        roll = self.rng.random()
        if roll < 0.1 and cat.used_ok:
            return "used"
        return "genuine" if roll < 0.4 else "oem" if roll < 0.6 else "aftermarket"

    def _brand(self, gen: Generation, cat: CategorySpec, condition: str) -> str:
        if condition in ("genuine", "used"):
            return GENUINE_BRANDS[gen.make]
        return self.rng.choice(cat.oem_brands if condition == "oem" else cat.aftermarket_brands)

    def _stock(self, condition: str) -> int:
        r = self.rng
        if r.random() < 0.18:
            return 0
        if condition == "used":
            return r.randint(1, 3)
        return r.choice((1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30))

    def _price(self, gen: Generation, cat: CategorySpec, condition: str) -> float:
        low, high = cat.price
        price = self.rng.uniform(low, high) * CONDITION_FACTOR[condition] * PRICE_TIER.get(gen.make, 1.0)
        if gen.model in BIG_SUVS:
            price *= 1.25
        return max(5.0, round(price / 5) * 5.0)

    def _name(self, gen: Generation, cat: CategorySpec, position: str) -> str:
        label = f"{position} {cat.name}".strip()
        name = f"{label} - {gen.make} {gen.model} {gen.code} {gen.year_from}-{gen.year_to}"
        if self.rng.random() < 0.12:
            words = [cat.name_ar] + [ARABIC_POSITION[w] for w in position.split() if w in ARABIC_POSITION]
            name += " / " + " ".join(words)
        return name

    def _fitments(self, gen: Generation, cat: CategorySpec, any_engine: bool) -> list[tuple]:
        """Several vehicles per part: the group's generations, sometimes split at a facelift."""
        r = self.rng
        group = self.groups[gen.group]
        others = [g for g in group if g is not gen]
        chosen = [gen] + [g for g in others if r.random() < 0.7]
        fits: list[tuple] = []
        for g in chosen:
            ranges = [(g.year_from, g.year_to)]
            if g.year_to - g.year_from >= 6 and r.random() < 0.6:
                middle = g.year_from + (g.year_to - g.year_from) // 2
                ranges = [(g.year_from, middle), (middle + 1, g.year_to)]
            engines = [""]
            if cat.engine_specific and not any_engine and r.random() < 0.6:
                engines = r.sample(g.engines, k=min(len(g.engines), r.randint(1, 3)))
            fits += [(g, y0, y1, e) for y0, y1 in ranges for e in engines]
        return fits


def _category(name: str) -> CategorySpec:
    return next(c for c in CATEGORIES if c.name == name)


def sample_csv(rows: int, seed: int = DEFAULT_SEED) -> str:
    """The sample catalog as CSV text (header + ``rows`` data rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STANDARD_COLUMNS)
    writer.writerows(SampleCatalog(seed).rows(rows))
    return out.getvalue()


def write_sample(path: Path | str, rows: int, seed: int = DEFAULT_SEED) -> Path:
    """Write the sample catalog to ``path`` as UTF-8 (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(STANDARD_COLUMNS)
        writer.writerows(SampleCatalog(seed).rows(rows))
    return path
