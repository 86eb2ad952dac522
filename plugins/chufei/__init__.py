"""chufei: the domain library behind the 处非 statistics DAGs.

Modules are small and pure where they can be; anything that touches Airflow imports it lazily
so the library also runs from plain Python (the demo, the tests, the benchmark).
"""

import os

# The release, as pyproject.toml states it (a unit test keeps the two equal); the image ships no
# pyproject.toml, so it is written here too. It names chufei to other servers (chufei.core.http).
__version__ = "0.1.0"

# openpyxl writes other bytes when lxml is installed (python-docx brings it). Packages must be
# byte-for-byte reproducible whatever else is installed, and the streamed long-list writer
# (chufei.outbox.reports) matches openpyxl's standard writer: keep openpyxl on its own writer.
# It reads this once, at its first import, so it is set before any chufei module imports it.
os.environ.setdefault("OPENPYXL_LXML", "False")
