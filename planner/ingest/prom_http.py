"""The one module that speaks HTTP: range queries to a Prometheus-API server
(``/api/v1/query_range``, POSTed as a form so long selectors never hit a URL length limit),
with a timeout per attempt, retries with exponential backoff, and every failure as a
``PromRequestError`` saying what happened. The standard library only (``urllib``).

A response is read streaming (``planner.ingest.json_responses``, the reader of Prometheus
JSON files) into ``RawSeries``: labels, timestamps and values as floats.

Retried: refused or dropped connections, timeouts, HTTP 429 and 5xx (a restarting server,
an overloaded Thanos querier). Not retried: other 4xx (bad PromQL, bad credentials, wrong
path) and responses that are not a Prometheus matrix.
"""

from __future__ import annotations

import http.client
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from planner.ingest.json_responses import Notice, RawSeries, ServerWarning, iter_json_series
from planner.ingest.json_scanner import JsonSyntaxError
from planner.ingest.timestamps import parse_timestamp
from planner.promql import MAX_BACKOFF_S

ERROR_BODY_CHARS = 2000
"""At most this much of an error response is kept (Prometheus' errors are one line)."""


class Failure(StrEnum):
    """What kind of failure a ``PromRequestError`` is."""

    CONNECT = "connect"
    """No connection: refused, unknown host, reset."""
    TIMEOUT = "timeout"
    HTTP = "http"
    """An HTTP error status; ``status``, ``error_type`` and ``error`` say which."""
    RESPONSE = "response"
    """A 200 whose body is not a Prometheus range-query result."""


@dataclass
class RangeResult:
    """The series of one range query and the warnings the server sent with them."""

    series: list[RawSeries] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class PromRequestError(Exception):
    """A range query that failed (after its retries, when retryable)."""

    def __init__(
        self,
        failure: Failure,
        message: str,
        *,
        status: int = 0,
        error_type: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message
        self.status = status
        self.error_type = error_type
        self.attempts = attempts

    @property
    def retryable(self) -> bool:
        if self.failure is Failure.HTTP:
            return self.status == 429 or self.status >= 500
        return self.failure in (Failure.CONNECT, Failure.TIMEOUT)


class PromClient:
    """Range queries against one server. ``headers`` are sent with every request (the
    caller has read any secret into them); ``sleep`` waits between attempts (tests pass a
    recorder)."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
        retries: int = 2,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = base_url.rstrip("/") + "/api/v1/query_range"
        self.headers = dict(headers or {})
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.requests = 0
        """Requests sent so far (attempts included)."""
        self._opener = urllib.request.build_opener()

    def query_range(self, query: str, start_s: float, end_s: float, step_s: float) -> RangeResult:
        """The series of ``query`` evaluated from ``start_s`` to ``end_s`` every
        ``step_s``. Raises ``PromRequestError`` (``attempts`` set) once retries are spent."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(query, start_s, end_s, step_s)
            except PromRequestError as exc:
                if not exc.retryable or attempt > self.retries:
                    exc.attempts = attempt
                    raise
            self.sleep(min(self.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S))

    def _once(self, query: str, start_s: float, end_s: float, step_s: float) -> RangeResult:
        form = {
            "query": query,
            "start": f"{start_s:.3f}",
            "end": f"{end_s:.3f}",
            "step": f"{step_s:.3f}",
        }
        request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked on load (http/https)
            self.endpoint,
            data=urllib.parse.urlencode(form).encode("ascii"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "User-Agent": "hybridplan",
                **self.headers,
            },
        )
        self.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                return _series(response)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise PromRequestError(Failure.TIMEOUT, "timed out") from None
            raise PromRequestError(Failure.CONNECT, _reason(exc.reason)) from None
        except TimeoutError:
            raise PromRequestError(Failure.TIMEOUT, "timed out") from None
        except (OSError, http.client.HTTPException) as exc:
            raise PromRequestError(Failure.CONNECT, _reason(exc)) from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def _http_error(exc: urllib.error.HTTPError) -> PromRequestError:
    """An error status with what the server said: Prometheus' ``errorType`` and ``error``
    when the body is its JSON, else the start of the body."""
    status = exc.code
    try:
        body = exc.read(ERROR_BODY_CHARS * 4).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        body = ""
    error_type, error = "", body.strip()[:ERROR_BODY_CHARS]
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and "error" in doc:
        error_type = str(doc.get("errorType", ""))
        error = str(doc["error"])[:ERROR_BODY_CHARS]
    reason = exc.reason if isinstance(exc.reason, str) else ""
    head = f"HTTP {status}{' ' + reason if reason else ''}"
    detail = f"{error_type}: {error}" if error_type else error
    message = f"{head}: {detail}" if detail else head
    return PromRequestError(Failure.HTTP, message, status=status, error_type=error_type)


def _series(response: http.client.HTTPResponse) -> RangeResult:
    """The series (and warnings) of a 200 response, streamed; a body that is not a
    Prometheus matrix result is a ``Failure.RESPONSE``."""
    text = io.TextIOWrapper(response, encoding="utf-8")
    out = RangeResult()
    try:
        for item in iter_json_series(text, parse_timestamp):
            if isinstance(item, Notice):
                raise PromRequestError(Failure.RESPONSE, f"{item.where}: {item.message}")
            if isinstance(item, ServerWarning):
                out.warnings.append(item.message)
                continue
            if item.kind != "prometheus":
                raise PromRequestError(Failure.RESPONSE, "not a Prometheus API response")
            out.series.append(item)
    except JsonSyntaxError as exc:
        raise PromRequestError(
            Failure.RESPONSE, f"not a Prometheus API response (line {exc.line}: {exc.message})"
        ) from None
    except UnicodeDecodeError:
        raise PromRequestError(Failure.RESPONSE, "the response is not UTF-8 text") from None
    finally:
        text.detach()
    return out
