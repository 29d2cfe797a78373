"""A local fake of NHTSA vPIC's ``DecodeVinValues`` endpoint, over real HTTP.

``GET /api/vehicles/DecodeVinValues/{VIN}?format=json[&modelyear=YYYY]`` answers with the
real flat JSON shape (``Count``, ``Message``, ``SearchCriteria``, ``Results[0]`` holding
every field as a string, "" = unknown). VINs in :data:`VEHICLES` decode; any other VIN
gets vPIC's "manufacturer not registered" answer (ErrorCode 7, empty Make). Without
``format=json`` it answers XML, as vPIC does.

Tests script how the next requests behave (consumed in order; then ``ok``)::

    with FakeVpicServer() as fake:
        fake.script("500", "ok")         # first request 500, the retry succeeds
        ...
        assert fake.count == 2

Behaviours: ``ok``, ``slow`` (sleeps :attr:`delay` s first), ``500``, ``503``, ``429``,
``garbage`` (200 with a body that is not JSON), ``no_results`` (JSON without Results),
``html`` (a 200 proxy error page).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MESSAGE = (
    "Results returned successfully. NOTE: Any missing decoded values should be interpreted as "
    "NHTSA does not have data on the specific variable. Missing value should NOT be interpreted "
    "as an indication that a feature or technology is unavailable for a vehicle."
)
# Every key DecodeVinValues returns (values are always strings).
FIELDS = (
    "ABS", "ActiveSafetySysNote", "AdaptiveCruiseControl", "AdaptiveDrivingBeam",
    "AdaptiveHeadlights", "AdditionalErrorText", "AirBagLocCurtain", "AirBagLocFront",
    "AirBagLocKnee", "AirBagLocSeatCushion", "AirBagLocSide", "AutoReverseSystem",
    "AutomaticPedestrianAlertingSound", "AxleConfiguration", "Axles", "BasePrice", "BatteryA",
    "BatteryA_to", "BatteryCells", "BatteryInfo", "BatteryKWh", "BatteryKWh_to", "BatteryModules",
    "BatteryPacks", "BatteryType", "BatteryV", "BatteryV_to", "BedLengthIN", "BedType",
    "BlindSpotIntervention", "BlindSpotMon", "BodyCabType", "BodyClass", "BrakeSystemDesc",
    "BrakeSystemType", "BusFloorConfigType", "BusLength", "BusType", "CAN_AACN", "CIB",
    "CashForClunkers", "ChargerLevel", "ChargerPowerKW", "CombinedBrakingSystem", "CoolingType",
    "CurbWeightLB", "CustomMotorcycleType", "DaytimeRunningLight", "DestinationMarket",
    "DisplacementCC", "DisplacementCI", "DisplacementL", "Doors", "DriveType", "DriverAssist",
    "DynamicBrakeSupport", "EDR", "ESC", "EVDriveUnit", "ElectrificationLevel",
    "EngineConfiguration", "EngineCycles", "EngineCylinders", "EngineHP", "EngineHP_to", "EngineKW",
    "EngineManufacturer", "EngineModel", "EntertainmentSystem", "ErrorCode", "ErrorText",
    "ForwardCollisionWarning", "FuelInjectionType", "FuelTypePrimary", "FuelTypeSecondary", "GCWR",
    "GCWR_to", "GVWR", "GVWR_to", "KeylessIgnition", "LaneCenteringAssistance",
    "LaneDepartureWarning", "LaneKeepSystem", "LowerBeamHeadlampLightSource", "Make", "MakeID",
    "Manufacturer", "ManufacturerId", "Model", "ModelID", "ModelYear", "MotorcycleChassisType",
    "MotorcycleSuspensionType", "NCSABodyType", "NCSAMake", "NCSAMapExcApprovedBy",
    "NCSAMapExcApprovedOn", "NCSAMappingException", "NCSAModel", "NCSANote", "NonLandUse", "Note",
    "OtherBusInfo", "OtherEngineInfo", "OtherMotorcycleInfo", "OtherRestraintSystemInfo",
    "OtherTrailerInfo", "ParkAssist", "PedestrianAutomaticEmergencyBraking", "PlantCity",
    "PlantCompanyName", "PlantCountry", "PlantState", "PossibleValues", "Pretensioner",
    "RearAutomaticEmergencyBraking", "RearCrossTrafficAlert", "RearVisibilitySystem",
    "SAEAutomationLevel", "SAEAutomationLevel_to", "SeatBeltsAll", "SeatRows", "Seats",
    "SemiautomaticHeadlampBeamSwitching", "Series", "Series2", "SteeringLocation", "SuggestedVIN",
    "TPMS", "TopSpeedMPH", "TrackWidth", "TractionControl", "TrailerBodyType", "TrailerLength",
    "TrailerType", "TransmissionSpeeds", "TransmissionStyle", "Trim", "Trim2", "Turbo", "VIN",
    "ValveTrainDesign", "VehicleDescriptor", "VehicleType", "WheelBaseLong", "WheelBaseShort",
    "WheelBaseType", "WheelSizeFront", "WheelSizeRear", "WheelieMitigation", "Wheels", "Windows",
)

CLEAN = {"ErrorCode": "0", "ErrorText": "0 - VIN decoded clean. Check Digit (9th position) is correct"}
VEHICLES: dict[str, dict[str, str]] = {
    "1HGCM82633A004352": {
        **CLEAN, "Make": "HONDA", "MakeID": "474", "Manufacturer": "AMERICAN HONDA MOTOR CO., INC.",
        "Model": "Accord", "ModelYear": "2003", "Series": "EX-V6", "BodyClass": "Coupe",
        "DisplacementL": "3.0", "EngineCylinders": "6", "EngineModel": "J30A4",
        "PlantCountry": "UNITED STATES (USA)", "VehicleType": "PASSENGER CAR",
    },
    "JTMHY7AJ1D4012345": {
        **CLEAN, "Make": "TOYOTA", "MakeID": "448", "Manufacturer": "TOYOTA MOTOR CORPORATION",
        "Model": "LANDCRUISER", "ModelYear": "2013", "Trim": "", "BodyClass": "Sport Utility Vehicle (SUV)",
        "DisplacementL": "5.7", "EngineCylinders": "8", "EngineModel": "3UR-FE",
        "PlantCountry": "JAPAN", "VehicleType": "MULTIPURPOSE PASSENGER VEHICLE (MPV)",
    },
    "1GNSKBKC2FR012345": {
        **CLEAN, "Make": "CHEVROLET", "MakeID": "467", "Manufacturer": "GENERAL MOTORS LLC",
        "Model": "Tahoe", "ModelYear": "2015", "Trim": "LTZ", "DisplacementL": "5.3",
        "EngineCylinders": "8", "EngineModel": "L83", "PlantCountry": "UNITED STATES (USA)",
    },
}


def decode_body(vin: str, model_year: str | None = None) -> dict:
    """The JSON vPIC returns for ``vin`` (known vehicles decode; others get ErrorCode 7)."""
    row = dict.fromkeys(FIELDS, "")
    row["VIN"] = vin
    known = VEHICLES.get(vin)
    if known:
        row.update(known)
    else:
        row.update(
            ErrorCode="7",
            ErrorText="7 - Manufacturer is not registered with NHTSA for sale or importation in the U.S. "
            "for use on U.S roads; Please contact the manufacturer directly for more information.",
        )
    if model_year:
        row["ModelYear"] = row["ModelYear"] or model_year
    return {"Count": 1, "Message": MESSAGE, "SearchCriteria": f"VIN(s): {vin}", "Results": [row]}


class FakeVpicServer:
    """Threaded HTTP server on 127.0.0.1 with a request log and a behaviour script."""

    def __init__(self, delay: float = 1.0):
        self.delay = delay
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.paths)

    def script(self, *behaviours: str) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def __enter__(self) -> FakeVpicServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self, path: str, headers: dict[str, str]) -> str:
        with self._lock:
            self.paths.append(path)
            self.headers.append(headers)
            return self._script.popleft() if self._script else "ok"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                behaviour = fake._next(self.path, dict(self.headers))
                url = urlparse(self.path)
                prefix = "/api/vehicles/DecodeVinValues/"
                if not url.path.startswith(prefix):
                    return self._send(404, b"Not Found", "text/plain")
                if behaviour == "slow":
                    time.sleep(fake.delay)
                elif behaviour in {"500", "503", "429"}:
                    body = b'{"Message":"An error has occurred."}'
                    return self._send(int(behaviour), body, "application/json")
                elif behaviour == "garbage":
                    return self._send(200, b'{"Count": 1, "Results": [{"Make": "TOY', "application/json")
                elif behaviour == "no_results":
                    return self._send(200, b'{"Count": 0, "Message": "No data"}', "application/json")
                elif behaviour == "html":
                    return self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                query = parse_qs(url.query)
                vin = url.path[len(prefix):].upper()
                if query.get("format", [""])[0].lower() != "json":
                    return self._send(200, f"<Response><VIN>{vin}</VIN></Response>".encode(), "text/xml")
                body = decode_body(vin, query.get("modelyear", [None])[0])
                return self._send(200, json.dumps(body).encode(), "application/json; charset=utf-8")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler
