# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local stand-in for the ONLYOFFICE DocSpace OAuth2 client registration API.

Standard library only. It follows the v3.7.2 server (see docs/emulator.md and the API
reference the project was built from), not the public tutorials:

* raw snake_case JSON, no envelope, except the two .NET endpoints it also serves
  (``POST /api/2.0/authentication`` and ``GET /api/2.0/security/oauth2/token``);
* every registration call needs the ``x-signature`` JWT (cookie first, then header);
  a missing or bad one gives 403 with an empty body;
* ProblemDetail errors, ADMIN/USER/GUEST permissions, the newest-first cursor,
  silent ignore of unknown JSON keys, a missing boolean read as false;
* the server's order (bind and validate the request, then check the role, then the handler's
  own checks) and its texts, each cited to the server file it comes from.

``/__emulator__/`` is a control API the real server does not have: the request log,
reset, fault injection, the stored state (secrets as SHA-256 only), consent seeding and the
configuration (the server version, the scope catalogue, ...).

Run: ``python3 tests/emulator/docspace_emulator.py --port 8099``.
"""

import argparse
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import ssl
import string
import sys
import threading
import time
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

API = '/api/2.0'
# Server files cited in the comments are under common/ASC.Identity/ of ONLYOFFICE/DocSpace-server, tag
# v3.7.2-server (= master ed2994e74f), with these abbreviations:
#   RA = registration/registration-application/src/main/java/com/asc/registration/application
#   RS = registration/registration-core/registration-service/src/main/java/com/asc/registration/service
#   CU = common/common-utilities/src/main/java/com/asc/common/utilities
PROBLEM_TYPE = 'https://api.onlyoffice.com/docspace/api-backend/get-started/basic-concepts'

# (name, group, type); the .NET migration's catalogue, the one a v3.7.2 portal serves. A newer DocSpace
# adds rows to identity_scopes: Emulator(scopes=...), --scope NAME or POST /__emulator__/config {"scopes"}
# play one (each name must be non-blank, as registration-domain/.../entity/Scope.java validate() says).
SCOPES = [
    ('accounts:read', 'accounts', 'read'), ('accounts:write', 'accounts', 'write'),
    ('accounts.self:read', 'profiles', 'read'), ('accounts.self:write', 'profiles', 'write'),
    ('files:read', 'files', 'read'), ('files:write', 'files', 'write'),
    ('rooms:read', 'rooms', 'read'), ('rooms:write', 'rooms', 'write'),
    ('openid', 'openid', 'openid'),
]


def scope_rows(scopes):
    """A catalogue as (name, group, type) rows, from names, rows or {name, group, type} objects; a bare name
    gets its group and type from 'group:type' (or the name itself, as openid). ValueError names the bad one."""
    rows = []
    for item in scopes:
        if isinstance(item, str):
            group, _sep, kind = item.partition(':')
            item = (item, group or item, kind or item)
        elif isinstance(item, dict):
            item = (item.get('name'), item.get('group'), item.get('type'))
        if not (isinstance(item, (tuple, list)) and len(item) == 3
                and all(isinstance(v, str) and v.strip() for v in item)):
            raise ValueError('a scope is a non-blank name, or a non-blank name, group and type: %r' % (item,))
        if item[0] in [r[0] for r in rows]:
            raise ValueError('scope %r is listed twice (the name is the primary key of identity_scopes)' % item[0])
        rows.append(tuple(item))
    return rows


# Per-user limits per minute by method (bucket4j on the real server).
RATE_LIMITS = {'GET': 200, 'POST': 10, 'PUT': 15, 'PATCH': 15, 'DELETE': 15}

_PATH_CHARS = r"[a-zA-Z0-9-._~:/?#\[\]@!$&'()*+,;=]*"
# The server's regexes run on java.util.regex: \d is ASCII only (re.ASCII), and '.' matches no line
# terminator at all (\r, \x85, \u2028 and \u2029 included, not only \n).
URL_R1 = (
    re.compile(r'(https?://)?([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(:\d+)?(/' + _PATH_CHARS + r')?', re.ASCII),
    re.compile(r'https?://(\d{1,3}\.){3}\d{1,3}(:\d+)?(/' + _PATH_CHARS + r')?', re.ASCII),
)
URL_R2 = re.compile(r'https?://(www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b([-a-zA-Z0-9()@:%_+.~#?&/=]*)',
                    re.ASCII)
_JAVA_DOT = '[^\n\r\x85\u2028\u2029]'
LOGO_RE = re.compile(r'data:image/(?:png|jpeg|jpg|svg\+xml);base64,' + _JAVA_DOT + '*' + _JAVA_DOT + '{1,}')
URI_CHARS = re.compile(r"([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*")
URL_FIELDS = ('website_url', 'terms_url', 'policy_url', 'logout_redirect_uri')
JAVA_TRIM = ''.join(map(chr, range(33)))  # String.trim(), which @NotBlank uses: every char up to ' '
REASONS = {200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
           404: 'Not Found', 405: 'Method Not Allowed', 415: 'Unsupported Media Type',
           429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
           503: 'Service Unavailable', 504: 'Gateway Timeout'}
NGINX_PAGE = ('<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n<center><h1>{0} {1}</h1></center>\r\n'
              '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')
SECRET_ALPHABET = string.ascii_letters + string.digits
FAULT_ACTIONS = ('status', 'drop', 'delay', 'slow_answer', 'commit_then_drop', 'commit_then_status',
                 'redirect', 'cut_body', 'drop_then_commit', 'login_page')
# What a misconfigured proxy or SSO answers in place of the API: a portal's sign-in page, 200 text/html.
LOGIN_PAGE = ('<!DOCTYPE html>\n<html lang="en">\n'
              '<head><meta charset="utf-8"><title>ONLYOFFICE DocSpace</title></head>\n'
              '<body>\n<div id="root" class="login">\n<h1>Sign in to ONLYOFFICE DocSpace</h1>\n'
              '<form method="post" action="/api/2.0/authentication">\n'
              '<input type="email" name="userName" placeholder="Email">\n'
              '<input type="password" name="password" placeholder="Password">\n'
              '<button type="submit">Log in</button>\n</form>\n</div>\n</body>\n</html>\n')


class Reply(Exception):
    """Raised anywhere in a handler to answer at once."""

    def __init__(self, status, body=None, headers=None, content_type='application/json'):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


def problem(status, detail, instance, errors=None):
    body = {'type': PROBLEM_TYPE, 'title': REASONS.get(status, ''), 'status': status,
            'detail': detail, 'instance': instance}
    if errors is not None:
        body['errors'] = errors
    return Reply(status, body, content_type='application/problem+json')


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec='microseconds').replace('+00:00', 'Z')


def parse_iso(value):
    text = value.strip().replace(' ', '+')
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def version_tuple(text):
    if text == 'develop':
        return (99, 0, 0)
    parts = [int(p) for p in re.findall(r'\d+', text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def java_base64_size(text):
    """Decoded size with java.util.Base64's basic decoder, or None where it throws.

    Padding may be left out, but when present it must complete the last unit: 'AA==' and 'AAA=' decode,
    'AA=', 'AAA==' and 'AAAA=' throw, and so does a lone last character ('A')."""
    match = re.fullmatch(r'([A-Za-z0-9+/]*)(=*)', text)
    if not match:
        return None
    data, pad = match.groups()
    if len(data) % 4 == 1 or (pad and (len(data) % 4 < 2 or (len(data) + len(pad)) % 4)):
        return None
    return len(data) * 3 // 4


def java_hex_digit(char):
    """Character.digit(char, 16): ASCII and fullwidth 0-9, A-F and a-f, and every other Unicode decimal
    digit (category Nd), as Long.parseLong reads them; None for anything else."""
    code = ord(char)
    for start, value in ((0x30, 0), (0x41, 10), (0x61, 10), (0xff10, 0), (0xff21, 10), (0xff41, 10)):
        if start <= code < start + (10 if value == 0 else 6):
            return value + code - start
    if code < 0x80 or 0xff10 <= code <= 0xff5a:
        return None  # the other Latin letters, ASCII or fullwidth, are digits only in larger radixes
    return unicodedata.decimal(char, None)


def java_uuid(text):
    """UUID.fromString as the server calls it: the canonical lowercase id, or None where it throws.

    It is lenient: five dash-separated hex fields of any length (a '+' sign allowed, each within a
    Java long, 36 characters at most), so '0-0-0-0-0' is a valid id and only finds nothing. An
    id that is not plain ASCII hex goes to UUID.fromString1, which reads each field with
    Long.parseLong(s, 16), so fullwidth and other Unicode digits count (java.util.UUID, JDK 17 and later; the
    server calls UUID.fromString(clientId) in registration-core/registration-service/.../ClientUpdateCommandHandler.java
    and ClientQueryHandler.java)."""
    parts = text.split('-')
    if len(text) > 36 or len(parts) != 5:
        return None
    values = []
    for part in parts:
        digits = [java_hex_digit(c) for c in (part[1:] if part.startswith('+') else part)]
        if not digits or None in digits:
            return None
        values.append(int(''.join('%x' % d for d in digits), 16))
    if any(v >= 2 ** 63 for v in values):
        return None
    msb = (values[0] & 0xffffffff) << 32 | (values[1] & 0xffff) << 16 | values[2] & 0xffff
    lsb = (values[3] & 0xffff) << 48 | values[4] & 0xffffffffffff
    return str(uuid.UUID(int=msb << 64 | lsb))


def url_collection_ok(items):
    """The @URLCollection rule: http(s) or claude, and a URI that java.net.URL accepts."""
    if items is None:
        return False
    for item in items:
        if not item or not item.strip():
            return False
        if not URI_CHARS.fullmatch(item):
            return False
        parts = urlsplit(item)
        if parts.scheme not in ('http', 'https', 'claude'):
            return False
        if parts.scheme in ('http', 'https') and not parts.netloc:
            return False  # java.net.URL checks no port range, so neither does this
    return True


class Emulator:
    """State and behaviour, independent of HTTP so that tests can drive it directly too."""

    def __init__(self, admin_api_key=None, user_api_key=None, guest_api_key=None,
                 server_version='3.7.2', rate_limit=False, signature_lifetime=300,
                 state_file=None, tenant_url='http://127.0.0.1', latency=0.0, scopes=None):
        self.lock = threading.RLock()
        self.scope_catalogue = scope_rows(SCOPES if scopes is None else scopes)
        self.machine_key = secrets.token_bytes(32)
        self.server_version = server_version
        self.rate_limit = rate_limit
        self.signature_lifetime = signature_lifetime
        self.latency = latency  # seconds added to every API answer: a portal across a network (make bench)
        self.state_file = state_file
        self.tenant_url = tenant_url
        self.users = {}
        for role, key in (('admin', admin_api_key), ('user', user_api_key), ('guest', guest_api_key)):
            uid = str(uuid.uuid5(uuid.NAMESPACE_URL, 'docspace-emulator/' + role))
            self.users[uid] = {
                'id': uid, 'role': role, 'name': role, 'email': role + '@example.com',
                'password': role + '-' + secrets.token_urlsafe(9),
                'api_key': key or 'sk-' + secrets.token_hex(24),
            }
        self.requests = []
        self.faults = []
        self.timers = []  # threading.Timer of each drop_then_commit still to land
        self.generation = 0  # bumped by reset(), so that a late commit already running is dropped
        # SHA-256 of every secret, JWT and login token ever handed out (kept across resets), so that
        # tests can scan logs for any of them without the emulator keeping the values.
        self.issued = {'client_secret': set(), 'jwt': set(), 'login_token': set()}
        self.reset(keep_log=True)
        self._load()

    # ----- bookkeeping -------------------------------------------------------
    def reset(self, keep_log=False):
        with self.lock:
            for timer in self.timers:  # pending drop_then_commit requests never land
                timer.cancel()
            self.timers = []
            self.generation += 1
            self.clients = {}
            self.consents = {}
            self.auth_tokens = {}
            self.buckets = {}
            self.last_created = datetime.now(timezone.utc) - timedelta(days=1)
            self.faults = []
            if not keep_log:
                self.requests = []

    def credentials(self):
        return {u['role']: {'user_id': u['id'], 'user_name': u['email'], 'password': u['password'],
                            'api_key': u['api_key']} for u in self.users.values()}

    def _load(self):
        if not self.state_file or not os.path.exists(self.state_file):
            return
        with open(self.state_file, encoding='utf-8') as handle:
            data = json.load(handle)
        self.machine_key = bytes.fromhex(data['machine_key'])
        for user in data['users']:
            self.users[user['id']] = user
        self.clients = data['clients']
        self.consents = {tuple(k.split('|')): v for k, v in data.get('consents', {}).items()}
        if self.clients:
            self.last_created = max(parse_iso(c['created_on']) for c in self.clients.values())

    def _save(self):
        if not self.state_file:
            return
        data = {'machine_key': self.machine_key.hex(), 'users': list(self.users.values()),
                'clients': self.clients, 'consents': {'|'.join(k): v for k, v in self.consents.items()}}
        tmp = self.state_file + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            json.dump(data, handle)
        os.replace(tmp, self.state_file)

    def remember(self, kind, value):
        self.issued[kind].add(hashlib.sha256(value.encode()).hexdigest())

    def new_secret(self):
        secret = ''.join(secrets.choice(SECRET_ALPHABET) for dummy in range(36))
        self.remember('client_secret', secret)
        return secret

    def new_timestamp(self):
        # Strictly increasing, so that the created_on cursor never skips a client.
        now = datetime.now(timezone.utc)
        if now <= self.last_created:
            now = self.last_created + timedelta(microseconds=1)
        self.last_created = now
        return now

    # ----- authentication ----------------------------------------------------
    def sign(self, user):
        now = int(time.time())
        claims = {
            'sub': user['id'], 'user_id': user['id'], 'user_name': user['name'], 'user_email': user['email'],
            'tenant_id': '1', 'tenant_url': self.tenant_url,
            'is_admin': str(user['role'] == 'admin').lower(), 'is_guest': str(user['role'] == 'guest').lower(),
            'is_public': str(user['role'] == 'user').lower(),
            'iat': now, 'exp': now + int(self.signature_lifetime),
        }
        head = b64url(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())
        body = b64url(json.dumps(claims).encode())
        mac = hmac.new(self.machine_key, (head + '.' + body).encode(), hashlib.sha256).digest()
        token = head + '.' + body + '.' + b64url(mac)
        self.remember('jwt', token)
        return token

    def verify_signature(self, token):
        """The caller of a registration call from its x-signature, or None (403, empty)."""
        try:
            head, body, mac = token.split('.')
            want = hmac.new(self.machine_key, (head + '.' + body).encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(want, b64url_decode(mac)):
                return None
            claims = json.loads(b64url_decode(body))
        except (ValueError, TypeError, binascii.Error):
            return None
        if not isinstance(claims, dict) or not isinstance(claims.get('exp'), int) or claims['exp'] <= time.time():
            return None
        if not all(claims.get(k) for k in ('user_id', 'user_name', 'user_email', 'tenant_id', 'tenant_url')):
            return None
        try:
            if int(claims['tenant_id']) < 1:
                return None
        except ValueError:
            return None
        if claims.get('is_admin') == 'true':
            role = 'ADMIN'
        elif claims.get('is_guest') == 'true':
            role = 'GUEST'
        elif claims.get('is_public') == 'true':
            role = 'USER'
        else:
            role = 'GUEST'
        return {'id': claims['user_id'], 'role': role, 'tenant': int(claims['tenant_id']),
                'email': claims['user_email']}

    def portal_user(self, headers, cookies):
        """The .NET side: an API key or a login token, as header or asc_auth_key cookie."""
        values = []
        auth = headers.get('authorization', '')
        if auth:
            values.append(auth[7:].strip() if auth.lower().startswith('bearer ') else auth.strip())
        if cookies.get('asc_auth_key'):
            values.append(cookies['asc_auth_key'])
        for value in values:
            for user in self.users.values():
                if value and hmac.compare_digest(value, user['api_key']):
                    return user
            uid = self.auth_tokens.get(value)
            if uid:
                return self.users[uid]
        return None

    # ----- rate limit ---------------------------------------------------------
    def take_token(self, key, method):
        """Fixed one-minute window per user and method; returns (allowed, remaining, reset_s)."""
        limit = RATE_LIMITS.get(method, 200)
        now = time.time()
        start, used = self.buckets.get((key, method), (now, 0))
        if now - start >= 60:
            start, used = now, 0
        reset = max(0.0, 60 - (now - start))
        if used >= limit:
            return False, 0, reset
        self.buckets[(key, method)] = (start, used + 1)
        return True, limit - used - 1, reset

    # ----- models ------------------------------------------------------------
    def client_response(self, client, secret='plain'):
        out = {k: client[k] for k in ('client_id', 'name', 'description', 'logo', 'website_url', 'terms_url',
                                      'policy_url', 'tenant', 'created_on', 'created_by', 'modified_on',
                                      'modified_by', 'is_public', 'enabled')}
        out['authentication_methods'] = list(client['authentication_methods'])
        out['redirect_uris'] = list(client['redirect_uris'])
        out['allowed_origins'] = list(client['allowed_origins'])
        out['scopes'] = list(client['scopes'])
        out['logout_redirect_uris'] = client['logout_redirect_uri'].split(',')
        if secret == 'plain':
            out['client_secret'] = client['client_secret']
        elif secret == 'cipher':
            # List items carry the stored AES ciphertext, never the secret itself.
            mac = hmac.new(self.machine_key, client['client_secret'].encode(), hashlib.sha256).digest()
            out['client_secret'] = base64.b64encode(b'\x00' * 12 + mac).decode()
        return out

    @staticmethod
    def info_response(client):
        out = {k: client[k] for k in ('name', 'client_id', 'description', 'website_url', 'terms_url', 'policy_url',
                                      'logo', 'is_public', 'created_on', 'created_by', 'modified_on', 'modified_by')}
        out['authentication_methods'] = list(client['authentication_methods'])
        out['scopes'] = list(client['scopes'])
        out['public'] = client['is_public']  # the Lombok/Jackson duplicate of is_public
        return out

    def visible(self, caller, client):
        if client['tenant'] != caller['tenant']:
            return False
        return caller['role'] == 'ADMIN' or client['created_by'] == caller['id']

    def find(self, caller, client_id, instance, command=False):
        """The client the caller may see, or the server's 404 with its exact text.

        Reads (RS/ClientQueryHandler.java, getClient/getClientInfo) say 'ID' and name a USER by id;
        writes (RS/ClientUpdateCommandHandler.java, getClient) say 'id' and name a USER by e-mail. Both
        parse the id with UUID.fromString first."""
        cid = java_uuid(client_id)
        if cid is None:
            raise problem(404, 'Client with id %s was not found. Invalid client id format' % client_id, instance)
        client = self.clients.get(cid)
        if client is not None and self.visible(caller, client):
            return client
        tenant, admin = caller['tenant'], caller['role'] == 'ADMIN'
        if command and admin:
            detail = 'Client with id %s for tenant %d was not found' % (client_id, tenant)
        elif command:
            detail = 'Client with id %s for tenant %d and user %s was not found' % (
                client_id, tenant, caller.get('email', ''))
        elif admin:
            detail = 'Client with ID %s for tenant %d was not found' % (client_id, tenant)
        else:
            detail = 'Client with ID %s for tenant %d and user %s was not found' % (client_id, tenant, caller['id'])
        raise problem(404, detail, instance)

    # ----- validation (Bean Validation, then the service layer) ---------------
    @staticmethod
    def coerce(body, instance, strings=(), lists=(), bools=()):
        """Jackson's binding: scalars become strings, a null boolean is false, a wrong shape is a 500."""
        out = {}
        for key in strings:
            value = body.get(key)
            if isinstance(value, (dict, list)):
                raise problem(500, 'Something went wrong', instance)
            out[key] = None if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
        for key in lists:
            value = body.get(key)
            if value is not None and (not isinstance(value, list) or any(isinstance(i, (dict, list)) for i in value)):
                raise problem(500, 'Something went wrong', instance)
            if value is not None:
                value = list(dict.fromkeys(None if i is None else str(i) for i in value))  # a Java Set
            out[key] = value
        for key in bools:
            value = body.get(key)
            if value is None:
                value = False
            elif isinstance(value, str) and value.lower() in ('true', 'false'):
                value = value.lower() == 'true'
            elif not isinstance(value, bool):
                raise problem(500, 'Something went wrong', instance)
            out[key] = value
        return out

    # The messages below are the annotations of RA/transfer/CreateClientRequest.java and
    # RA/transfer/UpdateClientRequest.java (and CU/validation/URLCollection.java, LogoSize.java), the codes
    # those of RA/transfer/ValidationErrorCodeResponse.java. Each constraint is checked on its own, as Bean
    # Validation does, so one value can break several.
    @staticmethod
    def check_name(data, errors):
        name = data['name']
        if name is None or not name.strip():
            errors.append(('name', 'EmptyFieldError', 'client name must not be empty'))
        if name is not None and not 3 <= len(name) <= 256:
            errors.append(('name', 'ErrorName', 'client name length is expected to be between 3 and 256 characters'))
        if data.get('description') is not None and len(data['description']) > 255:
            errors.append(('description', 'ErrorName',
                           'client description length is expected to be less than 256 characters'))

    @staticmethod
    def check_logo(logo, errors, size_check):
        if logo is None or not logo.strip():
            errors.append(('logo', 'EmptyFieldError', 'client logo must not be empty'))
        if logo is not None and not LOGO_RE.fullmatch(logo):
            errors.append(('logo', 'ErrorPattern', 'client logo is expected to be passed as base64'))
        if size_check and logo:
            # @LogoSize, create only (CU/validation/LogoSizeValidator.java): the part after the first
            # comma, or the whole value when there is none, through java.util.Base64's decoder.
            size = java_base64_size(logo.split(',', 1)[-1])
            if len(logo) > 2000000 or size is None or size > 256000:
                errors.append(('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size'))

    @staticmethod
    def check_url(field, value, errors):
        label = field.replace('_', ' ')
        if value is None or not value.strip():
            errors.append((field, 'EmptyFieldError', '%s must not be empty' % label))
        if value is not None and not any(r.fullmatch(value) for r in URL_R1):
            errors.append((field, 'ErrorWrongURL', '%s is expected to be passed as url' % label))

    @staticmethod
    def check_collection(field, items, errors, not_null=True):
        label = field.replace('_', ' ')
        if items is None and not_null:
            errors.append((field, 'EmptyFieldError', '%s must not be null' % label))
        # Jackson reads the list into a Set<String> before @Size(min = 1, max = 12) counts it, so duplicates
        # count once (RA/transfer/CreateClientRequest.java, UpdateClientRequest.java).
        elif items is not None and not 1 <= len(set(items) if all(isinstance(i, str) for i in items) else items) <= 12:
            errors.append((field, 'ErrorName', '%s must contain at least 1 and at most 12 addresses' % label))
        if not url_collection_ok(items):
            errors.append((field, 'ErrorWrongURL', 'url collection has invalid entries'))

    @staticmethod
    def check_scopes_present(scopes, errors):
        if not scopes:
            errors.append(('scopes', 'EmptyFieldError', 'scopes field can not be empty'))

    def check_known_scopes(self, scopes, instance):
        # Not Bean Validation: the createClient method body in RA/controller/ClientCommandController.java
        # (3.7.2), or CoreClientApplicationService.validateScopes on develop; both after the role check.
        names = {s[0] for s in self.scope_catalogue}
        unknown = ['null' if s is None else s for s in scopes if s not in names]
        if unknown:
            raise problem(400, 'Validation failed', instance, [
                {'field': 'scopes', 'code': 'ErrorInvalidScope', 'message': 'Invalid scopes: ' + ', '.join(unknown)}])

    @staticmethod
    def raise_errors(errors, instance):
        if errors:
            raise problem(400, 'Validation failed', instance,
                          [{'field': f, 'code': c, 'message': m} for f, c, m in errors])

    def bind_create(self, body, instance, errors=None):
        """RA/transfer/CreateClientRequest.java: Jackson, then @Valid (400 with errors[])."""
        data = self.coerce(body, instance, strings=('name', 'description', 'logo') + URL_FIELDS,
                           lists=('redirect_uris', 'allowed_origins', 'scopes'), bools=('allow_pkce',))
        errors = list(errors or [])
        self.check_name(data, errors)
        self.check_logo(data['logo'], errors, size_check=True)
        for key in URL_FIELDS:
            self.check_url(key, data[key], errors)
        self.check_collection('redirect_uris', data['redirect_uris'], errors)
        self.check_collection('allowed_origins', data['allowed_origins'], errors)
        self.check_scopes_present(data['scopes'], errors)
        self.raise_errors(errors, instance)
        return data

    def bind_update(self, body, instance, errors=None):
        """RA/transfer/UpdateClientRequest.java: on 3.7.2 allowed_origins has no @NotNull (only
        @URLCollection refuses a null); develop adds @NotNull to it and the redirect_uris and scopes fields."""
        in_place = self.lists_in_place()
        data = self.coerce(body, instance, strings=('name', 'description', 'logo'),
                           lists=('allowed_origins', 'redirect_uris', 'scopes'), bools=('allow_pkce',))
        errors = list(errors or [])
        self.check_name(data, errors)
        self.check_logo(data['logo'], errors, size_check=False)
        self.check_collection('allowed_origins', data['allowed_origins'], errors, not_null=in_place)
        if in_place:
            self.check_collection('redirect_uris', data['redirect_uris'], errors)
            self.check_scopes_present(data['scopes'], errors)
        self.raise_errors(errors, instance)
        return data

    @staticmethod
    def check_service_urls(data, instance):
        """R2 of RS/transfer/request/create/CreateTenantClientCommand.java, checked by
        RS/CoreClientApplicationService.java (validate): a ConstraintViolationException, whose message joins
        every 'property: message' with ', ', answered 400 without errors[] by the exception handler."""
        camel = {'website_url': 'websiteUrl', 'terms_url': 'termsUrl', 'policy_url': 'policyUrl',
                 'logout_redirect_uri': 'logoutRedirectUri'}
        broken = ['%s: %s is expected to be passed as a valid url' % (camel[k], k.replace('_', ' '))
                  for k in URL_FIELDS if not URL_R2.fullmatch(data[k])]
        if broken:
            raise problem(400, ', '.join(broken), instance)

    @staticmethod
    def check_storage(data, instance):
        # MySQL: name is varchar(255), the URLs tinytext (255 bytes): the insert fails with a 500.
        too_long = (data.get('name') and len(data['name']) > 255) or any(
            len((data.get(k) or '').encode()) > 255 for k in URL_FIELDS
        ) or any(len(i.encode()) > 255 for k in ('redirect_uris', 'allowed_origins') for i in (data.get(k) or []))
        if too_long:
            raise problem(500, 'A database error occurred', instance)

    def lists_in_place(self):
        # develop after v3.8.0 (commit 782edffbc7) updates redirect_uris and scopes in PUT.
        return version_tuple(self.server_version) >= (3, 9, 0)

    @staticmethod
    def bind_page(query, instance, cursor_key, default_limit=None):
        """The list query parameters, in Spring's order: each is converted as it is bound (a missing
        limit 400, an unparsable one or an unparsable cursor 500), and only then does method validation
        check @Min(1)/@Max(50) (HandlerMethodValidationException, 400). RA/controller/ClientQueryController.java."""
        raw = query.get('limit', default_limit)
        if raw is None:
            raise problem(400, "Required request parameter 'limit' for method parameter type int is not present",
                          instance)
        try:
            limit = int(raw)
        except ValueError:
            raise problem(500, 'Something went wrong', instance) from None
        cursor = None
        if query.get(cursor_key):
            try:
                cursor = parse_iso(query[cursor_key])
            except ValueError:
                raise problem(500, 'Something went wrong', instance) from None
        if limit < 1 or limit > 50:
            raise problem(400, 'Validation failed', instance, [{
                'field': 'limit', 'code': 'ErrorName',
                'message': 'limit must be at least 1' if limit < 1 else 'limit must be at most 50'}])
        return {'limit': limit, 'cursor': cursor}

    # ----- endpoints -----------------------------------------------------------
    def create(self, caller, body, instance, data=None):
        """POST /clients. ``data`` is the already bound request; without it ``body`` is bound here."""
        if data is None:
            data = self.bind_create(body, instance)
        if self.lists_in_place():  # develop's RS/CoreClientApplicationService.java: validate, then validateScopes
            self.check_service_urls(data, instance)
            self.check_known_scopes(data['scopes'], instance)
        else:  # 3.7.2: the controller checks the scopes before the service validates the command
            self.check_known_scopes(data['scopes'], instance)
            self.check_service_urls(data, instance)
        self.check_storage(data, instance)
        now = iso(self.new_timestamp())
        client = {
            'client_id': str(uuid.uuid4()),
            'client_secret': self.new_secret(),
            'name': data['name'], 'description': data['description'] or '', 'logo': data['logo'],
            'website_url': data['website_url'], 'terms_url': data['terms_url'], 'policy_url': data['policy_url'],
            'logout_redirect_uri': data['logout_redirect_uri'],
            'redirect_uris': data['redirect_uris'], 'allowed_origins': data['allowed_origins'],
            'scopes': data['scopes'],
            'authentication_methods': ['client_secret_post', 'none'] if data['allow_pkce'] else ['client_secret_post'],
            'tenant': caller['tenant'], 'created_on': now, 'created_by': caller['id'],
            'modified_on': now, 'modified_by': caller['id'], 'is_public': True, 'enabled': True,
        }
        self.clients[client['client_id']] = client
        self._save()
        return 201, self.client_response(client)

    def update(self, caller, client_id, body, instance, data=None):
        if data is None:
            data = self.bind_update(body, instance)
        if self.lists_in_place():
            self.check_known_scopes(data['scopes'], instance)
        client = self.find(caller, client_id, instance, command=True)
        self.check_storage(data, instance)  # RS/ClientUpdateCommandHandler.java: looked up first, written last
        client['name'] = data['name']
        if data['description'] is not None:  # the data mapper merges nulls
            client['description'] = data['description']
        client['logo'] = data['logo']
        client['allowed_origins'] = data['allowed_origins']
        client['authentication_methods'] = (['client_secret_post', 'none'] if data['allow_pkce']
                                            else ['client_secret_post'])
        if self.lists_in_place():
            client['redirect_uris'] = data['redirect_uris']
            client['scopes'] = data['scopes']
        client['modified_on'] = iso(datetime.now(timezone.utc))
        client['modified_by'] = caller['id']
        self._save()
        return 200, None

    def activation(self, caller, client_id, body, instance, data=None):
        if data is None:
            data = self.coerce(body, instance, bools=('status',))
        client = self.find(caller, client_id, instance, command=True)
        client['enabled'] = data['status']
        client['modified_on'] = iso(datetime.now(timezone.utc))
        client['modified_by'] = caller['id']
        self._save()
        return 200, None

    def regenerate(self, caller, client_id, instance):
        client = self.find(caller, client_id, instance, command=True)
        client['client_secret'] = self.new_secret()
        self._save()
        return 200, {'client_secret': client['client_secret']}

    def delete(self, caller, client_id, instance):
        client = self.find(caller, client_id, instance, command=True)
        del self.clients[client['client_id']]
        for key in [k for k in self.consents if k[1] == client['client_id']]:
            del self.consents[key]
        self._save()
        return 200, None

    def delete_many(self, caller, tenant_wide):
        for cid in [c['client_id'] for c in self.clients.values() if c['tenant'] == caller['tenant']
                    and (tenant_wide or c['created_by'] == caller['id'])]:
            del self.clients[cid]
        self._save()
        return 200, None

    def page(self, caller, params, info):
        rows = [c for c in self.clients.values() if self.visible(caller, c)]
        if params['cursor'] is not None:  # last_client_id is ignored (MySQL)
            rows = [c for c in rows if parse_iso(c['created_on']) < params['cursor']]
        rows.sort(key=lambda c: parse_iso(c['created_on']), reverse=True)
        limit = params['limit']
        more = len(rows) > limit
        rows = rows[:limit]
        data = [self.info_response(c) if info else self.client_response(c, secret='cipher') for c in rows]
        return 200, {'data': data, 'limit': limit,
                     'last_client_id': rows[-1]['client_id'] if more else None,
                     'last_created_on': rows[-1]['created_on'] if more else None}

    def consent_page(self, caller, params):
        rows = [v for k, v in self.consents.items() if k[0] == caller['id']]
        if params['cursor'] is not None:
            rows = [r for r in rows if parse_iso(r['modified_at']) < params['cursor']]
        rows.sort(key=lambda r: parse_iso(r['modified_at']), reverse=True)
        limit = params['limit']
        more = len(rows) > limit
        rows = rows[:limit]
        data = []
        for row in rows:
            client = self.clients.get(row['registered_client_id'])
            data.append({'registered_client_id': row['registered_client_id'], 'scopes': row['scopes'],
                         'modified_at': row['modified_at'], 'client': self.info_response(client) if client else None})
        return 200, {'data': data, 'limit': limit, 'last_modified_on': rows[-1]['modified_at'] if more else None}

    def revoke(self, caller, client_id):
        # The server neither checks that the client exists nor that a consent did.
        self.consents.pop((caller['id'], client_id.lower()), None)
        self._save()
        return 200, None

    def public_info(self, client_id, instance):
        # RS/ClientQueryHandler.java, getClientInfo(String): any tenant, lowercase 'id' in both texts.
        cid = java_uuid(client_id)
        if cid is None:
            raise problem(404, 'Client with id %s was not found. Invalid client id format' % client_id, instance)
        if cid not in self.clients:
            raise problem(404, 'Client with id %s was not found' % client_id, instance)
        return 200, self.info_response(self.clients[cid])

    def scopes(self):
        # RA/controller/ScopeQueryController.java: case-insensitive by name, the comparator puts openid last.
        names = sorted((s for s in self.scope_catalogue if s[0].lower() != 'openid'), key=lambda s: s[0].lower())
        names += [s for s in self.scope_catalogue if s[0].lower() == 'openid']
        return 200, [{'name': n, 'group': g, 'type': t} for n, g, t in names]

    # ----- routing --------------------------------------------------------------
    ROUTES = [
        ('POST', r'/clients', 'create'),
        ('GET', r'/clients', 'list'),
        ('DELETE', r'/clients', 'delete_own'),
        ('DELETE', r'/clients/tenant', 'delete_tenant'),
        ('GET', r'/clients/info', 'info_list'),
        ('GET', r'/clients/consents', 'consents'),
        ('PUT', r'/clients/(?P<id>[^/]+)', 'update'),
        ('GET', r'/clients/(?P<id>[^/]+)', 'get'),
        ('DELETE', r'/clients/(?P<id>[^/]+)', 'delete'),
        ('PATCH', r'/clients/(?P<id>[^/]+)/activation', 'activation'),
        ('PATCH', r'/clients/(?P<id>[^/]+)/regenerate', 'regenerate'),
        ('DELETE', r'/clients/(?P<id>[^/]+)/revoke', 'revoke'),
        ('GET', r'/clients/(?P<id>[^/]+)/info', 'info'),
        ('GET', r'/clients/(?P<id>[^/]+)/public/info', 'public_info'),
        ('GET', r'/scopes', 'scopes'),
    ]
    EXACT = {'/clients', '/clients/tenant', '/clients/info', '/clients/consents', '/scopes'}
    # The @PreAuthorize roles: RA/controller/ClientCommandController.java is 'ADMIN or USER' at class level,
    # with revoke opened to GUEST and /tenant closed to USER at method level; ClientQueryController.java
    # annotates each method, and consents and public info have none; ScopeQueryController.java has none.
    ROLES = {'revoke': ('ADMIN', 'USER', 'GUEST'), 'delete_tenant': ('ADMIN',),
             'consents': None, 'scopes': None, 'public_info': None}
    JSON_BODY = {'create', 'update', 'activation'}

    def route(self, method, rel):
        """(action, groups) for a path, ('METHOD', None) for a known path with another method, or None."""
        path_known = False
        for verb, pattern, action in self.ROUTES:
            match = re.fullmatch(pattern, rel)
            if not match:
                continue
            if '(?P<id>' in pattern and match.group('id') in ('info', 'consents', 'tenant') and rel in self.EXACT:
                continue  # literal mappings win over the {clientId} template
            path_known = True
            if verb == method:
                return action, match.groupdict()
        return ('METHOD', None) if path_known else None

    def handle(self, method, path, query, headers, cookies, raw_body, client_ip):
        """Answer one API request: (status, body, extra headers, content type)."""
        with self.lock:
            try:
                return self._handle(method, path, query, headers, cookies, raw_body, client_ip)
            except Reply as reply:
                return reply.status, reply.body, reply.headers, reply.content_type

    def _handle(self, method, path, query, headers, cookies, raw_body, client_ip):
        if path == API + '/authentication' and method == 'POST':
            return self.login(headers, raw_body)
        if path == API + '/security/oauth2/token' and method == 'GET':
            user = self.portal_user(headers, cookies)
            if user is None:
                raise Reply(401, {'error': {'message': 'Unauthorized', 'type': 'System.Security.Authentication.'
                                            'AuthenticationException'}, 'status': 1, 'statusCode': 401})
            return 200, {'response': self.sign(user), 'count': 1, 'links': [], 'status': 0, 'statusCode': 200}, {}, \
                'application/json'
        rel = None
        for prefix in (API + '/oauth2', API):
            if path.startswith(prefix + '/clients') or path.startswith(prefix + '/scopes'):
                rel = path[len(prefix):]
                break
        if rel is None:
            raise Reply(404, None)
        rel = rel.rstrip('/') or rel
        found = self.route(method, rel)
        public = found is not None and found[0] == 'public_info'
        caller = None
        if not public:
            token = cookies.get('x-signature') or headers.get('x-signature')
            caller = self.verify_signature(token) if token else None
            if caller is None:
                raise Reply(403, None)
        extra = {}
        if self.rate_limit:
            allowed, remaining, reset = self.take_token(caller['id'] if caller else client_ip, method)
            if not allowed:
                # The bucket4j filter: empty body, Reset in nanoseconds (a server bug), no Retry-After.
                raise Reply(429, None, {'X-Ratelimit-Remaining': '0',
                                        'X-Ratelimit-Reset': str(int(reset * 1e9))})
            extra = {'X-Ratelimit-Remaining': str(remaining), 'X-Ratelimit-Reset': str(int(reset))}
        if found is None:
            raise Reply(404, None, extra)
        if found[0] == 'METHOD':
            raise Reply(405, None, extra)
        action, groups = found
        # Spring MVC resolves and validates every argument (the JSON body and its @Valid, the query
        # parameters, then method validation of @Min/@Max) before it calls the controller through its
        # @PreAuthorize proxy. So a GUEST's invalid request is answered 400 (or 415/500) like anyone's,
        # and only a valid one 403 "Access denied" (RA/controller/ClientCommandController.java,
        # RA/controller/ClientQueryController.java; the answers: RA/controller/exception/handler/
        # RegistrationGlobalExceptionHandler.java). The UUID format, the scope catalogue and the
        # service-layer rules are checked inside the handlers, after the role.
        instance = quote(path, safe="/:@!$&'()*+,;=-._~")  # request.getRequestURI() is still encoded
        data = self.bind(action, groups.get('id'), headers, raw_body, query, instance)
        roles = self.ROLES.get(action, ('ADMIN', 'USER'))
        if roles and caller['role'] not in roles:
            raise problem(403, 'Access denied', instance)
        status, payload = self.dispatch(action, caller, groups.get('id'), data, instance)
        return status, payload, extra, 'application/json'

    def bind(self, action, client_id, headers, raw_body, query, instance):
        """Spring's argument resolution for one endpoint: what it returns is passed to dispatch()."""
        # Every {clientId} is '@PathVariable @NotBlank String': method validation refuses a blank one
        # (/clients/%20) with Hibernate's default message, in the same 400 as the body's errors.
        errors = []
        if client_id is not None and not client_id.strip(JAVA_TRIM):
            errors.append(('client_id', 'EmptyFieldError', 'must not be blank'))
        if action in self.JSON_BODY:
            ctype = headers.get('content-type', '').split(';')[0].strip().lower()
            if ctype != 'application/json':
                raise problem(415, "Content-Type '%s' is not supported" % (ctype or 'application/octet-stream'),
                              instance)
            try:
                body = json.loads(raw_body.decode('utf-8'))
            except (ValueError, UnicodeDecodeError):
                raise problem(500, 'Something went wrong', instance) from None
            if not isinstance(body, dict):
                raise problem(500, 'Something went wrong', instance)
            if action == 'create':
                return self.bind_create(body, instance)
            if action == 'update':
                return self.bind_update(body, instance, errors)
            data = self.coerce(body, instance, bools=('status',))
            self.raise_errors(errors, instance)
            return data
        self.raise_errors(errors, instance)
        if action in ('list', 'info_list'):  # /clients defaults limit to 30, /clients/info requires it
            return self.bind_page(query, instance, 'last_created_on', '30' if action == 'list' else None)
        if action == 'consents':
            return self.bind_page(query, instance, 'last_modified_on')
        return None

    def dispatch(self, action, caller, client_id, data, instance):
        if action == 'create':
            return self.create(caller, None, instance, data=data)
        if action == 'update':
            return self.update(caller, client_id, None, instance, data=data)
        if action == 'activation':
            return self.activation(caller, client_id, None, instance, data=data)
        if action == 'regenerate':
            return self.regenerate(caller, client_id, instance)
        if action == 'delete':
            return self.delete(caller, client_id, instance)
        if action in ('delete_own', 'delete_tenant'):
            return self.delete_many(caller, action == 'delete_tenant')
        if action == 'revoke':
            return self.revoke(caller, client_id)
        if action == 'get':
            return 200, self.client_response(self.find(caller, client_id, instance))
        if action == 'info':
            return 200, self.info_response(self.find(caller, client_id, instance))
        if action == 'public_info':
            return self.public_info(client_id, instance)
        if action in ('list', 'info_list'):
            return self.page(caller, data, info=action == 'info_list')
        if action == 'consents':
            return self.consent_page(caller, data)
        return self.scopes()

    def login(self, headers, raw_body):
        ctype = headers.get('content-type', '').split(';')[0].strip().lower()
        try:
            if ctype == 'application/x-www-form-urlencoded':
                body = {k: v[0] for k, v in parse_qs(raw_body.decode('utf-8')).items()}
            else:
                body = json.loads(raw_body.decode('utf-8') or '{}')
        except (ValueError, UnicodeDecodeError):
            body = {}
        name = str(body.get('userName') or body.get('username') or '')
        password = str(body.get('password') or '')
        for user in self.users.values():
            if name.lower() in (user['email'], user['name']) and hmac.compare_digest(password, user['password']):
                token = secrets.token_urlsafe(32)
                self.auth_tokens[token] = user['id']
                self.remember('login_token', token)
                expires = iso(datetime.now(timezone.utc) + timedelta(days=365))
                return 200, {'response': {'token': token, 'expires': expires, 'sms': False, 'tfa': False},
                             'count': 1, 'links': [], 'status': 0, 'statusCode': 200}, {}, 'application/json'
        raise Reply(401, {'error': {'message': 'User authentication failed', 'type':
                                    'System.Security.Authentication.AuthenticationException'},
                          'status': 1, 'statusCode': 401})

    # ----- control API --------------------------------------------------------
    def control(self, method, path, raw_body):
        name = path[len('/__emulator__/'):]
        try:
            body = json.loads(raw_body.decode('utf-8') or 'null')
        except ValueError:
            return 400, {'error': 'body is not JSON'}
        with self.lock:
            if (method, name) == ('GET', 'requests'):
                return 200, list(self.requests)
            if (method, name) == ('DELETE', 'requests'):
                self.requests = []
                return 200, []
            if (method, name) == ('POST', 'reset'):
                self.reset()
                self._save()
                return 200, {'reset': True}
            if (method, name) == ('GET', 'faults'):
                return 200, self.faults
            if (method, name) == ('DELETE', 'faults'):
                self.faults = []
                return 200, []
            if (method, name) == ('POST', 'faults'):
                items = body if isinstance(body, list) else [body]
                for item in items:  # all or none
                    error = self.check_fault(item)
                    if error:
                        return 400, {'error': error}
                for item in items:
                    item.setdefault('count', 1)
                    item.setdefault('action', 'status')
                    self.faults.append(item)
                return 200, self.faults
            if (method, name) == ('GET', 'clients'):
                out = []
                for client in sorted(self.clients.values(), key=lambda c: c['created_on']):
                    row = {k: v for k, v in client.items() if k != 'client_secret'}
                    row['secret_sha256'] = hashlib.sha256(client['client_secret'].encode()).hexdigest()
                    out.append(row)
                return 200, out
            if (method, name) == ('GET', 'issued'):
                return 200, dict((k, sorted(v)) for k, v in self.issued.items())
            if (method, name) == ('GET', 'users'):
                return 200, self.credentials()
            if (method, name) == ('POST', 'consents'):
                cid = str(body['client_id']).lower()
                self.consents[(body['user_id'], cid)] = {
                    'registered_client_id': cid, 'scopes': ' '.join(body.get('scopes') or ['openid']),
                    'modified_at': iso(self.new_timestamp())}
                return 200, {'seeded': True}
            if (method, name) == ('POST', 'config'):
                if not isinstance(body, dict):
                    return 400, {'error': 'config is an object'}
                if 'scopes' in body:  # the whole catalogue, as a newer (or older) portal serves it
                    try:
                        if not isinstance(body['scopes'], list):
                            raise ValueError('scopes is a list')
                        self.scope_catalogue = scope_rows(body['scopes'])
                    except ValueError as exc:
                        return 400, {'error': str(exc)}
                for key in ('server_version', 'rate_limit', 'signature_lifetime', 'latency'):
                    if key in body:
                        setattr(self, key, body[key])
                self.buckets = {}
                return 200, {'server_version': self.server_version, 'rate_limit': self.rate_limit,
                             'signature_lifetime': self.signature_lifetime, 'latency': self.latency,
                             'scopes': [s[0] for s in self.scope_catalogue]}
        return 404, {'error': 'no such control endpoint'}

    @staticmethod
    def check_fault(item):
        """Why a fault posted to the control API cannot be used, or None."""
        if not isinstance(item, dict):
            return 'a fault is an object'
        if item.get('action', 'status') not in FAULT_ACTIONS:
            return 'unknown action %s' % item.get('action')
        if item.get('action') == 'redirect' and not item.get('location'):
            return 'a redirect fault needs a location'
        try:
            re.compile(item.get('path', '.*'))
        except (re.error, TypeError):
            return 'path is not a regular expression'
        return None

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.get('method', method).upper() != method:
                    continue
                if not re.fullmatch(fault.get('path', '.*'), path):
                    continue
                fault['count'] = fault.get('count', 1) - 1
                if fault['count'] <= 0:
                    self.faults.remove(fault)
                return dict(fault, action=fault.get('action', 'status'))
        return None

    def commit_later(self, delay, request, log_args):
        """drop_then_commit: apply ``request`` (the arguments of handle()) ``delay`` seconds from now,
        as a server whose queue got it before the connection broke. reset() cancels it."""
        timer = threading.Timer(delay, self._land, args=(self.generation, request, log_args))
        timer.daemon = True
        with self.lock:
            self.timers.append(timer)
        timer.start()

    def _land(self, generation, request, log_args):
        with self.lock:
            if threading.current_thread() in self.timers:  # a Timer runs its function in itself
                self.timers.remove(threading.current_thread())
            if generation != self.generation:  # a reset() came first (its cancel() was too late)
                return
            status = self.handle(*request)[0]
            self.log(*log_args, status=status, fault='drop_then_commit')

    def log(self, method, path, query, status, fault=None):
        entry = {'method': method, 'path': path, 'query': query, 'status': status}
        if fault:
            entry['fault'] = fault
        with self.lock:
            self.requests.append(entry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    emulator = None  # set by build_server()

    def version_string(self):
        return 'nginx'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if os.environ.get('DOCSPACE_EMULATOR_VERBOSE'):
            sys.stderr.write('%s - %s\n' % (self.address_string(), format % args))

    def _dispatch(self):
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        emulator = self.emulator
        if path.startswith('/__emulator__/'):
            status, body = emulator.control(self.command, path, raw)
            self.send(status, body, {}, 'application/json')
            return
        if emulator.latency:
            time.sleep(float(emulator.latency))
        fault = emulator.take_fault(self.command, path)
        action = fault['action'] if fault else None

        def log(status):
            emulator.log(self.command, path, url.query, status, action)

        if fault and fault.get('delay') and action not in ('slow_answer', 'drop_then_commit'):
            time.sleep(float(fault['delay']))
        # Faults that answer without processing.
        if action == 'drop':
            log(None)
            self.drop()
            return
        if action == 'status':
            status = int(fault.get('status', 503))
            log(status)
            self.send_fault(status, fault)
            return
        if action == 'redirect':
            status = int(fault.get('status', 302))
            log(status)
            self.send(status, None, {'Location': fault.get('location', '/')}, None)
            return
        if action == 'login_page':
            log(200)
            self.send(200, LOGIN_PAGE, {}, 'text/html')
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        cookies = {}
        for part in headers.get('cookie', '').split(';'):
            if '=' in part:
                key, value = part.split('=', 1)
                cookies[key.strip()] = value.strip()
        request = (self.command, path, query, headers, cookies, raw, self.client_address[0])
        if action == 'drop_then_commit':  # no answer now, the change lands later (logged then)
            emulator.commit_later(float(fault.get('delay', 1.0)), request, (self.command, path, url.query))
            self.drop()  # after scheduling, so that a reset() the client sends next cancels it
            return
        status, body, extra, ctype = emulator.handle(*request)
        # Faults that process first.
        if action == 'slow_answer':  # the answer reflects the moment of processing, and arrives late
            time.sleep(float(fault.get('delay', 1)))
        if action == 'commit_then_drop':
            log(status)
            self.drop()
            return
        if action == 'commit_then_status':
            fstatus = int(fault.get('status', 502))
            log(fstatus)
            self.send_fault(fstatus, fault)
            return
        log(status)
        self.send(status, body, extra, ctype, cut=action == 'cut_body')

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_fault(self, status, fault):
        headers = dict(fault.get('headers') or {})
        if 'body' in fault:  # a JSON value given as such is sent as JSON
            body = fault['body']
            ctype = fault.get('content_type', 'text/html' if isinstance(body, str) else 'application/json')
        elif status in (502, 504):
            body, ctype = NGINX_PAGE.format(status, REASONS[status]), 'text/html'
        elif status == 429:
            body, ctype = None, 'application/json'
            headers.setdefault('X-Ratelimit-Remaining', '0')
            headers.setdefault('X-Ratelimit-Reset', str(int(1e9)))
        else:
            body, ctype = problem(status, REASONS.get(status, 'Error'), '').body, 'application/problem+json'
        self.send(status, body, headers, ctype)

    def send(self, status, body, headers, ctype, cut=False):
        if body is None:
            payload = b''
        elif isinstance(body, str):
            payload = body.encode('utf-8')
        else:
            payload = json.dumps(body).encode('utf-8')
        self.send_response(status, REASONS.get(status))
        if payload:
            self.send_header('Content-Type', ctype)
        # cut_body: the real headers, then half the body (at least one byte short; an empty body
        # announces 10 bytes), then the connection closes: a connection lost mid-answer.
        self.send_header('Content-Length', str(len(payload) if payload or not cut else 10))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if cut:
            self.wfile.write(payload[:len(payload) // 2])
            self.drop()
        elif payload and self.command != 'HEAD':
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hung up (its timeout shorter than a fault's delay) is no error here: the request
        # was processed all the same, and the answer had nobody to go to. Anything else is printed.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def build_server(emulator, host='127.0.0.1', port=0, tls_cert=None, tls_key=None):
    handler = type('BoundHandler', (Handler,), {'emulator': emulator})
    server = Server((host, port), handler)
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


@contextlib.contextmanager
def running(emulator, host='127.0.0.1', tls_cert=None, tls_key=None):
    """Serve ``emulator`` from a thread for the length of a with block; yields its URL."""
    server = build_server(emulator, host, tls_cert=tls_cert, tls_key=tls_key)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True)
    thread.start()
    try:
        yield '%s://%s:%d' % ('https' if tls_cert else 'http', host, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8099, help='0 picks a free port')
    parser.add_argument('--admin-api-key')
    parser.add_argument('--user-api-key')
    parser.add_argument('--guest-api-key')
    parser.add_argument('--tls-cert')
    parser.add_argument('--tls-key')
    parser.add_argument('--state-file', help='persist clients, users and the signing key across restarts')
    parser.add_argument('--rate-limit', action='store_true', help="enforce the server's per-minute limits")
    parser.add_argument('--server-version', default='3.7.2',
                        help="3.7.2 (default): PUT ignores redirect_uris/scopes; 'develop' or >= 3.9 updates them")
    parser.add_argument('--signature-lifetime', type=int, default=300, help='x-signature life in seconds')
    parser.add_argument('--latency', type=float, default=0.0, help='seconds added to every API answer')
    parser.add_argument('--info-file', help='write the URL and the seeded credentials here (JSON) once listening')
    parser.add_argument('--scope', action='append', default=[], metavar='NAME',
                        help="add a scope to v3.7.2's catalogue, as a newer DocSpace does (repeatable; group and "
                             "type from GROUP:TYPE)")
    args = parser.parse_args(argv)
    try:
        scopes = scope_rows(SCOPES + list(args.scope))
    except ValueError as exc:
        parser.error('--scope: %s' % exc)
    emulator = Emulator(args.admin_api_key, args.user_api_key, args.guest_api_key, args.server_version,
                        args.rate_limit, args.signature_lifetime, args.state_file, latency=args.latency, scopes=scopes)
    try:
        server = build_server(emulator, args.host, args.port, args.tls_cert, args.tls_key)
    except OSError as exc:  # a busy port or an address not on this machine: say so, no traceback
        parser.exit(1, 'docspace_emulator: cannot listen on %s:%d: %s. Choose another --port (0 picks a free '
                       'one).\n' % (args.host, args.port, exc.strerror or exc))
    scheme = 'https' if args.tls_cert else 'http'
    url = '%s://%s:%d' % (scheme, args.host, server.server_address[1])
    emulator.tenant_url = url
    info = {'url': url, 'server_version': args.server_version, 'users': emulator.credentials(),
            'scopes': [s[0] for s in emulator.scope_catalogue]}
    print('DocSpace emulator %s listening on %s' % (args.server_version, url), flush=True)
    for role, cred in info['users'].items():
        line = '  %-5s user_name=%s password=%s api_key=%s' % (role, cred['user_name'], cred['password'], cred['api_key'])
        print(line, flush=True)
    if args.info_file:
        tmp = args.info_file + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            json.dump(info, handle)
        os.replace(tmp, args.info_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
