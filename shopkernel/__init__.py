"""The neutral kernel every package may import (and that imports none of them)."""
