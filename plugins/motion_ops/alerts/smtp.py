"""A plain SMTP client (smtplib) configured like Airflow's SMTP connection (the smtp provider's
form: host, port, login, password; extras ``from_email``, ``disable_ssl``, ``disable_tls``,
``timeout``). Its errors name the server and what went wrong, never an address or a credential."""
from __future__ import annotations

import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Iterator


class MailUnavailable(RuntimeError):
    """The SMTP server cannot be reached or refuses to send (nothing was sent)."""


class RecipientRefused(RuntimeError):
    """The server refused one message or its recipient (the others can still be sent)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_email: str
    login: str | None = None
    password: str | None = None
    use_ssl: bool = True
    starttls: bool = True
    timeout: float = 30.0

    def __repr__(self) -> str:  # no credential in a log line or a traceback
        return f"SmtpConfig(host={self.host!r}, port={self.port}, ssl={self.use_ssl}, starttls={self.starttls})"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_connection(cls, conn: Any) -> "SmtpConfig":
        """From an Airflow connection of type ``smtp``, read as the smtp provider reads it.

        :raises ValueError: no host, or no ``from_email`` extra (a digest needs a sender).
        """
        extra = conn.extra_dejson
        use_ssl = not bool(extra.get("disable_ssl", False))
        if not conn.host:
            raise ValueError(f"connection {conn.conn_id!r}: no host")
        sender = extra.get("from_email") or ""
        if not sender:
            raise ValueError(f"connection {conn.conn_id!r}: set the extra 'from_email' (the digests' sender)")
        return cls(host=conn.host, port=int(conn.port or (465 if use_ssl else 25)), from_email=str(sender),
                   login=conn.login or None, password=conn.password or None, use_ssl=use_ssl,
                   starttls=not bool(extra.get("disable_tls", False)), timeout=float(extra.get("timeout", 30)))


class SmtpSender:
    """Sends messages through one SMTP session (:meth:`session`), or one message on its own (:meth:`send_one`)."""

    def __init__(self, config: SmtpConfig):
        self.config = config

    @property
    def from_email(self) -> str:
        return self.config.from_email

    def _open(self) -> smtplib.SMTP:
        c = self.config
        if c.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if c.login and c.password:
            client.login(c.login, c.password)
        return client

    @contextmanager
    def session(self) -> Iterator["Session"]:
        """An open session; :class:`MailUnavailable` when the server cannot be reached or logged in to."""
        try:
            client = self._open()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"the SMTP server {self.config.where} cannot be reached or refuses the login "
                                  f"({type(exc).__name__})") from None
        try:
            yield Session(client, self.config.where)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def send_one(self, msg: EmailMessage) -> None:
        with self.session() as session:
            session.send(msg)


class Session:
    """One open SMTP session."""

    def __init__(self, client: smtplib.SMTP, where: str):
        self.client, self.where = client, where

    def send(self, msg: EmailMessage) -> None:
        """Send ``msg``; once this returns the server has accepted it.

        :raises RecipientRefused: the server refused its recipient.
        :raises MailUnavailable: the server went away or refused the message.
        """
        try:
            self.client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise RecipientRefused(f"the SMTP server {self.where} refused the recipient (code {codes})") from None
        except smtplib.SMTPDataError as exc:  # this message (a content filter, its size): the next one may pass
            raise RecipientRefused(f"the SMTP server {self.where} refused the message (code {exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:  # an address this server cannot take (SMTPUTF8)
            raise RecipientRefused(f"the SMTP server {self.where} cannot take this message's address") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"the SMTP server {self.where} failed while sending ({type(exc).__name__})") from None
