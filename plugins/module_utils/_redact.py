# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masking of credentials in any text that may reach the user.

Private to this collection: it may change in any release. A credential leaks not only
verbatim: exception texts quote it with repr() (a trailing newline becomes \\n), JSON
escapes it, URLs percent-encode it. Every such spelling is masked, and so is anything
shaped like a JWT, before the text is shortened.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    from urllib import quote  # type: ignore

MASK = '********'
MIN_SECRET = 4  # shorter values would mask ordinary words
# Case-blind: a host name in a message (a redirect's Location) comes back lowercased.
JWT_RE = re.compile(r'eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}', re.IGNORECASE)


def spellings(secret):
    """The ways ``secret`` can appear in a message: as is, trimmed, repr-, JSON- and URL-escaped."""
    out = set()
    for value in (secret, secret.strip()):
        out.add(value)
        out.add(repr(value)[1:-1])
        out.add(repr(value.encode('utf-8'))[2:-1])  # as requests quotes a header it refuses
        out.add(json.dumps(value)[1:-1])
        out.add(quote(value, safe=''))
    return set(s for s in out if len(s) >= MIN_SECRET)


class Redactor(object):
    """Remembers credentials and masks them in text."""

    def __init__(self, secrets=()):
        self._spellings = set()
        self._pattern = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        if secret and isinstance(secret, str) and not spellings(secret) <= self._spellings:
            self._spellings |= spellings(secret)
            longest_first = sorted(self._spellings, key=len, reverse=True)
            self._pattern = re.compile('|'.join(re.escape(s) for s in longest_first), re.IGNORECASE)

    def scrub(self, text, limit=None):
        """``text`` with every known credential and JWT masked, then cut to ``limit`` characters."""
        text = '%s' % (text,)
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        text = JWT_RE.sub(MASK, text)
        if limit is not None and len(text) > limit:
            text = text[:limit] + '...'
        return text
