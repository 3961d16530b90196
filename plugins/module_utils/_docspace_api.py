# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DocSpace OAuth2 registration API: the request loop and the endpoints.

Private to this collection: it may change in any release. It composes the connection
(``_http``), authentication (``_auth``), the retry policy (``_retry``) and the error text
(``_errors``), and knows nothing of Ansible options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import threading
import time

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _auth, _errors, _retry
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (  # noqa: F401 (re-exported)  # pylint: disable=unused-import
    BadRequest, DocSpaceError, Forbidden, NotFound, OutcomeUnknown, Unreachable, describe, error_for)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._http import (  # noqa: F401 (re-exported)  # pylint: disable=unused-import
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, Connection, Interrupted, origin, proxy_for)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._redact import Redactor

jwt_claims = _auth.jwt_claims
jwt_expiry = _auth.jwt_expiry

API = _auth.API
CLIENTS = API + '/clients'
PAGE_LIMIT = 50  # the server's maximum
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
ADVICE = 'Is a login page or a proxy in front of the portal? Check that base_url is the portal root.'


class DocSpaceAPI(object):
    """One portal session. ``warn`` receives one message per retry."""

    def __init__(self, base_url, api_key=None, username=None, password=None, validate_certs=True,
                 ca_path=None, timeout=30, http_agent=None, retries=3, retry_delay=1.0,
                 warn=None, sleep=None, clock=None, signature=None, redactor=None):
        self.redactor = redactor or Redactor()
        self.warn = warn or (lambda msg: None)
        self.timeout = timeout
        self.conn = Connection(base_url, validate_certs, ca_path, timeout, http_agent, self.redactor)
        self.policy = _retry.RetryPolicy(retries, retry_delay, sleep or time.sleep, self.warn)
        self.pacer = _retry.Pacer(sleep or time.sleep, clock or time.time, self.warn)
        self.auth = _auth.Authenticator(self._send, self.redactor, clock or time.time, api_key, username,
                                        password, signature)
        self.last_attempts = 0
        self._catalogue = {}  # 'names': the scope catalogue's names once read (None: the portal did not show it)
        self._catalogue_lock = threading.Lock()  # shared with the forks, as the catalogue is

    def fork(self):
        """A session for a concurrent worker: its own connection and retry count; the credential, the
        pacing and the scope catalogue shared with this one."""
        twin = copy.copy(self)
        twin.conn = self.conn.fork()
        twin.policy = _retry.RetryPolicy(self.policy.retries, self.policy.delay, self.policy.sleep, self.warn)
        twin.last_attempts = 0
        return twin

    @property
    def retries(self):
        return self.policy.retries

    def scrub(self, text):
        return self.redactor.scrub(text)

    # ----- the request loop --------------------------------------------------------------
    def call(self, method, path, what, json_body=None, params=None, retry=_retry.ALWAYS, expect=None):
        """A registration-service call with the x-signature (see _send)."""
        return self._send(method, path, what, json_body=json_body, params=params, auth=_auth.SIGNATURE,
                          retry=retry, expect=expect)

    def _send(self, method, path, what, json_body=None, params=None, auth=_auth.SIGNATURE, retry=_retry.ALWAYS,
              expect=None):
        """The response, or with ``expect`` (keys the JSON object must carry; () for any JSON) the
        decoded body. A 2xx without it is an interruption like a cut connection: a read is sent
        again, a write that may have been applied becomes OutcomeUnknown."""
        attempt = 0
        renewed = False
        while True:
            self.last_attempts = attempt
            try:
                headers = self.auth.headers(auth)
                self.pacer.before(method)
                resp = None
                try:
                    resp = self.conn.request(method, path, what, headers, json_body, params)
                finally:
                    self.pacer.after(method, resp)
                status = resp.status_code
                if status == 403 and auth == _auth.SIGNATURE and not resp.content and not renewed:
                    # A refused signature (expired, or the portal key rotated): renew once and replay.
                    renewed = True
                    self.auth.signature(force=True)
                    continue
                if attempt < self.policy.retries and self.policy.status_retryable(status, retry):
                    attempt += 1
                    self.policy.pause(attempt, what, 'HTTP %s' % status, resp=resp)
                    continue
                if status >= 400:
                    # A write that must not run twice: any 5xx may come after DocSpace applied it.
                    if status >= 500 and method in WRITES and retry != _retry.ALWAYS:
                        raise OutcomeUnknown(describe(resp, what, self.redactor), status, slow=status == 504)
                    raise error_for(resp, what, self.redactor)
                if 'html' in resp.headers.get('Content-Type', ''):
                    # Never an API answer (a login page, SSO or a proxy): as good as no answer at all.
                    raise Interrupted('DocSpace answered HTTP %s with an HTML page, not JSON' % status, advice=ADVICE)
                return resp if expect is None else self._decode(resp, expect)
            except Interrupted as exc:
                if attempt < self.policy.retries and (retry == _retry.ALWAYS or exc.not_sent):
                    attempt += 1
                    self.policy.pause(attempt, what, exc.reason)
                    continue
                message = 'Could not %s: %s (%s %s).' % (what, exc.reason, method, self.conn.base_url + path)
                if method in WRITES and not exc.not_sent:
                    raise OutcomeUnknown(self.redactor.scrub(message + ' The server may have applied the request.'),
                                         slow=exc.slow)
                raise Unreachable(self.redactor.scrub(message + ' ' + exc.advice))

    @staticmethod
    def _decode(resp, expect):
        try:
            body = resp.json()
        except ValueError:
            raise Interrupted('DocSpace answered HTTP %s with a body that is not JSON' % resp.status_code, advice=ADVICE)
        missing = [key for key in expect if not isinstance(body, dict) or body.get(key) is None]
        if expect and missing:
            what = 'a DocSpace API envelope' if expect == ('response',) else 'the expected answer'
            raise Interrupted('the answer of HTTP %s is not %s (no %s)' % (resp.status_code, what, ', '.join(missing)),
                              advice=ADVICE)
        return body

    # ----- endpoints -------------------------------------------------------------------
    def iter_pages(self, path, what, params=None):
        """Every item of a newest-first cursor list, following last_created_on to the end."""
        query = dict(params or {})
        query['limit'] = PAGE_LIMIT
        seen = set()
        while True:
            page = self.call('GET', path, what, params=query, expect=())
            if not isinstance(page, dict) or not isinstance(page.get('data'), list):
                raise DocSpaceError('Could not %s: the list answer has no data array.' % what)
            yield from page['data']
            cursor = page.get('last_created_on') or page.get('last_modified_on')
            if not cursor:
                return
            if cursor in seen:  # a cursor that does not move would loop for ever
                raise DocSpaceError('Could not %s: the server repeated the cursor %s.' % (what, cursor))
            seen.add(cursor)
            if 'last_modified_on' in page:
                query['last_modified_on'] = cursor
            else:
                query['last_client_id'] = page.get('last_client_id')
                query['last_created_on'] = cursor

    def list_clients(self):
        return self.iter_pages(CLIENTS, 'list OAuth clients')

    def get_client(self, client_id, what=None):
        return self.call('GET', '%s/%s' % (CLIENTS, client_id), what or 'read OAuth client %s' % client_id,
                         expect=('client_id',))

    def find_client(self, client_id):
        try:
            return self.get_client(client_id)
        except NotFound:
            return None

    def create_client(self, body, what, known_ids=(), matches=None):
        """POST a client, never twice: a create whose outcome is unknown is looked for, a few
        times with backoff, and adopted when it shows up. It is not sent again (the server may
        still apply it later); the next run adopts a late one by name."""
        try:
            return self.call('POST', CLIENTS, what, json_body=body, retry=_retry.REFUSED,
                             expect=('client_id', 'client_secret'))
        except OutcomeUnknown as exc:
            cause = _errors.cause(exc, what)
            for attempt in range(1, self.policy.retries + 2):
                # A slow server may still be storing it: the first look waits at least one timeout.
                self.policy.pause(attempt, what, 'the outcome is unknown (%s); looking for the client' % cause,
                                  at_least=self.timeout if exc.slow and attempt == 1 else 0.0, counted=False)
                found = [c for c in self.list_clients() if c.get('name') == body.get('name')
                         and c.get('client_id') not in known_ids and (matches is None or matches(c))]
                if found:
                    self.warn('The create did reach DocSpace: using the new client %s.' % found[0]['client_id'])
                    return self.get_client(found[0]['client_id'])  # GET one carries the plain secret
            raise OutcomeUnknown('%s DocSpace did not show the client after %d looks, and the create is not sent '
                                 'again because DocSpace may still apply it: run the task again, it adopts the '
                                 'client if it appears and creates it otherwise.' % (exc, self.policy.retries + 1),
                                 exc.status, exc.slow)
        except DocSpaceError as exc:
            exc.created = False  # refused (4xx, 429 to the end) or never sent: certainly nothing was created
            raise

    def update_client(self, client_id, body, what):
        """A PUT replaces every field, so it is not resent as built after an unknown outcome (another
        writer may have changed the client meanwhile): the caller reads again and builds a new one."""
        self.call('PUT', '%s/%s' % (CLIENTS, client_id), what, json_body=body, retry=_retry.REFUSED)

    def set_enabled(self, client_id, enabled, what):
        self.call('PATCH', '%s/%s/activation' % (CLIENTS, client_id), what, json_body={'status': bool(enabled)})

    def delete_client(self, client_id, what, missing_ok=False):
        try:
            self.call('DELETE', '%s/%s' % (CLIENTS, client_id), what)
        except NotFound:
            if not (missing_ok or self.last_attempts):
                raise
            # Gone already: a retried DELETE whose first attempt was applied, or another run's delete.

    def regenerate_secret(self, client_id, what):
        return self.call('PATCH', '%s/%s/regenerate' % (CLIENTS, client_id), what, retry=_retry.REFUSED,
                         expect=('client_secret',))

    def client_info(self, client_id, public=False):
        """The info projection of one client; ``public`` reads it with no credential at all."""
        path = '%s/%s/%s' % (CLIENTS, client_id, 'public/info' if public else 'info')
        what = 'read the %sinfo of OAuth client %s' % ('public ' if public else '', client_id)
        return self._send('GET', path, what, auth=_auth.NONE if public else _auth.SIGNATURE, expect=('client_id',))

    def list_client_info(self):
        return self.iter_pages(CLIENTS + '/info', 'list OAuth client info')

    def consents(self):
        return self.iter_pages(CLIENTS + '/consents', 'list your OAuth consents')

    def revoke_consent(self, client_id, what):
        self.call('DELETE', '%s/%s/revoke' % (CLIENTS, client_id), what)

    def scopes(self):
        return self.call('GET', API + '/scopes', 'read the scope catalogue', expect=())

    def scope_names(self):
        """The names the portal's scope catalogue offers, in its order, read once per session; None when the
        portal does not show it (404, 403, or an answer that is no catalogue): the write itself decides then."""
        with self._catalogue_lock:  # workers that need it at once: one read
            return self._scope_names()

    def _scope_names(self):
        if 'names' not in self._catalogue:
            try:
                listed = self.scopes()
            except (NotFound, Forbidden):
                listed = None
            names = [s.get('name') for s in listed if isinstance(s, dict)] if isinstance(listed, list) else []
            self._catalogue['names'] = names if names and all(isinstance(n, str) for n in names) else None
        return self._catalogue['names']
