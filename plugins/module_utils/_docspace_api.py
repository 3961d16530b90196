# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport for the DocSpace OAuth2 registration API.

Private to this collection: it may change in any release. It owns every HTTP detail
(session, login, the x-signature exchange and its renewal, retries, error text, cursor
paging) and knows nothing of Ansible options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import json
import random
import re
import time
import traceback

try:
    import requests
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, SSLError, Timeout
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

API = '/api/2.0'
CLIENTS = API + '/clients'
PAGE_LIMIT = 50  # the server's maximum
RETRY_STATUSES = (429, 502, 503, 504)
SIGNATURE_LIFE = 300  # seconds, when the JWT carries no exp
SIGNATURE_MARGIN = 30  # renew this long before the JWT expires
MAX_PAUSE = 60.0
MASK = '********'
_JWT_RE = re.compile(r'eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}')


class DocSpaceError(Exception):
    """A failure with a message that is safe to show (the caller scrubs it once more)."""

    def __init__(self, message, status=None):
        super(DocSpaceError, self).__init__(message)
        self.status = status


class NotFound(DocSpaceError):
    pass


class Forbidden(DocSpaceError):
    pass


class BadRequest(DocSpaceError):
    pass


class RateLimited(DocSpaceError):
    pass


class Unreachable(DocSpaceError):
    pass


class OutcomeUnknown(DocSpaceError):
    """A write was sent and no answer says whether the server applied it.

    ``slow`` when the server may still be working on it (a timeout, or a 504 from a proxy).
    """

    def __init__(self, message, status=None, slow=False):
        super(OutcomeUnknown, self).__init__(message, status)
        self.slow = slow


_BY_STATUS = {400: BadRequest, 403: Forbidden, 404: NotFound, 429: RateLimited}


def _pause_from_reset(value):
    """Seconds to wait from X-Ratelimit-Reset, or None when the header is not sane.

    The server sends seconds on success but nanoseconds on 429 (a bug), so large
    values are read as nanoseconds.
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


def jwt_claims(token):
    """The payload of a JWT (not verified: only the server can), or None."""
    try:
        payload = token.split('.')[1]
        return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)).decode('utf-8'))
    except (IndexError, ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        return None


def jwt_expiry(token):
    try:
        return float(jwt_claims(token)['exp'])
    except (KeyError, TypeError, ValueError):
        return None


def _not_sent(exc):
    """True when the request surely never reached the server (refused or connect timeout)."""
    if isinstance(exc, ConnectTimeout):
        return True
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text


class DocSpaceAPI(object):
    """One portal session. ``warn`` receives one message per retry."""

    def __init__(self, base_url, api_key=None, username=None, password=None, validate_certs=True,
                 ca_path=None, timeout=30, http_agent=None, retries=3, retry_delay=1.0,
                 warn=None, sleep=None, clock=None, signature=None):
        self.base_url = base_url.rstrip('/')
        self.api_key = api_key
        self.username = username
        self.password = password
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.retry_delay = retry_delay
        self.warn = warn or (lambda msg: None)
        self.sleep = sleep or time.sleep
        self.clock = clock or time.time
        self.session = requests.Session()
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a session-wide verify.
        self.verify = (ca_path or True) if validate_certs else False
        if not validate_certs:  # the module warns once, in words; urllib3 would warn at every request
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        self.session.headers['User-Agent'] = http_agent or 'ansible-onlyoffice.docspace'
        self.session.headers['Accept'] = 'application/json'
        self._login_token = None
        self._signature = None
        self._signature_expiry = 0.0
        self.secrets = set(s for s in (api_key, password, signature) if s)
        self.last_attempts = 0
        if signature:  # one obtained earlier (module_defaults): no login, no exchange while it lasts
            self._keep_signature(signature)

    @property
    def can_renew(self):
        return bool(self.api_key or (self.username and self.password))

    # ----- redaction -------------------------------------------------------------
    def scrub(self, text):
        text = '%s' % (text,)
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret and len(secret) >= 4:
                text = text.replace(secret, MASK)
        return _JWT_RE.sub(MASK, text)

    # ----- authentication ----------------------------------------------------------
    def _portal_auth(self):
        """Ordinary DocSpace authentication for the .NET API: an API key or a login token."""
        if self.api_key:
            return {'Authorization': 'Bearer ' + self.api_key}
        if not self._login_token:
            if not (self.username and self.password):
                raise DocSpaceError('No credentials: set api_key, or username and password '
                                    '(or DOCSPACE_API_KEY / DOCSPACE_USERNAME and DOCSPACE_PASSWORD).')
            resp = self._send('POST', API + '/authentication', 'log in to DocSpace as %s' % self.username,
                              json_body={'userName': self.username, 'password': self.password},
                              auth=None, retry='always')
            token = self._envelope(resp, 'log in to DocSpace')
            token = token.get('token') if isinstance(token, dict) else None
            if not token:
                raise DocSpaceError('Could not log in to DocSpace: the answer carried no token.')
            self._login_token = token
            self.secrets.add(token)
        return {'Authorization': self._login_token}

    def signature(self, force=False):
        """The x-signature JWT that the registration service accepts, renewed before it expires."""
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
        resp = self._send('GET', API + '/security/oauth2/token', 'get an x-signature from DocSpace',
                          auth='portal', retry='always')
        token = self._envelope(resp, 'get an x-signature from DocSpace')
        if not isinstance(token, str) or token.count('.') != 2:
            raise DocSpaceError('Could not get an x-signature from DocSpace: the answer carried no JWT.')
        self._keep_signature(token)
        return self._signature

    def _keep_signature(self, token):
        self._signature = token
        self.secrets.add(token)
        expiry = jwt_expiry(token)
        self._signature_expiry = expiry if expiry else self.clock() + SIGNATURE_LIFE

    @staticmethod
    def _stale(how):
        return ('The x-signature given in signature %s. Get a fresh one (GET %s/security/oauth2/token), or set '
                'api_key, or username and password, so that the module can renew it.' % (how, API))

    def _envelope(self, resp, what):
        try:
            return resp.json()['response']
        except (ValueError, KeyError, TypeError):
            raise DocSpaceError('Could not %s: HTTP %s, the answer is not a DocSpace API envelope. '
                                'Check that base_url points at the portal.' % (what, resp.status_code))

    # ----- requests ------------------------------------------------------------------
    def call(self, method, path, what, json_body=None, params=None, retry='always'):
        """A registration-service call with the x-signature; returns the requests response.

        retry: 'always' for idempotent calls; 'refused' only when the server surely did not
        act (429, refused connection), for POST create and PATCH regenerate.
        """
        return self._send(method, path, what, json_body=json_body, params=params, auth='signature', retry=retry)

    def _send(self, method, path, what, json_body=None, params=None, auth='signature', retry='always'):
        attempt = 0
        renewed = False
        url = self.base_url + path
        while True:
            self.last_attempts = attempt
            headers = {}
            if auth == 'signature':
                headers['x-signature'] = self.signature()
            elif auth == 'portal':
                headers.update(self._portal_auth())
            try:
                resp = self.session.request(method, url, json=json_body, params=params, headers=headers,
                                            timeout=self.timeout, verify=self.verify)
            except SSLError as exc:
                raise Unreachable(self.scrub(
                    'Could not %s: TLS verification of %s failed (%s). Set ca_path to the CA bundle that signed '
                    'the portal certificate, or validate_certs: false for a test portal.' % (what, self.base_url, exc)))
            except (RequestsConnectionError, Timeout) as exc:
                kind = 'timed out after %ss' % self.timeout if isinstance(exc, Timeout) else 'connection failed'
                retryable = retry == 'always' or _not_sent(exc)
                if retryable and attempt < self.retries:
                    attempt += 1
                    self._pause(attempt, None, what, kind)
                    continue
                message = 'Could not %s: %s (%s %s). Check base_url, the network and the proxy settings.' % (
                    what, kind, method, url)
                if method in ('POST', 'PATCH', 'PUT', 'DELETE') and not _not_sent(exc):
                    raise OutcomeUnknown(self.scrub(message + ' The server may have applied the request.'),
                                         slow=isinstance(exc, Timeout))
                raise Unreachable(self.scrub(message))
            status = resp.status_code
            if status == 403 and auth == 'signature' and not resp.content and not renewed:
                # A refused signature (expired, or the portal key rotated): renew once and replay.
                renewed = True
                self.signature(force=True)
                continue
            if status in RETRY_STATUSES and attempt < self.retries and (retry == 'always' or status == 429):
                attempt += 1
                self._pause(attempt, resp, what, 'HTTP %s' % status)
                continue
            if status >= 400:
                if status in (502, 503, 504) and method in ('POST', 'PATCH') and retry != 'always':
                    raise OutcomeUnknown(self._message(resp, what), status, slow=status == 504)
                raise _BY_STATUS.get(status, DocSpaceError)(self._message(resp, what), status)
            return resp

    def _pause(self, attempt, resp, what, reason, at_least=0.0, retry=True):
        delay = min(MAX_PAUSE, self.retry_delay * (2 ** (attempt - 1)))
        delay = delay / 2 + random.uniform(0, delay / 2)  # jitter, so parallel forks do not retry in step
        if resp is not None:
            reset = _pause_from_reset(resp.headers.get('X-Ratelimit-Reset'))
            if reset is not None and resp.status_code == 429:
                delay = max(delay, min(reset, MAX_PAUSE))
        delay = max(delay, at_least)
        if retry:
            self.warn('Could not %s: %s; retry %d of %d in %.1f s.' % (what, reason, attempt, self.retries, delay))
        else:
            self.warn('Could not %s: %s in %.1f s.' % (what, reason, delay))
        self.sleep(delay)

    def _message(self, resp, what):
        """'Could not <what>: HTTP <status> <reason>: <title>: <detail> (<field>: <message>; ...)'."""
        head = 'Could not %s: HTTP %s %s' % (what, resp.status_code, resp.reason or '')
        try:
            body = resp.json()
        except ValueError:
            body = None
        parts = []
        if isinstance(body, dict):
            for key in ('title', 'detail', 'reason'):
                if body.get(key) and body[key] not in parts and body[key] != resp.reason:
                    parts.append('%s' % body[key])
            if isinstance(body.get('error'), dict) and body['error'].get('message'):
                parts.append('%s' % body['error']['message'])
            errors = [e for e in body.get('errors') or [] if isinstance(e, dict)]
            if errors:
                fields = '(' + '; '.join('%s: %s' % (e.get('field'), e.get('message')) for e in errors) + ')'
                if parts:
                    parts[-1] += ' ' + fields
                else:
                    parts.append(fields)
        elif resp.content and 'html' in resp.headers.get('Content-Type', ''):
            parts.append('an HTML error page from a proxy in front of DocSpace')
        elif resp.content:
            parts.append(resp.text[:200])
        if resp.status_code == 403 and not resp.content:
            parts.append('the registration service refused the x-signature (is Developer Tools access limited '
                         'for this account?)')
        if resp.status_code == 401:
            parts.append('check api_key, or username and password')
        if resp.status_code == 429:
            parts.append('rate limited (DocSpace allows 10 creates a minute per user); raise retries or slow down')
        return self.scrub(head.rstrip() + (': ' + ': '.join(parts) if parts else ''))

    # ----- endpoints -------------------------------------------------------------------
    def iter_pages(self, path, what, params=None):
        """Every item of a newest-first cursor list, following last_created_on to the end."""
        query = dict(params or {})
        query['limit'] = PAGE_LIMIT
        seen = set()
        while True:
            page = self.call('GET', path, what, params=query).json()
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
        return self.call('GET', '%s/%s' % (CLIENTS, client_id),
                         what or 'read OAuth client %s' % client_id).json()

    def find_client(self, client_id):
        try:
            return self.get_client(client_id)
        except NotFound:
            return None

    def create_client(self, body, what, known_ids=(), matches=None):
        """POST a client, never twice: an unknown outcome is resolved by looking for it first."""
        attempt = 0
        while True:
            try:
                return self.call('POST', CLIENTS, what, json_body=body, retry='refused').json()
            except OutcomeUnknown as exc:
                # A slow server may still be storing it: wait at least one timeout before looking.
                cause = str(exc).split(': ', 1)[-1]
                self._pause(attempt + 1, None, what, 'the outcome is unknown (%s); looking for the client' % cause,
                            at_least=self.timeout if exc.slow else 0.0, retry=False)
                found = [c for c in self.list_clients() if c.get('name') == body.get('name')
                         and c.get('client_id') not in known_ids and (matches is None or matches(c))]
                if found:
                    self.warn('The create did reach DocSpace: using the new client %s.' % found[0]['client_id'])
                    return self.get_client(found[0]['client_id'])  # GET one carries the plain secret
                if attempt >= self.retries:
                    raise
                attempt += 1
                self.warn('The create did not reach DocSpace: sending it again (retry %d of %d).'
                          % (attempt, self.retries))

    def update_client(self, client_id, body, what):
        self.call('PUT', '%s/%s' % (CLIENTS, client_id), what, json_body=body)

    def set_enabled(self, client_id, enabled, what):
        self.call('PATCH', '%s/%s/activation' % (CLIENTS, client_id), what, json_body={'status': bool(enabled)})

    def delete_client(self, client_id, what):
        try:
            self.call('DELETE', '%s/%s' % (CLIENTS, client_id), what)
        except NotFound:
            if not self.last_attempts:
                raise
            # A retried DELETE whose first attempt was applied: the client is gone, as asked.

    def regenerate_secret(self, client_id, what):
        return self.call('PATCH', '%s/%s/regenerate' % (CLIENTS, client_id), what, retry='refused').json()

    def client_info(self, client_id, public=False):
        """The info projection of one client; ``public`` reads it with no credential at all."""
        path = '%s/%s/%s' % (CLIENTS, client_id, 'public/info' if public else 'info')
        what = 'read the %sinfo of OAuth client %s' % ('public ' if public else '', client_id)
        return self._send('GET', path, what, auth=None if public else 'signature').json()

    def list_client_info(self):
        return self.iter_pages(CLIENTS + '/info', 'list OAuth client info')

    def consents(self):
        return self.iter_pages(CLIENTS + '/consents', 'list your OAuth consents')

    def revoke_consent(self, client_id, what):
        self.call('DELETE', '%s/%s/revoke' % (CLIENTS, client_id), what)

    def scopes(self):
        return self.call('GET', API + '/scopes', 'read the scope catalogue').json()
