"""chufei: the domain library behind the 处非 statistics DAGs.

Modules are small and pure where they can be; anything that touches Airflow imports it lazily
so the library also runs from plain Python (the demo, the tests, the benchmark).
"""
