"""The one way chufei talks HTTP: a ``requests`` session with urllib3 ``Retry``, timeouts and one User-Agent.

Every outgoing call (the grid platform's API, the provincial portal, the notification webhook)
goes through :func:`session`, so retries are bounded the same way, no request can hang without a
timeout, and the other side always sees ``User-Agent: chufei/<version>``.

What may be retried depends on what the other side does with a repeated request, so the caller
says it:

- GET (and the other idempotent methods) are retried on connection errors, read timeouts and
  429/5xx (:data:`RETRY_STATUSES`);
- a POST is retried only when the caller names it in ``methods``: the portal's POST carries an
  ``Idempotency-Key``, so a repeat is never counted twice; a webhook has no such key, so it is
  retried only on answers that say the request was not acted on (:data:`NOT_ACTED_ON`) and
  never after a read timeout (``retry_reads=False``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from chufei import __version__

if TYPE_CHECKING:
    import requests

USER_AGENT = f"chufei/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_ACTED_ON = frozenset({429, 503})  # "too many requests" / "unavailable": the server did nothing
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


def session(*, retries: int = 3, backoff_factor: float = 0.5, backoff_max: float = 120.0,
            timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
            methods: Collection[str] = IDEMPOTENT_METHODS, statuses: Collection[int] = RETRY_STATUSES,
            retry_reads: bool = True, raise_on_status: bool = False,
            headers: Mapping[str, str] | None = None) -> requests.Session:
    """A session whose every request is retried within ``retries`` and bounded by ``timeout``.

    ``retries`` bounds all attempts together (connect, read and status retries); the waits grow
    as ``backoff_factor * 2**n`` up to ``backoff_max``, or follow the server's ``Retry-After``.
    When the retries are spent on error statuses, the last response is returned
    (``raise_on_status=False``) or ``requests.exceptions.RetryError`` is raised.
    A request may still pass its own ``timeout=``.
    """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    class _TimeoutAdapter(HTTPAdapter):
        # requests has no session-wide timeout: the adapter fills it in for every request.
        def send(self, request, stream=False, timeout=None, **kwargs):  # noqa: ANN001
            return super().send(request, stream=stream, timeout=timeout if timeout is not None else default,
                                **kwargs)

    default = timeout
    retry = Retry(total=retries, connect=retries, read=retries if retry_reads else 0, status=retries,
                  backoff_factor=backoff_factor, backoff_max=backoff_max,
                  status_forcelist=frozenset(statuses), allowed_methods=frozenset(m.upper() for m in methods),
                  respect_retry_after_header=True, raise_on_status=raise_on_status)
    adapter = _TimeoutAdapter(max_retries=retry)
    http = requests.Session()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.headers["User-Agent"] = USER_AGENT
    if headers:
        http.headers.update(headers)
    return http


def attempts(response: requests.Response) -> int:
    """How many times the request behind ``response`` was sent (1 when it was not retried)."""
    history = getattr(getattr(response.raw, "retries", None), "history", None)
    return 1 + len(history) if history is not None else 1
