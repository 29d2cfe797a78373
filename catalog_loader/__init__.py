"""Command-line tools for shop staff: import the CSV catalog, generate a sample, export NLU data."""
