"""VINs of the makes the shop sells, for the vehicle-identification tests.

Check digits were computed when the table was written and are cross-checked with vininfo's
own ``verify_checksum`` (an independent implementation) in ``test_vins.py``. WMIs are the
real ones of each maker; the serials are made up.
"""

from __future__ import annotations

# (VIN, canonical make, year when the VIN alone fixes it — North America — else None)
VALID_VINS = [
    # published test vectors (carparts-domain.md §1)
    ("1HGCM82633A004352", "Honda", 2003),
    ("1M8GDM9AXKP042788", None, 1989),
    ("KNDCE3LG2L5073161", "Kia", None),
    ("JF1GPAD60D1803590", "Subaru", None),
    ("LJCPCBLCX11000237", None, 2001),
    # Toyota / Lexus
    ("JTEBU5JR5A5012345", "Toyota", None),
    ("JT3HN86R5X0012345", "Toyota", None),
    ("JTMHY7AJ1D4012345", "Toyota", None),
    ("4T1BF1FK6CU012345", "Toyota", 2012),
    ("5TDBY5G16CS012345", "Toyota", 2012),
    ("2T3ZF4DV2BW012345", "Toyota", 2011),
    ("5TFDW5F1XEX012345", "Toyota", 2014),
    ("4T1BG22K6YU012345", "Toyota", 2000),
    ("MR0FX22G501012345", "Toyota", None),
    ("JTJHY7AXXD4012345", "Lexus", None),
    ("2T2BK1BA7DC012345", "Lexus", 2013),
    ("JTHBK1GG7E2012345", "Lexus", None),
    # Nissan
    ("JN8AY2NC5H9012345", "Nissan", None),
    ("JN1TANY63U0012345", "Nissan", None),
    ("1N4AL3AP0DC012345", "Nissan", 2013),
    ("5N1AR2MM9EC012345", "Nissan", 2014),
    ("3N1AB7AP5HY012345", "Nissan", 2017),
    # Mitsubishi
    ("JA4AZ3A37HZ012345", "Mitsubishi", None),
    ("4A32B2FFXAE012345", "Mitsubishi", 2010),
    ("ML32A3HJ2FH012345", "Mitsubishi", None),
    ("JMYLYV985EJ000123", "Mitsubishi", None),
    # Hyundai / Kia
    ("KMHD841C9MU012345", "Hyundai", None),
    ("KMHCT4AE9GU012345", "Hyundai", None),
    ("5NPE24AF7FH012345", "Hyundai", 2015),
    ("KM8J33A48GU012345", "Hyundai", None),
    ("KNADM4A37D6012345", "Kia", None),
    ("KNDPB3AC0F7012345", "Kia", None),
    ("5XYKT3A69DG012345", "Kia", 2013),
    ("KNAFK4A65F5012345", "Kia", None),
    # Honda
    ("JHMGE8H3XAC012345", "Honda", None),
    ("5FNYF6H52HB012345", "Honda", 2017),
    ("2HGFC2F53HH012345", "Honda", 2017),
    ("19XFC2F52GE012345", "Honda", 2016),
    # Chevrolet / GMC
    ("1GNSKBKC2FR012345", "Chevrolet", 2015),
    ("3GCUKREC7EG012345", "Chevrolet", 2014),
    ("1GCVKREC1EZ012345", "Chevrolet", 2014),
    ("1G1ZT53826F109149", "Chevrolet", 2006),
    ("1GKS2CKJ9GR012345", "GMC", 2016),
    ("1GTV2LEC3FZ012345", "GMC", 2015),
    ("1GKKNXLSXHZ012345", "GMC", 2017),
    # Ford
    ("1FMJU1JTXFE012345", "Ford", 2015),
    ("1FTFW1EF8EF012345", "Ford", 2014),
    ("1FM5K8GT7EG012345", "Ford", 2014),
    ("MNBUS4DH7FW012345", "Ford", None),
    # Mercedes-Benz / BMW / Land Rover
    ("WDB4632481X123456", "Mercedes-Benz", None),
    ("WDDNG7DBXDA012345", "Mercedes-Benz", None),
    ("W1N4632721X123456", "Mercedes-Benz", None),
    ("4JGDA5HB8DA012345", "Mercedes-Benz", 2013),
    ("WBAFR7C56BC012345", "BMW", None),
    ("WBSWD9359PP012345", "BMW", None),
    ("5UXKR0C5XE0012345", "BMW", 2014),
    ("SALGS2EF1DA012345", "Land Rover", None),
    ("SALLDHMFX7A012345", "Land Rover", None),
    ("LGXCE4CB2N0123456", "BYD", 2022),
]
