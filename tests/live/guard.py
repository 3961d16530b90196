# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live guard: a local proxy between a test run and a REAL DocSpace portal.

    guard.py serve --portal URL --state DIR [--prefix PREFIX] [--port N]
    guard.py cleanup --portal URL --state DIR

The admin API key comes from DOCSPACE_API_KEY. Every client the run creates gets a name prefix on the portal
(taken off again in the answers); a write may only touch a client of this run; listings show only the run's
clients; SIGTERM/SIGINT (or `cleanup` after a kill -9) delete what the run left. /__emulator__/ serves the
part of the emulator's control API a live portal can keep. Nothing secret is ever printed or logged.
See tests/live/test_guard.py; the emulator it stands in front of in tests is tests/emulator/docspace_emulator.py.
"""

import argparse
import hashlib
import http.cookiejar
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

import requests

# UUID.fromString as the server parses a {clientId}, as lenient as Java, so that no spelling of a foreign
# client's id can pass for 'not a UUID': the emulator's own reading of it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'emulator'))
from docspace_emulator import java_uuid  # noqa: E402  pylint: disable=wrong-import-position

API = '/api/2.0'
CONTROL = '/__emulator__'
FORWARDED = ('Authorization', 'x-signature', 'Cookie', 'Content-Type', 'Accept', 'User-Agent')
RETURNED = ('retry-after', 'content-type')  # and every x-ratelimit-*; a redirect is never passed on
LITERALS = ('tenant', 'info', 'consents')  # /clients/<literal> is a mapping of its own, never a {clientId}
JAVA_TRIM = ''.join(map(chr, range(33)))  # String.trim(), which @NotBlank uses
MAX_BODY = 16 * 1024 * 1024
FORWARD_TIMEOUT = 120  # seconds a forwarded request may take
WAITS_429 = 5  # a window is one minute: more waits than this mean something else is wrong
NOT_AVAILABLE = {'error': 'emulator only: not available on a live portal'}


class PortalError(Exception):
    """The portal could not be read (unreachable, refused the key, ...); the text carries no secret."""


def client_id_of(raw_id):
    """The client a {clientId} segment may name: as UUID.fromString reads it, or, padded with spaces, as a
    database comparison would (the revoke sends the raw string to a query, it never parses it)."""
    return java_uuid(raw_id) or java_uuid(raw_id.strip())


def segments(path):
    """The decoded path segments as Spring and nginx route them, or None for a path the guard will not judge.

    ';params' are dropped from a segment (Spring ignores matrix parameters), empty and '.' segments vanish
    (nginx merges slashes); '..' or an encoded slash or backslash makes the path odd."""
    out = []
    for part in path.split('/'):
        part = unquote(part.split(';', 1)[0])
        if part in ('', '.'):
            continue
        if part == '..' or '/' in part or '\\' in part:
            return None
        out.append(part)
    return out


def route(path):
    """(kind, client id segment, rest after the id) of a request path; kinds: token, login, collection,
    info_list, literal, client, other, odd. Fixed words compare case-insensitively (the safe side)."""
    segs = segments(path)
    if segs is None:
        return 'odd', None, ()
    low = [s.lower() for s in segs]
    if low == ['api', '2.0', 'security', 'oauth2', 'token']:
        return 'token', None, ()
    if low == ['api', '2.0', 'authentication']:
        return 'login', None, ()
    if low[:2] != ['api', '2.0']:
        return 'other', None, ()
    # Both prefixes the registration controllers map: ${api}/oauth2/clients and ${api}/clients
    # (registration-application/.../controller/ClientCommandController.java, ClientQueryController.java).
    start = 3 if low[2:3] == ['oauth2'] else 2
    if low[start:start + 1] != ['clients']:
        return 'other', None, ()
    rest = segs[start + 1:]
    if not rest:
        return 'collection', None, ()
    if rest[0].lower() in LITERALS:
        return ('info_list' if [r.lower() for r in rest] == ['info'] else 'literal'), None, ()
    return 'client', rest[0], tuple(r.lower() for r in rest[1:])


def rate_wait(resp):
    """Seconds to wait after a 429: Retry-After, else X-Ratelimit-Reset (in nanoseconds on the real server,
    a bucket4j filter bug the emulator keeps), at most 65 (the window is one minute)."""
    for name in ('Retry-After', 'X-Ratelimit-Reset'):
        try:
            seconds = float(resp.headers.get(name))
        except (TypeError, ValueError):
            continue
        if seconds > 1e6:
            seconds /= 1e9
        return min(max(seconds, 0.2), 65.0)
    return 5.0


def strip_prefix(value, prefix, everywhere, key=None):
    """`name` values lose a leading prefix at any depth; with everywhere (error answers) every string does."""
    if isinstance(value, dict):
        return {k: strip_prefix(v, prefix, everywhere, k) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_prefix(v, prefix, everywhere) for v in value]
    if isinstance(value, str):
        if key == 'name' and value.startswith(prefix):
            return value[len(prefix):]
        if everywhere:
            return value.replace(prefix, '')
    return value


def media_charset(content_type):
    """The charset parameter as Spring's MimeTypeUtils reads it: parameters split on ';', names and values
    trimmed as Java trims (and unquoted), the last one of a name wins; lower case, or None."""
    charset = None
    for param in (content_type or '').split(';')[1:]:
        name, sep, value = param.partition('=')
        if sep and name.strip(JAVA_TRIM).lower() == 'charset':
            charset = value.strip(JAVA_TRIM).strip('"').strip(JAVA_TRIM).lower()
    return charset


def _no_constant(name):
    raise ValueError('%s is not JSON' % name)


def java_length(text):
    """String.length(), which @Size counts: UTF-16 code units (an emoji is 2)."""
    return len(text.encode('utf-16-le', 'surrogatepass')) // 2


def portal_refuses_name(name):
    """The portal's own name rule (CreateClientRequest/UpdateClientRequest: @NotBlank, 3..256 characters).
    Such a name is sent unprefixed, so that the portal's 400 comes back instead of a prefixed success."""
    return not isinstance(name, str) or not name.strip(JAVA_TRIM) or not 3 <= java_length(name) <= 256


def new_session(portal):
    session = requests.Session()
    # No .netrc and no cookie jar: only what a request carries reaches the portal. Proxies from the
    # environment still apply (get_environ_proxies honours NO_PROXY).
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(portal)
    session.verify = os.environ.get('REQUESTS_CA_BUNDLE') or True
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=32)
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session


class Admin:
    """The guard's own reads and deletes, with the admin key: x-signature exchange, renewal, 429 waits."""

    def __init__(self, portal, key):
        self.portal, self.key = portal, key
        self.http = new_session(portal)
        self.lock = threading.Lock()
        self.jwt, self.jwt_at = None, 0.0
        self.seen = set()  # SHA-256 of every x-signature it got, for /__emulator__/issued

    def signature(self, renew=False):
        with self.lock:
            if renew or not self.jwt or time.time() - self.jwt_at > 240:  # it lives 300 s
                for dummy in range(6):
                    try:
                        resp = self.http.get(self.portal + API + '/security/oauth2/token', timeout=60,
                                             headers={'Authorization': 'Bearer ' + self.key}, allow_redirects=False)
                    except requests.RequestException as exc:
                        raise PortalError('the portal did not answer (%s)' % type(exc).__name__) from None
                    if resp.status_code != 429:
                        break
                    time.sleep(rate_wait(resp))
                try:
                    self.jwt = resp.json()['response'] if resp.status_code == 200 else None
                except (ValueError, KeyError, TypeError):
                    self.jwt = None
                if not isinstance(self.jwt, str):
                    self.jwt = None
                    raise PortalError('the token exchange answered %d: check DOCSPACE_API_KEY' % resp.status_code)
                self.jwt_at = time.time()
                self.seen.add(hashlib.sha256(self.jwt.encode()).hexdigest())
            return self.jwt

    def call(self, method, path, attempts=8):
        renewed = False
        for dummy in range(attempts):
            try:
                resp = self.http.request(method, self.portal + path, timeout=60, allow_redirects=False,
                                         headers={'x-signature': self.signature(), 'Accept': 'application/json'})
            except requests.RequestException as exc:
                raise PortalError('the portal did not answer (%s)' % type(exc).__name__) from None
            if resp.status_code == 403 and not renewed and not resp.content:  # an expired signature
                renewed = True
                self.signature(renew=True)
                continue
            if resp.status_code != 429:
                return resp
            time.sleep(rate_wait(resp))
        return resp

    def clients(self):
        """{client_id: name} of every client the key can see, through the newest-first cursor."""
        found, query = {}, 'limit=50'
        for dummy in range(2000):
            resp = self.call('GET', API + '/clients?' + query)
            if resp.status_code != 200:
                raise PortalError('listing the clients answered %d' % resp.status_code)
            try:
                page = resp.json()
                for item in page['data']:
                    found[str(item['client_id']).lower()] = str(item.get('name') or '')
                cursor = page.get('last_created_on')
            except (ValueError, KeyError, TypeError, AttributeError):
                raise PortalError('listing the clients answered something that is not a page') from None
            if not cursor:
                break
            query = 'limit=50&last_created_on=' + quote(cursor, safe='')
            if page.get('last_client_id'):
                query += '&last_client_id=' + quote(str(page['last_client_id']), safe='')
        return found


def cleanup(admin, prefix, owned, gone):
    """Delete every client named with `prefix` and every `owned` id still there (`gone` grows with what is
    known to be deleted). Only those ids are ever sent a DELETE. Returns (deleted, left, error or None)."""
    def mine(cid, name):
        return cid in owned or (prefix and name.startswith(prefix))

    deleted = 0
    try:
        listed = admin.clients()
        targets = [cid for cid, name in listed.items() if mine(cid, name)]
        for cid in owned:  # a key that is not an admin's sees only its own: ask for the rest one by one
            if cid not in listed and cid not in gone:
                status = admin.call('GET', API + '/clients/' + cid).status_code
                if status == 404:
                    gone.add(cid)
                elif cid not in targets:
                    targets.append(cid)
        for cid in targets:
            status = admin.call('DELETE', API + '/clients/' + cid).status_code
            if 200 <= status < 300:
                deleted += 1
            if status < 300 or status == 404:
                gone.add(cid)
        left = sorted(cid for cid, name in admin.clients().items() if mine(cid, name))
        left += sorted(cid for cid in set(targets) - gone if cid not in left)
        return deleted, left, None
    except PortalError as exc:
        return deleted, sorted(set(owned) - gone), str(exc)


class Guard:
    """The state of one run: owned ids, the request log, violations and counters."""

    def __init__(self, admin, state, prefix):
        self.portal, self.admin, self.state, self.prefix = admin.portal, admin, state, prefix
        self.http = new_session(admin.portal)
        self.lock = threading.RLock()
        self.owned = []  # every id created through the guard or found with the prefix, in order
        self.gone = set()  # owned ids known to be deleted
        self.log, self.violations = [], []
        self.created = self.deleted = self.waited_429 = 0
        self.inflight, self.closing = 0, False
        # SHA-256 of every secret, x-signature and login token seen handed out, as the emulator's
        # /__emulator__/issued keeps them: tests/utils/secret_scan.py scans the run's logs for them.
        self.issued = {'client_secret': set(), 'jwt': set(), 'login_token': set()}
        self.idle = threading.Condition(self.lock)

    # ----- ownership -----------------------------------------------------------
    def own(self, cid):
        cid = java_uuid(str(cid))
        if cid is None:
            return
        with self.lock:
            if cid in self.owned:
                return
            self.owned.append(cid)
            # At once, before the answer goes out: a kill -9 must leave what `cleanup` needs.
            tmp = os.path.join(self.state, 'owned.json.tmp')
            with open(tmp, 'w', encoding='utf-8') as handle:
                json.dump(self.owned, handle)
            os.replace(tmp, os.path.join(self.state, 'owned.json'))

    def mine(self, item):
        if not isinstance(item, dict):
            return False
        name = item.get('name')
        return (isinstance(name, str) and name.startswith(self.prefix)) or (
            java_uuid(str(item.get('client_id'))) in self.owned)

    def note_prefixed(self, value):
        """A client found with the prefix is the run's (a create whose answer was lost, for one)."""
        if isinstance(value, dict):
            name = value.get('name')
            if isinstance(name, str) and name.startswith(self.prefix) and value.get('client_id'):
                self.own(value['client_id'])
            for item in value.values():
                self.note_prefixed(item)
        elif isinstance(value, list):
            for item in value:
                self.note_prefixed(item)

    def may_write(self, raw_id, headers):
        """Whether a write naming this {clientId} may go: owned (or found with the prefix), not a UUID, or
        missing on the portal. Missing means that neither the request's own credentials (the contract's
        lookup) nor the admin key find it: a USER's 404 on an admin's client is not enough, so that no
        foreign id ever reaches the portal in a write."""
        cid = client_id_of(raw_id)
        if cid is None or cid in self.owned:
            return True  # not a UUID: the server refuses it before it looks anything up
        try:
            resp = self.http.get(self.portal + API + '/clients/' + cid, headers=headers, timeout=60,
                                 allow_redirects=False)
            if resp.status_code == 200:
                self.note_prefixed(resp.json())
                return cid in self.owned
            resp = self.admin.call('GET', API + '/clients/' + cid)
            if resp.status_code == 200:
                self.note_prefixed(resp.json())
                return cid in self.owned
            return resp.status_code == 404
        except (requests.RequestException, PortalError, ValueError):
            return False

    def saw(self, kind, value):
        if isinstance(value, str) and value:
            with self.lock:
                self.issued[kind].add(hashlib.sha256(value.encode()).hexdigest())

    def violation(self, method, path, cid, reason):
        with self.lock:
            self.violations.append({'method': method, 'path': path, 'client_id': cid, 'reason': reason})

    def run_cleanup(self):
        with self.lock:
            owned = list(self.owned)
        deleted, left, error = cleanup(self.admin, self.prefix, owned, self.gone)
        with self.lock:
            self.deleted += deleted
        return {'deleted': deleted, 'left': left, 'foreign_touched': 0}, error

    # ----- in-flight requests (shutdown waits for them before it cleans up) -----
    def enter(self):
        """False once shutdown began: a keep-alive connection outlives serve_forever, and a create it sent
        after the cleanup listed would be left behind."""
        with self.lock:
            if self.closing:
                return False
            self.inflight += 1
            return True

    def leave(self):
        with self.lock:
            self.inflight -= 1
            self.idle.notify_all()

    def drain(self, timeout):
        end = time.time() + timeout
        with self.lock:
            self.closing = True
            while self.inflight and time.time() < end:
                self.idle.wait(end - time.time())

    # ----- control API ---------------------------------------------------------
    def control(self, method, name):
        if (method, name) == ('GET', 'requests'):
            with self.lock:
                return 200, list(self.log)
        if (method, name) == ('DELETE', 'requests'):
            with self.lock:
                self.log = []
            return 200, []
        if (method, name) == ('POST', 'reset'):
            result, error = self.run_cleanup()
            with self.lock:
                self.log = []
            if result['left'] or error:
                return 502, {'error': 'live guard: reset left %d client(s) on the portal%s' % (
                    len(result['left']), ': ' + error if error else ''), 'left': result['left']}
            return 200, {'reset': True}
        if (method, name) == ('GET', 'clients'):
            return self.clients_view()
        if (method, name) == ('GET', 'issued'):  # beyond the emulator's subset: run.sh's secret scan needs it
            with self.lock:
                issued = dict((k, sorted(v)) for k, v in self.issued.items())
            issued['jwt'] = sorted(set(issued['jwt']) | self.admin.seen)
            return 200, issued
        if (method, name) == ('GET', 'guard'):
            with self.lock:
                return 200, {'prefix': self.prefix, 'owned': [c for c in self.owned if c not in self.gone],
                             'violations': list(self.violations), 'created': self.created, 'deleted': self.deleted,
                             'waited_429': self.waited_429}
        return 501, NOT_AVAILABLE

    def clients_view(self):
        """The owned clients as the emulator shows its store: full records, secrets as SHA-256 only."""
        try:
            for cid, name in self.admin.clients().items():
                if name.startswith(self.prefix):
                    self.own(cid)
            rows = []
            with self.lock:
                ids = [c for c in self.owned if c not in self.gone]
            for cid in ids:
                resp = self.admin.call('GET', API + '/clients/' + cid)
                if resp.status_code == 404:
                    self.gone.add(cid)
                    continue
                if resp.status_code != 200:
                    raise PortalError('reading a client answered %d' % resp.status_code)
                row = resp.json()
                secret = row.pop('client_secret', None)
                self.saw('client_secret', secret)
                row['secret_sha256'] = hashlib.sha256(secret.encode()).hexdigest() if isinstance(secret, str) else None
                rows.append(strip_prefix(row, self.prefix, False))
        except (PortalError, ValueError) as exc:
            return 502, {'error': 'live guard: %s' % (exc if isinstance(exc, PortalError) else 'not JSON')}
        return 200, sorted(rows, key=lambda r: str(r.get('created_on')))


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 60  # a caller that sends nothing for a minute is dropped, not waited for
    disable_nagle_algorithm = True
    guard = None  # set by serve()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: the guard prints nothing per request

    def reply(self, status, body, headers=()):
        payload = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        if not isinstance(body, bytes):  # the guard's own answer; the portal's keep their own Content-Type
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    def read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline(64).split(b';')[0].strip() or b'0', 16)
                if size < 0 or size + sum(map(len, chunks)) > MAX_BODY:
                    raise ValueError('body too large')
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
                if sum(map(len, chunks)) > MAX_BODY:
                    raise ValueError('body too large')
        length = int(self.headers.get('Content-Length') or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError('bad length')
        return self.rfile.read(length) if length else b''

    def handle_any(self):
        url = urlsplit(self.path)
        path = unquote(url.path)
        try:
            raw = self.read_body()
        except ValueError:
            self.close_connection = True
            self.reply(400, {'error': 'live guard: unreadable request body'})
            return
        if not self.path.startswith('/'):
            # Only a path: 'portal;@host/...' or an absolute URL would send the request, and the credentials
            # it carries, to another host, and its answer could make a foreign client look like the run's.
            self.close_connection = True
            self.reply(400, {'error': 'live guard: the request target must be a path'}, [('X-Live-Guard', 'not-sent')])
            return
        if not self.guard.enter():
            self.close_connection = True
            self.reply(503, {'error': 'live guard: shutting down'}, [('X-Live-Guard', 'not-sent')])
            return
        try:
            if path == CONTROL or path.startswith(CONTROL + '/'):
                self.reply(*self.guard.control(self.command, path[len(CONTROL) + 1:]))
            else:
                self.forward(url, path, raw)
        except ConnectionError:  # the caller hung up: nobody to answer
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            # No traceback and no message (it could quote a header): the type names the bug.
            sys.stderr.write('live guard: internal error %s on %s %s\n' % (type(exc).__name__, self.command, path))
            self.close_connection = True
            self.reply(500, {'error': 'live guard: internal error (%s)' % type(exc).__name__})
        finally:
            self.guard.leave()

    def refuse(self, path, cid, reason):
        self.guard.violation(self.command, path, cid, reason)
        text = ('live guard: client %s was not created by this run' % cid if cid is not None
                else 'live guard: %s %s does not name one client of this run' % (self.command, path))
        self.reply(403, {'error': text}, [('X-Live-Guard', 'refused')])

    def forward(self, url, path, raw):
        guard, method = self.guard, self.command
        kind, raw_id, rest = route(url.path)
        judged = segments(url.path)
        if judged is None:
            # '..' or an encoded slash: the HTTP library, a proxy or the portal could each read another path
            # than the one judged here (a listing that skips the filter, say). Not sent, reads included.
            self.reply(400, {'error': 'live guard: a path with dot segments or an encoded slash is not sent'},
                       [('X-Live-Guard', 'not-sent')])
            return
        if kind == 'client' and client_id_of(raw_id) is None and not raw_id.isascii():
            # Not an id that this guard reads, yet maybe one that Java reads: never sent, reads included.
            self.refuse(path, raw_id, 'an id the guard cannot read')
            return
        # A header the caller did not send stays None: requests then leaves out its own default too.
        headers = {k: self.headers.get(k) for k in FORWARDED}
        if method not in ('GET', 'HEAD'):
            allowed = ((kind == 'token' and method == 'POST') or (kind == 'login' and method == 'POST')
                       or (kind == 'collection' and method == 'POST'))
            if kind == 'client':
                if not guard.may_write(raw_id, headers):
                    self.refuse(path, raw_id, 'not created by this run')
                    return
            elif not allowed:
                self.refuse(path, None, 'not a write on one client of this run')
                return
        naming = method == 'POST' and kind == 'collection' or method == 'PUT' and kind == 'client' and not rest
        media = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if naming and raw and (media == 'application/json' or media.endswith('+json')):
            # Only a JSON body is read by the portal (Jackson's converter); any other one gets its 415 as it is.
            try:
                if media_charset(self.headers.get('Content-Type')) not in (None, 'utf-8', 'utf8'):
                    raise ValueError('a charset other than UTF-8')
                body = json.loads(raw, parse_constant=_no_constant)  # bytes: a BOM or UTF-16/32 is detected
                json.dumps(body, allow_nan=False)  # 1e999 reads as inf
            except (ValueError, UnicodeDecodeError):
                # Jackson may read what Python cannot (trailing text, another charset) and create a client
                # whose name has no prefix: nothing would find it if its answer were lost. Not sent.
                self.reply(422, {'error': 'live guard: a body the guard cannot read is not sent'},
                           [('X-Live-Guard', 'not-sent')])
                return
            if isinstance(body, dict) and isinstance(body.get('name'), (bool, int, float)):
                body['name'] = json.dumps(body['name'])  # Jackson binds a scalar to the String field
            if isinstance(body, dict) and not portal_refuses_name(body.get('name')):
                if java_length(guard.prefix + body['name']) > 255:
                    self.reply(422, {'error': 'live guard: name too long to carry the run prefix'},
                               [('X-Live-Guard', 'not-sent')])
                    return
                body['name'] = guard.prefix + body['name']
                raw = json.dumps(body).encode('utf-8')
        # Exactly the path judged above, built again from its segments: nothing can change its meaning.
        clean = '/' + '/'.join(quote(seg, safe='') for seg in judged) + ('/' if url.path.endswith('/') and judged else '')
        target = guard.portal + clean + ('?' + url.query if url.query else '')
        if urlsplit(target).netloc != urlsplit(guard.portal).netloc:
            self.reply(400, {'error': 'live guard: the request would leave the portal'}, [('X-Live-Guard', 'not-sent')])
            return
        headers['Accept-Encoding'] = 'identity'
        try:
            sent = 'GET' if method == 'HEAD' else method  # Spring answers HEAD with the GET handler: hidden alike
            resp = guard.http.request(sent, target, data=raw, headers=headers, allow_redirects=False,
                                      timeout=FORWARD_TIMEOUT)
            for dummy in range(WAITS_429):
                # The portal's rate limit (10 creates a minute per user): the modules pace themselves on its
                # headers, but a raw request of a test would fail. A 429 comes from the filter in front of
                # the controllers (registration-application/.../security/filter/RateLimiterFilter.java), so
                # nothing was done and the request may go again once the window allows it.
                if resp.status_code != 429:
                    break
                with guard.lock:
                    guard.waited_429 += 1
                time.sleep(rate_wait(resp))
                resp = guard.http.request(sent, target, data=raw, headers=headers, allow_redirects=False,
                                          timeout=FORWARD_TIMEOUT)
        except requests.RequestException as exc:
            with guard.lock:
                guard.log.append({'method': method, 'path': path, 'query': url.query, 'status': None})
            self.close_connection = True
            self.reply(502, {'error': 'live guard: the portal did not answer (%s)' % type(exc).__name__},
                       [('X-Live-Guard', 'portal-unreachable')])
            return
        if 300 <= resp.status_code < 400:
            # A caller's HTTP library would follow it to the portal itself, past the guard (with its
            # x-signature, an unprefixed body, an unfiltered list): a redirect never leaves the guard.
            with guard.lock:
                guard.log.append({'method': method, 'path': path, 'query': url.query, 'status': resp.status_code})
            self.reply(502, {'error': 'live guard: the portal answered a redirect (HTTP %d), which is not passed on'
                             % resp.status_code}, [('X-Live-Guard', 'redirect')])
            return
        status, content, extra = self.rewrite(kind, resp.content, resp.status_code)
        if kind == 'client' and not rest and method == 'DELETE' and (status < 300 or status == 404):
            cid = java_uuid(raw_id)
            with guard.lock:
                if status < 300 and cid not in guard.gone:
                    guard.deleted += 1
                if cid:
                    guard.gone.add(cid)
        with guard.lock:
            guard.log.append({'method': method, 'path': path, 'query': url.query, 'status': status})
        back = [(k, v) for k, v in resp.headers.items()
                if k.lower() in RETURNED or k.lower().startswith('x-ratelimit-')]
        self.reply(status, content, back + extra)

    def rewrite(self, kind, content, status):
        """(status, content, extra headers): own what was created, hide other apps (filter listings, a foreign
        client read alone is a 404), take the prefix off names (and off error texts)."""
        guard, prefix = self.guard, self.guard.prefix
        try:
            data = json.loads(content.decode('utf-8')) if content else None
        except (ValueError, UnicodeDecodeError):
            if status >= 400 and prefix.encode('utf-8') in content:
                return status, content.replace(prefix.encode('utf-8'), b''), []
            return status, content, []
        if data is None:
            return status, content, []
        if status < 300 and isinstance(data, dict):  # list items carry ciphertext, not the secret: not those
            if kind == 'client' or kind == 'collection' and self.command == 'POST':
                guard.saw('client_secret', data.get('client_secret'))
            if kind == 'token':
                guard.saw('jwt', data.get('response'))
            if kind == 'login' and isinstance(data.get('response'), dict):
                guard.saw('login_token', data['response'].get('token'))
        if kind == 'collection' and self.command == 'POST' and status < 300 and isinstance(data, dict) \
                and data.get('client_id'):
            guard.own(data['client_id'])
            with guard.lock:
                guard.created += 1
        reading = self.command in ('GET', 'HEAD')
        if reading and kind == 'client' and status < 300 and isinstance(data, dict) and not guard.mine(data):
            # Another app (with its plain secret, on GET one): as if it did not exist, as a list shows it.
            return 404, json.dumps({'error': 'live guard: not a client of this run'}).encode('utf-8'), [
                ('X-Live-Guard', 'hidden')]
        guard.note_prefixed(data)
        out = data
        if reading and isinstance(data, dict) and isinstance(data.get('data'), list):
            if kind in ('collection', 'info_list'):
                out = dict(data, data=[item for item in data['data'] if guard.mine(item)])
            elif kind == 'literal':  # the consents: each names its client
                out = dict(data, data=[item for item in data['data'] if isinstance(item, dict) and (
                    guard.mine(item.get('client')) or java_uuid(str(item.get('registered_client_id'))) in guard.owned)])
        out = strip_prefix(out, prefix, status >= 400)
        return status, (content if out == data else json.dumps(out, allow_nan=False).encode('utf-8')), []

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a caller that hung up is no error
            sys.stderr.write('live guard: %s while serving a request\n' % type(sys.exc_info()[1]).__name__)


def fail(command, message):
    sys.stderr.write('guard.py %s: %s\n' % (command, message))
    return 2


def check_args(command, args):
    """(portal, key) or an exit code, after a one-line message naming everything that is missing."""
    key = os.environ.get('DOCSPACE_API_KEY', '').strip()
    missing = [what for what, ok in (('--portal URL', args.portal), ('--state DIR', args.state),
                                     ('DOCSPACE_API_KEY (the admin API key, in the environment)', key)) if not ok]
    if missing:
        return None, fail(command, 'missing ' + ' and '.join(missing))
    portal = args.portal.rstrip('/')
    parts = urlsplit(portal)
    if parts.scheme not in ('http', 'https') or not parts.hostname or parts.query or parts.fragment:
        return None, fail(command, '--portal must be an http(s) URL such as https://portal.example.com')
    if parts.username is not None or parts.password is not None:  # it is printed and written to guard.json
        return None, fail(command, '--portal must not carry credentials (the key comes from DOCSPACE_API_KEY)')
    return (portal, key), 0


def write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def serve(args):
    checked, code = check_args('serve', args)
    if checked is None:
        return code
    portal, key = checked
    if args.prefix is not None and (not args.prefix.strip() or len(args.prefix) > 64):
        return fail('serve', '--prefix must be 1 to 64 characters and not blank')  # blank: every client the run's
    admin = Admin(portal, key)
    try:  # the key and the portal are checked before anything listens, and the prefix must be new there
        names = list(admin.clients().values())
    except PortalError as exc:
        sys.stderr.write('guard.py serve: %s\n' % exc)
        return 1
    for dummy in range(5):
        prefix = args.prefix if args.prefix is not None else 'live-%s ' % secrets.token_hex(3)
        used = sum(1 for name in names if name.startswith(prefix))
        if not used:
            break
        if args.prefix is not None:  # cleanup would delete those clients: they are not this run's
            return fail('serve', '--prefix %r is already used by %d client(s) on the portal: choose another'
                        % (prefix, used))
    else:
        return fail('serve', 'no unused prefix found')
    try:
        os.makedirs(args.state, exist_ok=True)
        guard = Guard(admin, args.state, prefix)
        server = Server(('127.0.0.1', args.port), type('BoundHandler', (Handler,), {'guard': guard}))
    except OSError as exc:
        sys.stderr.write('guard.py serve: %s\n' % (exc.strerror or exc))
        return 1
    url = 'http://127.0.0.1:%d' % server.server_address[1]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *dummy: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True).start()
    write_json(os.path.join(args.state, 'guard.json'), {'url': url, 'prefix': prefix, 'pid': os.getpid(),
                                                        'portal': portal})
    print('live guard: %s -> %s, prefix %r' % (url, portal, prefix), flush=True)
    while not stop.wait(0.2):  # a timed wait, so that the signal handlers run promptly
        pass
    # No new request; one still in flight is answered (a create owned) before the cleanup lists. As long as a
    # forwarded request may take: a slow create that the portal applies meanwhile is then found.
    guard.drain(FORWARD_TIMEOUT + 10)
    server.shutdown()
    server.server_close()
    result, error = guard.run_cleanup()
    if error:
        sys.stderr.write('live guard: cleanup: %s\n' % error)
    print('live guard: stopped, cleanup %s' % json.dumps(result), flush=True)
    return 0 if not result['left'] and not error else 1


def read_json(path, default):
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return default


def cleanup_command(args):
    checked, code = check_args('cleanup', args)
    if checked is None:
        return code
    portal, key = checked
    try:
        info = read_json(os.path.join(args.state, 'guard.json'), {})
        owned = read_json(os.path.join(args.state, 'owned.json'), [])
    except (OSError, ValueError) as exc:
        return fail('cleanup', 'cannot read the state in %s: %s' % (args.state, type(exc).__name__))
    prefix = info.get('prefix') if isinstance(info, dict) else None
    if prefix is not None and (not isinstance(prefix, str) or not prefix.strip()):
        return fail('cleanup', 'guard.json has a blank prefix: refusing to match every client')
    owned = [c for c in (java_uuid(str(i)) for i in (owned if isinstance(owned, list) else [])) if c]
    deleted, left, error = cleanup(Admin(portal, key), prefix, owned, set())
    if error:
        sys.stderr.write('guard.py cleanup: %s\n' % error)
    print(json.dumps({'deleted': deleted, 'left': left, 'foreign_touched': 0}), flush=True)
    return 0 if not left and not error else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)
    for name in ('serve', 'cleanup'):
        sub = commands.add_parser(name)
        sub.add_argument('--portal', help='the portal URL, e.g. https://portal.example.com')
        sub.add_argument('--state', help='directory for guard.json and owned.json')
        if name == 'serve':
            sub.add_argument('--prefix', help="name prefix of the run's clients (default: 'live-' + 6 hex + ' ')")
            sub.add_argument('--port', type=int, default=0, help='port on 127.0.0.1 (0 picks a free one)')
    args = parser.parse_args(argv)
    return serve(args) if args.command == 'serve' else cleanup_command(args)


if __name__ == '__main__':
    sys.exit(main())
