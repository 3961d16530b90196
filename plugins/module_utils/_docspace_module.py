# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule every docspace module runs as.

Private to this collection: it may change in any release. It owns the shared
connection options, the one way to fail (scrubbed, never a traceback), and the
lookup of a client by id or by unique name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import os
import re
import sys
import time

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api as api
from ansible_collections.onlyoffice.docspace.plugins.module_utils._redact import Redactor

JWT_RE = re.compile(r'[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\Z')
UUID_RE = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')
CLIENT_ID_RULE = ('client_id must be a UUID such as 6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c, as DocSpace assigns them '
                  '(got %r).')
HEADER_SAFE = re.compile(r'[\x21-\x7e]+\Z')  # visible ASCII: what an HTTP header value carries as is
CONTROL = re.compile(r'[\x00-\x1f\x7f]')
SECRETS = ('api_key', 'password', 'signature')
# socket timeouts overflow near 1e10 s; an hour for one answer is already far past any proxy's limit.
MAX_TIMEOUT = 3600
# Backoff doubles up to 60 s a wait, so 10 retries already wait up to about 5 minutes; more is a hung
# job rather than resilience (and past about 1000 the backoff arithmetic overflows).
MAX_RETRIES = 10
MESSAGE_LIMIT = 300  # of an unexpected exception's text, cut after scrubbing


def client_id_or_none(value):
    """A client_id as DocSpace answers it (lower case: it reads any case), or None when it is no UUID."""
    return value.lower() if UUID_RE.match(value) else None


def env_fallback(*names):
    """The first of these environment variables that is set and not empty.

    AWX/AAP credential injectors set every variable they know, empty when the field is, so
    an empty one means unset (else an empty DOCSPACE_USERNAME would conflict with api_key).
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def url_password(url):
    """The password of a user:password@ in a URL, with or without its scheme; None if it has none."""
    if '@' not in url:
        return None
    if '//' in url:
        return urlsplit(url).password or None
    userinfo = url.rsplit('@', 1)[0]
    return userinfo.split(':', 1)[1] or None if ':' in userinfo else None


NETLOC = re.compile(r'(\[[0-9A-Fa-f:.]+\]|[^\s/\\?#@\[\]%:]+)(:[0-9]+)?\Z')


def _sent_to(url):
    """(host, port) as requests' own URL parser (urllib3) reads them, lowercased like urlsplit."""
    try:
        from urllib3.util import parse_url
        parsed = parse_url(url)
    except Exception:  # pylint: disable=broad-except
        return None
    host = (parsed.host or '').strip('[]').lower()
    return host, parsed.port


def _ascii(host):
    """An internationalised host name as it goes on the wire (IDNA), others as they are."""
    try:
        return host.encode('idna').decode('ascii') if host and not host.isascii() else host
    except UnicodeError:
        return None


def is_loopback(host):
    """127.0.0.0/8, ::1 and localhost: traffic to them never leaves the machine."""
    if host == 'localhost':  # not *.localhost: those names are looked up like any other here
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# base_url is required, but not in the spec: ansible-lint checks a task's options against the spec without
# module_defaults (ansible-lint issue 2953), so every task that takes base_url from there would get
# "missing required arguments". The module fails with ansible-core's own message when it is missing.
CREDENTIAL_ENV = (('api_key', 'DOCSPACE_API_KEY'), ('username', 'DOCSPACE_USERNAME'),
                  ('password', 'DOCSPACE_PASSWORD'), ('signature', 'DOCSPACE_SIGNATURE'))
LOGIN = ('username', 'password')

CONNECTION_SPEC = dict(
    base_url=dict(type='str', fallback=(env_fallback, ['DOCSPACE_URL'])),
    # Credentials take no fallback here: the environment fills only what the task leaves open
    # (DocSpaceModule._credentials_from_env), so an exported key never conflicts with a task's login.
    api_key=dict(type='str', no_log=True),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    signature=dict(type='str', no_log=True),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['DOCSPACE_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['DOCSPACE_CA_PATH'])),
    timeout=dict(type='float', default=30, fallback=(env_fallback, ['DOCSPACE_TIMEOUT'])),
    http_agent=dict(type='str', default='ansible-onlyoffice.docspace'),
    retries=dict(type='int', default=3, fallback=(env_fallback, ['DOCSPACE_RETRIES'])),
)


class _Failure(BaseException):
    """fail_json called while an exception is being handled, carried out to the guard.

    ansible-core attaches the handled exception's traceback (and, since 2.19, its text) to a
    failure sent from inside an except block, so the guard sends it from outside one.
    A BaseException, as SystemExit is, so that no ``except Exception`` on the way swallows it.
    """

    def __init__(self, msg, result):
        super(_Failure, self).__init__(msg)
        self.msg = msg
        self.result = result


class DocSpaceModule(AnsibleModule):
    """AnsibleModule with the connection options; ``needs_auth`` False for public reads."""

    # Class defaults: ansible-core may call fail_json while __init__ is still parsing arguments.
    redactor = None
    failure_note = ''  # set once a remote write is done: every later failure says it, and changed: true
    secret_file = None  # a _secret_file.SecretFile that receives a client secret instead of the result
    _guarded = False

    def __init__(self, argument_spec, needs_auth=True, **kwargs):
        # needs_auth: a bool, or a function of the params (a public read needs no credential).
        spec = dict(CONNECTION_SPEC)
        spec.update(argument_spec)
        super(DocSpaceModule, self).__init__(argument_spec=spec, **kwargs)
        self.credential_source = self._credentials_from_env()
        # One Redactor for the module and the transport: both mask the same credentials, in every spelling.
        self.redactor = Redactor(self.params[name] for name in SECRETS)
        self.needs_auth = needs_auth(self.params) if callable(needs_auth) else needs_auth
        self._api = None
        if not api.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'))
        self.guard('check the connection options', self._check_connection_options)

    # ----- options -----------------------------------------------------------------------
    def _credentials_from_env(self):
        """Fill the credentials the task (or module_defaults) left open from DOCSPACE_*; where each came from.

        A task that sets a login keeps it whatever DOCSPACE_API_KEY holds, and a task that sets a key
        keeps it whatever DOCSPACE_USERNAME/DOCSPACE_PASSWORD hold. Empty variables count as unset
        (AWX/AAP injectors set every variable they know).
        """
        p = self.params
        source = dict((name, 'set on the task') for name, var in CREDENTIAL_ENV if p[name] is not None)
        task_login = any(p[name] is not None for name in LOGIN)
        for name, var in CREDENTIAL_ENV:
            value = os.environ.get(var)
            if p[name] is not None or not value:
                continue
            if (name == 'api_key' and task_login) or (name in LOGIN and source.get('api_key') == 'set on the task'):
                continue  # the task chose the other way to log in
            p[name] = value
            source[name] = 'from ' + var
            if name != 'username':
                self.no_log_values.add(value)
        return source

    def _check_credential_pairs(self):
        p, source = self.params, self.credential_source
        login = [name for name in LOGIN if p[name]]
        if p['api_key'] and login:
            self.fail('api_key (%s) and %s (%s) are mutually exclusive: give either an API key or a login.'
                      % (source['api_key'], ' and '.join(login), ', '.join(source[n] for n in login)))
        if len(login) == 1:
            missing = [n for n in LOGIN if n not in login][0]
            self.fail('%s (%s) needs %s too (set it on the task, in module_defaults or in DOCSPACE_%s).'
                      % (login[0], source[login[0]], missing, missing.upper()))

    def _tidy_credentials(self):
        """Trim what credential stores add, and refuse what cannot be sent, never quoting a credential.

        AWX credential fields and env files end values with "\n" or "\r\n"; requests refuses such a
        header and its error quotes the value.
        """
        p = self.params
        for name in ('api_key', 'signature'):
            if p[name] is not None:
                p[name] = p[name].strip() or None
                if p[name] and not HEADER_SAFE.match(p[name]):
                    self.fail('%s may hold only visible ASCII characters, with no space inside: it is sent in an '
                              'HTTP header. The value has another character (not shown: it is a credential).' % name)
        if p['password'] is not None:
            p['password'] = p['password'].rstrip('\r\n') or None
            if p['password'] and CONTROL.search(p['password']):
                self.fail('password may not hold control characters (a line break is trimmed from its end '
                          'only). The value has one (not shown: it is a credential).')
        for name in SECRETS:
            if p[name]:  # the trimmed value too: ansible-core masks only the value as given (as in invocation)
                self.redactor.add(p[name])
                self.no_log_values.add(p[name])
        for name in ('base_url', 'username', 'http_agent'):
            if p[name] is not None:
                p[name] = p[name].strip()
        password = url_password(p['base_url'] or '')
        if password:  # refused below; meanwhile masked, in the returned invocation too
            self.redactor.add(password)
            self.no_log_values.add(password)
        p['username'] = p['username'] or None
        if p['http_agent'] and not re.match(r'[\x20-\x7e]*\Z', p['http_agent']):
            self.fail('http_agent may hold only printable ASCII characters: it is sent in an HTTP header.')

    def _check_base_url(self, url):
        # Never quote a URL with an @: it may be user:password@host.
        shown = '' if '@' in url else ' (got %r)' % url
        if CONTROL.search(url) or ' ' in url:
            self.fail('base_url may not hold spaces or control characters: it is the portal address, such as '
                      'https://docspace.example.com.')
        try:
            parts = urlsplit(url)
            port = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
        except ValueError as exc:
            self.fail('base_url is not a valid URL (%s): a port is a number from 1 to 65535, and an IPv6 address '
                      'goes in closed brackets, such as https://[2001:db8::1]:8443.' % exc)
        if '@' in parts.netloc:
            self.fail('base_url may not carry a user name or password (user:password@host): a URL reaches logs '
                      'and error messages. Set username and password, or api_key, instead.')
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            self.fail('base_url must be the portal address with its scheme, such as https://docspace.example.com%s.'
                      % shown)
        if parts.query or parts.fragment or '?' in url or '#' in url:
            self.fail('base_url may not have a query (?) or a fragment (#): it is the portal address, such as '
                      'https://docspace.example.com%s.' % shown)
        if port == 0:
            self.fail('base_url port must be a number from 1 to 65535.')
        if '/api/' in parts.path.rstrip('/') + '/':
            self.fail('base_url is the portal root, such as https://docspace.example.com: leave out /api/2.0 and any '
                      'path below it%s.' % shown)
        # Python and the HTTP library must agree on where the request goes: a backslash or a stray
        # bracket reads as part of the host to one and as its end to the other.
        if '\\' in url or not NETLOC.match(parts.netloc) or _sent_to(url) != (_ascii(parts.hostname), port):
            self.fail('base_url must name the host as letters, digits, dots and dashes (or an IPv6 address in '
                      'brackets), then an optional :port, such as https://docspace.example.com:8443%s.' % shown)

    def _check_connection_options(self):
        params = self.params
        if params['base_url'] is None:  # ansible-core's own message, as when the spec required it
            self.fail('missing required arguments: base_url')
        self._tidy_credentials()
        self._check_credential_pairs()
        self._check_base_url(params['base_url'])
        renewable = params['api_key'] or (params['username'] and params['password'])
        if self.needs_auth and not (renewable or params['signature']):
            self.fail('one of api_key, or username and password, or signature is required (as options, or in '
                      'the environment: DOCSPACE_API_KEY, or DOCSPACE_USERNAME and DOCSPACE_PASSWORD, or '
                      'DOCSPACE_SIGNATURE).')
        if params['signature']:
            self._check_signature(params['signature'], renewable)
        timeout = params['timeout']
        if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
            self.fail('timeout must be a positive number of seconds, at most %d (got %s).' % (MAX_TIMEOUT, timeout))
        if not 0 <= params['retries'] <= MAX_RETRIES:
            self.fail('retries must be 0 or more, and at most %d (got %s): the backoff waits up to 60 s between '
                      'attempts, so %d retries already wait about 5 minutes.'
                      % (MAX_RETRIES, params['retries'], MAX_RETRIES))
        ca_path = params['ca_path']
        if params['validate_certs'] and ca_path and not (os.path.isfile(ca_path) and os.access(ca_path, os.R_OK)):
            how = ('is a folder' if os.path.isdir(ca_path) else 'does not exist' if not os.path.lexists(ca_path)
                   else 'is not a readable regular file')
            self.fail('ca_path must be a PEM file of the CA certificates that signed the portal certificate; %s %s.'
                      % (ca_path, how))
        ids = params.get('client_id')
        canonical = []
        for value in (ids if isinstance(ids, list) else [ids] if ids else []):
            checked = client_id_or_none(value)
            if checked is None:
                self.fail(CLIENT_ID_RULE % value)
            canonical.append(checked)
        if ids:
            params['client_id'] = canonical if isinstance(ids, list) else canonical[0]

    def _check_signature(self, token, renewable):
        # The message never quotes the value: it is a credential.
        if not JWT_RE.match(token) or not isinstance(api.jwt_claims(token), dict):
            self.fail('signature must be the x-signature JWT that GET /api/2.0/security/oauth2/token '
                      'returns in its "response" field (three base64url parts separated by dots).')
        expiry = api.jwt_expiry(token)
        if expiry is not None and expiry <= time.time() and not renewable and self.needs_auth:
            self.fail('signature expired %d s ago (an x-signature lasts 5 minutes). Get a fresh one, or '
                      'set api_key, or username and password, so that the module can renew it.'
                      % (time.time() - expiry))

    @property
    def api(self):
        if self._api is None:
            p = self.params
            self._api = api.DocSpaceAPI(
                p['base_url'], api_key=p['api_key'], username=p['username'], password=p['password'],
                validate_certs=p['validate_certs'], ca_path=p['ca_path'], timeout=p['timeout'],
                http_agent=p['http_agent'], retries=p['retries'], warn=lambda msg: self.warn(self.scrub(msg)),
                signature=p['signature'] if self.needs_auth else None, redactor=self.redactor)
            url = urlsplit(p['base_url'])
            if not p['validate_certs'] and url.scheme == 'https':
                self.warn('validate_certs is false: the portal certificate is not checked, so a man in the '
                          'middle could read the credentials. Prefer ca_path.')
            proxy = api.proxy_for(p['base_url']) if url.scheme == 'http' else None
            if self.needs_auth and url.scheme == 'http' and (proxy or not is_loopback(url.hostname)):
                self.warn('base_url is http://, so the credentials cross the network to %s unencrypted, readable by '
                          'anyone on the way. Use https:// (only loopback addresses reached without a proxy are '
                          'exempt from this warning).' % ('the proxy ' + api.origin(proxy) if proxy else url.hostname))
        return self._api

    # ----- the one way out ---------------------------------------------------------------------
    def scrub(self, text, limit=None):
        return self.redactor.scrub(text, limit) if self.redactor else '%s' % (text,)

    def fail_json(self, msg, **kwargs):
        """Every failure, this collection's and ansible-core's own: scrubbed, and never with a traceback.

        ansible-core's own callers (atomic_move, missing_required_lib) pass one as ``exception``.
        """
        kwargs.pop('exception', None)
        if self._guarded and sys.exc_info()[1] is not None:
            raise _Failure(msg, kwargs)
        msg = '%s' % (msg,)
        if self.failure_note:
            msg = msg.rstrip() + ('' if msg.rstrip().endswith('.') else '.') + self.failure_note
            kwargs.setdefault('changed', True)
        super(DocSpaceModule, self).fail_json(msg=self.scrub(msg), **kwargs)

    def fail(self, msg, **result):
        """The one way to fail: the message scrubbed of every credential and JWT."""
        self.fail_json(msg=msg, **result)

    def fail_from(self, exc, **result):
        if exc.status:
            result.setdefault('status', exc.status)
        self.fail(str(exc), **result)

    def guard(self, what, work, *args):
        """``work(*args)``; any exception from it becomes a scrubbed failure, never a traceback.

        A DocSpace failure keeps its own message; anything else is a bug, reported as one with
        ``what`` (what was being done) and the exception's class.
        """
        outer, self._guarded = self._guarded, True
        try:
            return work(*args)
        except _Failure as exc:
            problem = exc
        except Exception as exc:  # pylint: disable=broad-except
            problem = exc
        finally:
            self._guarded = outer
        # Out of the except blocks: no exception is being handled, so none is attached to the failure.
        if isinstance(problem, _Failure):
            self.fail_json(problem.msg, **problem.result)
        if isinstance(problem, api.DocSpaceError):
            self.fail_from(problem)
        self.fail('Unexpected %s while trying to %s. This is a bug in the onlyoffice.docspace collection: please '
                  'report it with this message: %s'
                  % (type(problem).__name__, what, self.scrub(problem, limit=MESSAGE_LIMIT)))

    def run_and_exit(self, what, work):
        """exit_json with what ``work(self)`` returns (if it does not exit itself), under the guard."""
        def run():
            result = work(self)
            if result is not None:
                self.exit_json(**result)
        self.guard(what, run)

    def find_client(self, client_id=None, name=None):
        """The client by id (one GET), or by name (list pages; fails when several share it)."""
        if client_id:
            return self.api.find_client(client_id)
        found = [c for c in self.api.list_clients() if c.get('name') == name]
        if len(found) > 1:
            self.fail('%d OAuth clients are named %r (DocSpace names are not unique): %s. Set client_id to '
                      'choose one.' % (len(found), name, ', '.join(c['client_id'] for c in found)),
                      client_ids=[c['client_id'] for c in found])
        return found[0] if found else None
