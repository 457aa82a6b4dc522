"""`make load`: concurrent clients against the `make run` stack on loopback, then a ticket audit.

```python
result = loadtest.run(clients=16, duration=30)      # starts and stops its own stack
print(loadtest.format_result(result))
```
"""
from __future__ import annotations

from loadtest.audit import Audit, audit
from loadtest.clients import Exchange, drive
from loadtest.run import LoadResult, format_result, run

__all__ = ["Audit", "Exchange", "LoadResult", "audit", "drive", "format_result", "run"]
