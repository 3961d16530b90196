# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When a request is sent again, and how long to wait first.

Private to this collection: it may change in any release. Hand-written rather than
urllib3's Retry because the decision needs what urllib3 cannot see: whether a write may
already have been applied, DocSpace's X-Ratelimit-Reset (nanoseconds on 429, a server
bug), the x-signature renewal between attempts, and one warning per retry for the job log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import threading

RETRY_STATUSES = (429, 502, 503, 504)
MAX_PAUSE = 60.0

# retry modes: 'always' for idempotent calls (GET, PUT, DELETE, PATCH activation);
# 'refused' for writes that must never run twice (POST create, PATCH regenerate): only
# when the server surely did not act (429 from the rate limiter, a refused connection).
ALWAYS, REFUSED = 'always', 'refused'


def pause_from_reset(value):
    """Seconds to wait from X-Ratelimit-Reset, or None when the header is not sane.

    The server sends seconds on success but nanoseconds on 429, so large values are read
    as nanoseconds.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e6:
        number /= 1e9
    if 0 <= number <= MAX_PAUSE * 2:
        return number
    return None


class RetryPolicy(object):
    """``retries`` attempts after the first, exponential backoff from ``delay`` with jitter."""

    def __init__(self, retries, delay, sleep, warn):
        self.retries = max(0, int(retries))
        self.delay = delay
        self.sleep = sleep
        self.warn = warn

    def status_retryable(self, status, mode):
        return status in RETRY_STATUSES and (mode == ALWAYS or status == 429)

    def pause(self, attempt, what, reason, resp=None, at_least=0.0, counted=True):
        """Wait before attempt number ``attempt`` (1-based), saying so once."""
        delay = min(MAX_PAUSE, self.delay * (2 ** (attempt - 1)))
        delay = delay / 2 + random.uniform(0, delay / 2)  # jitter, so parallel forks do not retry in step
        if resp is not None and resp.status_code == 429:
            reset = pause_from_reset(resp.headers.get('X-Ratelimit-Reset'))
            if reset is not None:
                delay = max(delay, min(reset, MAX_PAUSE))
        delay = max(delay, at_least)
        if counted:
            self.warn('Could not %s: %s; retry %d of %d in %.1f s.' % (what, reason, attempt, self.retries, delay))
        else:
            self.warn('Could not %s: %s in %.1f s.' % (what, reason, delay))
        self.sleep(delay)


class Pacer(object):
    """Keeps requests under DocSpace's per-minute limits (per user and method: POST 10, PUT/PATCH/DELETE 15,
    GET 200; RateLimiterFilter.java) from the X-Ratelimit-Remaining/Reset of its own answers: when a
    method's quota is used up (counting the requests still on their way), the next one waits for the
    window to turn instead of running into a 429. Shared by the workers of one run."""

    def __init__(self, sleep, clock, warn):
        self.sleep, self.clock, self.warn = sleep, clock, warn
        self.lock = threading.Lock()
        self.left = {}  # method -> (remaining, when the window turns), from the last answer
        self.sent = {}  # method -> requests sent whose answer has not come back
        self.told = 0.0  # one warning per window, however many workers wait

    def before(self, method):
        while True:
            with self.lock:
                now = self.clock()
                remaining, turns = self.left.get(method, (None, 0.0))
                if remaining is None or turns <= now or remaining - self.sent.get(method, 0) > 0:
                    if turns <= now:
                        self.left.pop(method, None)
                    self.sent[method] = self.sent.get(method, 0) + 1
                    return
                wait, tell = turns - now, self.told < turns
                self.told = max(self.told, turns)
            if tell:
                self.warn('DocSpace allows no more %s requests this minute (X-Ratelimit-Remaining is 0): waiting '
                          '%.1f s for the next minute.' % (method, wait))
            self.sleep(wait)

    def after(self, method, resp):
        with self.lock:
            self.sent[method] = max(0, self.sent.get(method, 0) - 1)
            headers = getattr(resp, 'headers', None) or {}
            try:
                remaining = int(headers.get('X-Ratelimit-Remaining'))
            except (TypeError, ValueError):
                return
            reset = pause_from_reset(headers.get('X-Ratelimit-Reset'))
            if reset is None or remaining < 0:
                return
            now = self.clock()
            before, turns = self.left.get(method, (None, 0.0))
            if before is not None and turns > now:
                remaining = min(remaining, before)  # answers of one window come back in any order
            # Reset is in whole seconds: the window may turn up to a second later than it says.
            self.left[method] = (remaining, max(turns, now + reset + 1.0))
