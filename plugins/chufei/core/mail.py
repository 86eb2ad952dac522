"""Email, always through Airflow's ``SmtpHook`` and an SMTP connection.

The server, port, TLS (``disable_ssl`` / ``disable_tls``), login, ``timeout`` and ``retry_limit``
are the connection's, as the SMTP provider documents them; chufei passes only the message.
The hook sends HTML, so plain text goes inside ``<pre>``, escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path


def send(conn_id: str, *, to: Iterable[str], subject: str, text: str, files: Iterable[Path] = (),
         sender: str | None = None, headers: Mapping[str, str] | None = None) -> None:
    """Send ``text`` (and ``files`` as attachments) to ``to`` through the SMTP connection ``conn_id``."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        hook.send_email_smtp(to=list(to), subject=subject, html_content=f"<pre>{html.escape(text, quote=False)}</pre>",
                             from_email=sender, files=[str(path) for path in files] or None,
                             custom_headers=dict(headers) if headers else None)
