"""The catalog's vocabulary: makes, models and part categories, and how customers write them.

Customers write "toyta landcrusier", "للاندكروزر", "abi fa7mat patrol 2018". This package turns
such text into canonical catalog names. It works on the *small* vocabulary (a few hundred
names and aliases loaded once from the database), never on the parts table.

One concern per module:

* ``matching.py`` - :class:`Vocabulary`: the index of names and spellings, matching, ``parse``;
* ``loading.py`` - where names come from (the database, or the seed alone);
* ``seed.py`` - reading and checking the staff-editable ``makes.yml``, ``models.yml``, ``parts.yml``;
* ``sync.py`` - :func:`sync_vocabulary` copies the seed into the alias tables;
* ``cache.py`` - :class:`VocabularyCache`, one vocabulary per process with a TTL;
* ``tokens.py``, ``years.py`` - how text is cut into words and where years are;
* ``words.py`` - filler, position and condition words, read from ``matching_words.yml``.

The staff commands (``python -m catalog_loader vocabulary sync|parse``) live in the staff CLI.
"""

from catalog.normalize import normalize_arabic
from catalog.vocabulary.cache import VocabularyCache
from catalog.vocabulary.matching import ACCEPT_SCORE, SUGGEST_SCORE, Match, VehicleMention, Vocabulary
from catalog.vocabulary.seed import LANGS, SeedError, load_seed
from catalog.vocabulary.sync import SyncReport, sync_vocabulary
from catalog.vocabulary.tokens import tokenize
from catalog.vocabulary.words import CONDITION_WORDS, POSITION_WORDS, STOPWORDS
from catalog.vocabulary.years import MIN_YEAR

__all__ = [
    "ACCEPT_SCORE",
    "CONDITION_WORDS",
    "LANGS",
    "MIN_YEAR",
    "POSITION_WORDS",
    "STOPWORDS",
    "SUGGEST_SCORE",
    "Match",
    "SeedError",
    "SyncReport",
    "VehicleMention",
    "Vocabulary",
    "VocabularyCache",
    "load_seed",
    "normalize_arabic",
    "sync_vocabulary",
    "tokenize",
]
