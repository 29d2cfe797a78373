"""``python -m catalog_loader``: see ``--help``."""

from catalog_loader.cli import main

if __name__ == "__main__":
    main()
