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
JWT_RE = re.compile(r'eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}')


def spellings(secret):
    """The ways ``secret`` can appear in a message: as is, trimmed, repr-, JSON- and URL-escaped."""
    out = set()
    for value in (secret, secret.strip()):
        out.add(value)
        out.add(repr(value)[1:-1])
        out.add(json.dumps(value)[1:-1])
        out.add(quote(value, safe=''))
    return set(s for s in out if len(s) >= MIN_SECRET)


class Redactor(object):
    """Remembers credentials and masks them in text."""

    def __init__(self, secrets=()):
        self._spellings = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        if secret and isinstance(secret, str):
            self._spellings |= spellings(secret)

    def scrub(self, text, limit=None):
        """``text`` with every known credential and JWT masked, then cut to ``limit`` characters."""
        text = '%s' % (text,)
        for value in sorted(self._spellings, key=len, reverse=True):
            text = text.replace(value, MASK)
        text = JWT_RE.sub(MASK, text)
        if limit is not None and len(text) > limit:
            text = text[:limit] + '...'
        return text
