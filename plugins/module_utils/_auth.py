# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: an API key or a login token for the portal, and the x-signature JWT
that the registration service accepts, kept and renewed before it expires.

Private to this collection: it may change in any release. Every credential it sees or
receives is handed to the Redactor first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import json
import re
import threading

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError, Forbidden, NotFound

API = '/api/2.0'
SIGNATURE_LIFE = 300  # seconds, when the JWT carries no exp
SIGNATURE_MARGIN = 30  # renew this long before the JWT expires
HEADER_SAFE = re.compile(r'[\x21-\x7e]+\Z')  # what can go in an HTTP header value

# Who authenticates a request: the registration service (x-signature), the portal, or nobody.
SIGNATURE, PORTAL, NONE = 'signature', 'portal', None


def jwt_claims(token):
    """The payload of a JWT (not verified: only the server can), or None."""
    try:
        payload = token.split('.')[1]
        return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)).decode('utf-8'))
    except (IndexError, ValueError, TypeError, AttributeError, UnicodeDecodeError, binascii.Error):
        return None


def jwt_expiry(token):
    try:
        return float(jwt_claims(token)['exp'])
    except (KeyError, TypeError, ValueError):
        return None


class Authenticator(object):
    """``send(method, path, what, json_body=None, auth=None, expect=None)`` is the transport's
    request loop, used here for the login and the exchange."""

    def __init__(self, send, redactor, clock, api_key=None, username=None, password=None, signature=None):
        self.send = send
        self.redactor = redactor
        self.clock = clock
        self.api_key = api_key
        self.username = username
        self.password = password
        self._login_token = None
        self.lock = threading.RLock()
        self._signature = None
        self._signature_expiry = 0.0
        for secret in (api_key, password, signature):
            redactor.add(secret)
        if signature:  # one obtained earlier (module_defaults): no login, no exchange while it lasts
            self._keep_signature(signature)

    @property
    def can_renew(self):
        return bool(self.api_key or (self.username and self.password))

    def headers(self, auth):
        if auth == SIGNATURE:
            return {'x-signature': self.signature()}
        if auth == PORTAL:
            return self._portal_auth()
        return {}

    def _token(self, value, what, kind):
        """A token from the server, trimmed; refused (never quoted) when it cannot go in a header."""
        if not isinstance(value, str):
            raise DocSpaceError('Could not %s: the answer carried no %s.' % (what, kind))
        self.redactor.add(value)
        value = value.strip()
        if not HEADER_SAFE.match(value):
            raise DocSpaceError('Could not %s: the answer carried a %s with characters that cannot go in an HTTP '
                                'header.' % (what, kind))
        return value

    def _portal_auth(self):
        """Ordinary DocSpace authentication for the .NET API: an API key or a login token."""
        if self.api_key:
            return {'Authorization': 'Bearer ' + self.api_key}
        if not self._login_token:
            if not (self.username and self.password):
                raise DocSpaceError('No credentials: set api_key, or username and password '
                                    '(or DOCSPACE_API_KEY / DOCSPACE_USERNAME and DOCSPACE_PASSWORD).')
            what = 'log in to DocSpace as %s' % self.username
            answer = self.send('POST', API + '/authentication', what, auth=NONE, expect=('response',),
                               json_body={'userName': self.username, 'password': self.password})
            token = answer['response'].get('token') if isinstance(answer['response'], dict) else None
            self._login_token = self._token(token, what, 'token')
        return {'Authorization': self._login_token}

    def signature(self, force=False):
        """The x-signature JWT that the registration service accepts, renewed before it expires (by one
        worker at a time: the others wait for it rather than exchange the key again)."""
        with self.lock:
            return self._current_signature(force)

    def _current_signature(self, force):
        if not force and self._signature and self.clock() < self._signature_expiry - SIGNATURE_MARGIN:
            return self._signature
        if self._signature and not self.can_renew:
            # Only a given signature and nothing to renew it with: use it to its last second, then say so.
            if force:
                raise Forbidden(self._stale('was refused by the registration service (it has expired, was issued '
                                            'by another portal, or its account may not use Developer Tools)'), 403)
            if self.clock() < self._signature_expiry:
                return self._signature
            raise DocSpaceError(self._stale('has expired'))
        what = 'get an x-signature from DocSpace'
        try:
            answer = self.send('GET', API + '/security/oauth2/token', what, auth=PORTAL, expect=('response',))
        except NotFound as exc:  # every portal serves it: the address is not the portal root
            raise NotFound('%s. Set base_url to the portal root, such as https://docspace.example.com (without '
                           '/api/2.0 or a page path).' % str(exc).rstrip('.'), 404)
        token = self._token(answer['response'], what, 'JWT')
        if token.count('.') != 2:
            raise DocSpaceError('Could not %s: the answer carried no JWT.' % what)
        self._keep_signature(token)
        return self._signature

    def _keep_signature(self, token):
        self._signature = token
        self.redactor.add(token)
        expiry = jwt_expiry(token)
        self._signature_expiry = expiry if expiry else self.clock() + SIGNATURE_LIFE

    @staticmethod
    def _stale(how):
        return ('The x-signature given in signature %s. Get a fresh one (GET %s/security/oauth2/token), or set '
                'api_key, or username and password, so that the module can renew it.' % (how, API))
