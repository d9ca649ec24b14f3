"""The one retry policy: bounded exponential backoff with jitter, on ``tenacity``.

Every retry of the enrich worker and the replay goes through ``RetryPolicy.call``: Elasticsearch
unreachable or throttling, Kafka not acknowledging, a batch that failed, a dead letter that could not
be written. What is worth retrying is named by the caller (``transient``, always ``Exception``
subclasses: a cancellation is never retried); the tuples for Elasticsearch and Kafka are here.

The n-th wait is ``min(max_s, initial_s * 2**(n-1))`` times a jitter in [0.8, 1.0]: never longer than
``max_s``, never two workers in lock step. Each retry is logged at warning level with what failed, the
attempt, the wait and the error (as an error, with the traceback, when the caller says the failure is a
bug rather than an outage).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from aiokafka.errors import KafkaError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, stop_never
from tenacity.wait import wait_base

logger = logging.getLogger(__name__)

T = TypeVar("T")

Transient = tuple[type[Exception], ...]

#: Elasticsearch is unreachable or too slow: worth waiting for, never worth dropping an article for.
ES_UNREACHABLE: Transient = (ESConnectionError, ConnectionTimeout)
#: HTTP statuses (of a whole request or of one bulk item) that mean "busy, ask again": throttled or unavailable.
ES_TRANSIENT_STATUS: frozenset[int] = frozenset({429, 500, 502, 503, 504})
#: Kafka unreachable or slow to acknowledge: retried, never a reason to dead-letter an article.
KAFKA_TRANSIENT: Transient = (KafkaError, TimeoutError, OSError)

#: Each wait is its bound times a factor drawn from this range.
JITTER = (0.8, 1.0)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the backoff (seconds): the first wait is about ``initial_s``, none is over ``max_s``."""

    initial_s: float = 0.5
    max_s: float = 15.0
    #: Called before each retry's wait (e.g. a metrics counter: ``dataclasses.replace(policy, on_retry=...)``).
    on_retry: Callable[[], None] | None = field(default=None, compare=False)

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), jitter included."""
        bound: float = min(self.max_s, self.initial_s * 2 ** min(max(attempt - 1, 0), 64))
        return bound * random.uniform(*JITTER)

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        what: str,
        transient: Transient,
        attempts: int | None = None,
        unexpected: bool = False,
    ) -> T:
        """``await fn()`` until it returns, retrying only ``transient`` errors, at most ``attempts`` times
        in all (``None``: until it succeeds; the caller stops advancing meanwhile).

        Anything else — another error, or a cancellation, which is no ``Exception`` — is raised at once;
        the last transient error is raised once the attempts are used up. Each retry is logged as a warning;
        with ``unexpected`` (failures that are bugs rather than outages) as an error, with its traceback.
        """
        for kind in transient:
            if not issubclass(kind, Exception):
                raise TypeError(f"only Exception subclasses may be retried, not {kind.__name__}")
        of = f" of {attempts}" if attempts is not None else ""

        def before_sleep(state: RetryCallState) -> None:
            if self.on_retry is not None:
                self.on_retry()
            exc = state.outcome.exception() if state.outcome is not None else None
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            logger.log(
                logging.ERROR if unexpected else logging.WARNING,
                "%s failed (attempt %s), retrying in %.1fs: %s",
                what,
                f"{state.attempt_number}{of}",
                wait,
                exc,
                exc_info=exc if unexpected else None,
            )

        async def attempt() -> T:
            # A coroutine function: tenacity awaits what it returns (a plain callable's awaitable it would not).
            return await fn()

        retrying = AsyncRetrying(
            wait=_PolicyWait(self),
            retry=retry_if_exception_type(transient),
            stop=stop_after_attempt(attempts) if attempts is not None else stop_never,
            before_sleep=before_sleep,
            reraise=True,
        )
        return await retrying(attempt)


class _PolicyWait(wait_base):
    """``RetryPolicy.delay`` as a tenacity wait strategy."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        return self._policy.delay(retry_state.attempt_number)
