"""The neutral kernel every package may import (and that imports none of them).

One place for what every process needs and no domain owns:

* :mod:`shopkernel.env` — typed environment readers with one rule set and one error type;
* :mod:`shopkernel.db` — the database URL default, engines, sessions, safe table creation;
* :mod:`shopkernel.masking` — phone numbers and URLs made safe for logs and messages;
* :mod:`shopkernel.numerals` — Arabic/Persian digit folding and the plausible model years;
* :mod:`shopkernel.copy` — the customer copy sent outside Rasa (config/customer_copy.yml);
* :mod:`shopkernel.language` — which script a text is in, the language last seen per customer;
* :mod:`shopkernel.paths` — where the project lives (config, var);
* :mod:`shopkernel.tracker_store` — the layout of Rasa's SQL tracker store, for its readers.
* :mod:`shopkernel.retry` — waiting out a short outage (one back-off rule for every caller).

It depends only on the standard library, SQLAlchemy and PyYAML.
"""
