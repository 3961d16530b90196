# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DocSpace OAuth client as data.

Private to this collection: it may change in any release. ``FIELDS`` is the one table
that says, for every managed field, its API name, whether it can change after creation,
how it compares, and what the server accepts. Validation, comparison, the diff, the POST
body and the full PUT body are all driven by it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import functools
import hashlib
import operator
import os
import re
from collections import namedtuple

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore

# What PUT can change on v3.7.2; CREATE fields are fixed at creation; LISTS are fixed on
# v3.7.x but updated by PUT on newer servers; ACTIVATION goes through PATCH /activation.
UPDATE, CREATE, LISTS, ACTIVATION = 'update', 'create', 'create-on-3.7', 'activation'

Field = namedtuple('Field', 'option api kind mutability required default')

FIELDS = (
    Field('name', 'name', 'name', UPDATE, True, None),
    Field('description', 'description', 'description', UPDATE, False, ''),
    Field('logo', 'logo', 'logo', UPDATE, True, None),
    Field('website_url', 'website_url', 'url', CREATE, True, None),
    Field('terms_url', 'terms_url', 'url', CREATE, True, None),
    Field('policy_url', 'policy_url', 'url', CREATE, True, None),
    Field('logout_redirect_uri', 'logout_redirect_uri', 'url', CREATE, True, None),
    Field('redirect_uris', 'redirect_uris', 'urls', LISTS, True, None),
    Field('allowed_origins', 'allowed_origins', 'urls', UPDATE, True, None),
    Field('scopes', 'scopes', 'scopes', LISTS, True, None),
    Field('allow_pkce', 'allow_pkce', 'bool', UPDATE, False, False),
    Field('enabled', 'status', 'bool', ACTIVATION, False, True),
)
BY_OPTION = dict((f.option, f) for f in FIELDS)

# Which scopes exist is the portal's catalogue (GET /api/2.0/scopes), checked by the engine before a
# write; here only the shape of a scope name. DocSpace's authorization service turns each client into
# Spring Authorization Server's RegisteredClient (authorization-application/.../mapper/ClientMapper.java),
# whose build() refuses a scope outside RFC 6749's scope-token (%x21 / %x23-5B / %x5D-7E: visible ASCII
# but no space, '"' or '\\'); the name is the primary key of identity_scopes, a varchar(255)
# (infrastructure-migration-runner/.../V1_1__init.sql), and must not be blank (registration-domain/.../Scope.java).
SCOPE_MAX = 255
_SCOPE_RE = re.compile(r'[\x21\x23-\x5b\x5d-\x7e]{1,%d}\Z' % SCOPE_MAX)
SCOPE_RULE = ('must be a scope name: 1 to %d visible ASCII characters with no space, double quote or backslash '
              '(an RFC 6749 scope-token)' % SCOPE_MAX)

# The argument spec of a client's options, from the table: docspace_oauth_client's, and each config item's.
_SPEC_OF_KIND = {'urls': dict(type='list', elements='str'), 'scopes': dict(type='list', elements='str'),
                 'bool': dict(type='bool')}


def client_spec():
    spec = dict(client_id=dict(type='str'))
    for field in FIELDS:
        spec[field.option] = dict(_SPEC_OF_KIND.get(field.kind, dict(type='str')))
    spec.update(logo_path=dict(type='path'), recreate=dict(type='bool', default=False), secret_path=dict(type='path'))
    return spec


NAME_MIN, NAME_MAX = 3, 255  # the server allows 256, but its column is varchar(255)
TEXT_MAX = 255  # description, and the tinytext columns of URLs (bytes)
LIST_MIN, LIST_MAX = 1, 12
LOGO_MAX_BYTES, LOGO_MAX_CHARS = 256000, 2000000
LOGO_TYPES = {'png': 'image/png', 'jpg': 'image/jpeg', 'jpeg': 'image/jpeg', 'svg': 'image/svg+xml'}

_PATH = r"[a-zA-Z0-9-._~:/?#\[\]@!$&'()*+,;=]*"
# R1, the request layer: a dotted host name or an IPv4 address, the scheme optional.
URL_RULE_REQUEST = (
    re.compile(r'(https?://)?([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(:\d+)?(/' + _PATH + r')?\Z'),
    re.compile(r'https?://(\d{1,3}\.){3}\d{1,3}(:\d+)?(/' + _PATH + r')?\Z'),
)
# R2, the service layer: the scheme is required.
URL_RULE_SERVICE = re.compile(r'https?://(www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b'
                              r'([-a-zA-Z0-9()@:%_+.~#?&/=]*)\Z')
_LOGO_RE = re.compile(r'data:image/(?:png|jpeg|jpg|svg\+xml);base64,.*.\Z')
_URI_RE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*\Z")


# ----- validators: each returns None, or the rule the value breaks ---------------------
def _check_name(value):
    if not value.strip():
        return 'must not be blank'
    if not NAME_MIN <= len(value) <= NAME_MAX:
        return 'must be %d to %d characters long (got %d)' % (NAME_MIN, NAME_MAX, len(value))
    return None


def _check_description(value):
    if len(value) > TEXT_MAX:
        return 'must be at most %d characters long (got %d)' % (TEXT_MAX, len(value))
    return None


def logo_size(value):
    """Bytes that java.util.Base64's basic decoder gets from the data URI, or None where it throws.

    Padding may be left out, but when present it must complete the last 4-character unit
    ('AA==' and 'AAA=' decode; 'AA=', 'AAA==', 'AAAA=' and a lone last character do not)."""
    match = re.match(r'[^,]*,([A-Za-z0-9+/]*)(=*)\Z', value)
    if not match:
        return None
    data, pad = match.groups()
    if len(data) % 4 == 1 or (pad and (len(data) % 4 < 2 or (len(data) + len(pad)) % 4)):
        return None
    return len(data) * 3 // 4


def _check_logo(value):
    if not _LOGO_RE.match(value):
        return 'must be a data URI: data:image/png, image/jpeg or image/svg+xml;base64,<data>'
    size = logo_size(value)
    if size is None:
        return 'must carry strict base64 data (no spaces or line breaks)'
    if size > LOGO_MAX_BYTES or len(value) > LOGO_MAX_CHARS:
        return 'must be at most %d bytes of image (got %d)' % (LOGO_MAX_BYTES, size)
    return None


def _check_url(value):
    if not any(rule.match(value) for rule in URL_RULE_REQUEST) or not URL_RULE_SERVICE.match(value):
        return ('must be an http(s) URL with a dotted host name or an IPv4 address (DocSpace refuses '
                'localhost, single-label hosts, %-escapes and spaces here)')
    if len(value.encode('utf-8')) > TEXT_MAX:
        return 'must be at most %d bytes long' % TEXT_MAX
    return None


def _check_list_url(value):
    if not value.strip() or not _URI_RE.match(value):
        return 'must be a valid URI'
    try:
        parts = urlsplit(value)
    except ValueError:  # an unclosed IPv6 bracket
        return 'must be a valid URI'
    if parts.scheme not in ('http', 'https', 'claude'):
        return 'must use the http, https or claude scheme'
    if parts.scheme != 'claude' and not parts.netloc:
        return 'must name a host'
    if len(value.encode('utf-8')) > TEXT_MAX:
        return 'must be at most %d bytes long' % TEXT_MAX
    return None


def _check_list(values, item_check, most=LIST_MAX):
    # The server reads each list into a Java Set, so @Size counts distinct items; scopes have no @Size
    # at all (RA/transfer/CreateClientRequest.java), only @NotEmpty.
    distinct = len(set(v for v in values if isinstance(v, str)))
    if most is not None and not LIST_MIN <= distinct <= most:
        return 'must hold %d to %d different items (got %d)' % (LIST_MIN, most, distinct)
    for item in values:
        problem = item_check(item)
        if problem:
            return 'item %r %s' % (item, problem)
    return None


def _check_scope(value):
    if not isinstance(value, str) or not _SCOPE_RE.match(value):
        return SCOPE_RULE
    return None


CHECKS = {
    'name': _check_name,
    'description': _check_description,
    'logo': _check_logo,
    'url': _check_url,
    'urls': lambda v: _check_list(v, _check_list_url),
    'scopes': lambda v: _check_list(v, _check_scope, most=None) if v else 'must hold at least one scope',
    'bool': lambda v: None,
}


@functools.lru_cache(maxsize=4096)
def _remembered(kind, value):
    return CHECKS[kind](value)


def _rule_broken(kind, value):
    """CHECKS[kind](value), remembered: the items of a set repeat their URLs, scopes and logo."""
    try:
        return _remembered(kind, tuple(value) if isinstance(value, list) else value)
    except TypeError:  # unhashable, so not from an argument spec: checked as it is
        return CHECKS[kind](value)


def validate(params):
    """Every rule broken by the options the user set, as 'option: rule' messages."""
    problems = []
    for field in FIELDS:
        value = params.get(field.option)
        if value is None:
            continue
        problem = _rule_broken(field.kind, value)
        if problem:
            problems.append('%s %s' % (field.option, problem))
    return problems


def missing_for_create(params):
    return [f.option for f in FIELDS if f.required and params.get(f.option) is None]


def logo_from_file(path):
    """A data URI for a png, jpeg or svg file; raises ValueError with the rule it breaks."""
    if not os.path.isfile(path):  # a fifo would block the task for ever
        raise ValueError('must be a regular file')
    with open(path, 'rb') as handle:
        data = handle.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValueError('must be at most %d bytes' % LOGO_MAX_BYTES)
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        mime = 'image/png'
    elif data.startswith(b'\xff\xd8\xff'):
        mime = 'image/jpeg'
    elif b'<svg' in data[:4096]:
        mime = 'image/svg+xml'
    else:
        raise ValueError('must be a PNG, JPEG or SVG image')
    return 'data:%s;base64,%s' % (mime, base64.b64encode(data).decode('ascii'))


def logo_from_option(params):
    """params['logo'] from the file params['logo_path'] names, when it does: None, or what is wrong."""
    if not params.get('logo_path'):
        return None
    try:
        params['logo'] = logo_from_file(params['logo_path'])
    except (IOError, OSError, ValueError) as exc:
        return 'logo_path %s: %s.' % (params['logo_path'], exc)
    return None


# ----- the client as compared ----------------------------------------------------------
def _normaliser(kind):
    """How a value of this kind compares (None: as it is)."""
    if kind == 'urls' or kind == 'scopes':
        return lambda value: sorted(set(value or []))  # Java Sets on the server: order is not kept
    if kind == 'bool':
        return bool
    if kind == 'description':
        return lambda value: value or ''
    return None


_NORMALISERS = dict((field.option, _normaliser(field.kind)) for field in FIELDS)


def _norm(field, value):
    norm = _NORMALISERS[field.option]
    return value if norm is None else norm(value)


# (option, normaliser, default as compared) of each field, for desired(). The defaults are str and bool:
# one object shared by every state is safe.
_WANTED = tuple((f.option, _NORMALISERS[f.option], None if f.default is None else _norm(f, f.default))
                for f in FIELDS)


# Where a server client carries each option (its key there), and how the option reads from it, as it is
# (as_options) and normalised (from_server); one table, computed once: a set compares thousands of clients.
_SERVER_KEY = {'logout_redirect_uri': 'logout_redirect_uris', 'allow_pkce': 'authentication_methods',
               'enabled': 'enabled'}


def _read_as_it_is(option, key):
    if option == 'logout_redirect_uri':
        return lambda client: ','.join(client.get(key) or [])
    if option == 'allow_pkce':
        return lambda client: 'none' in (client.get(key) or [])
    if option == 'enabled':
        return lambda client: client.get(key, True)
    return operator.methodcaller('get', key)


def _reader(field):
    key = _SERVER_KEY.get(field.option, field.api)
    read = _read_as_it_is(field.option, key)
    norm = _NORMALISERS[field.option]
    return key, read, (read if norm is None else lambda client: norm(read(client)))


_COLUMNS = tuple((field,) + _reader(field) for field in FIELDS)
_NORMALISED = tuple((field.option, normal) for field, key, read, normal in _COLUMNS)
_AS_IT_IS = tuple((field.option, key, read) for field, key, read, normal in _COLUMNS)


def from_server(client):
    """The managed fields of a server ClientResponse, by option name, normalised."""
    return {option: read(client) for option, read in _NORMALISED}


def desired(params, current=None):
    """The state asked for: the options the user set over the current state (or defaults)."""
    state = {}
    for option, norm, default in _WANTED:
        value = params.get(option)
        if value is None:
            value = default if current is None else current[option]
        elif norm is not None:
            value = norm(value)
        state[option] = value
    return state


def differences(current, wanted):
    """Option names whose wanted value differs, grouped by how they can change."""
    out = {UPDATE: [], CREATE: [], LISTS: [], ACTIVATION: []}
    for field in FIELDS:
        if current[field.option] != wanted[field.option]:
            out[field.mutability].append(field.option)
    return out


def app_fields(state):
    """The fields that make an app what it is (all but enabled): two clients equal in these are copies."""
    return dict((f.option, state[f.option]) for f in FIELDS if f.mutability != ACTIVATION)


def post_body(state):
    body = dict((f.api, state[f.option]) for f in FIELDS if f.mutability != ACTIVATION)
    if not body.get('description'):
        body.pop('description', None)
    return body


def put_body(state, lists_from=None):
    """The full PUT body: PUT replaces, so every updatable field is sent (an omitted
    allow_pkce would turn PKCE off). redirect_uris and scopes are ignored by v3.7.x and
    required by newer servers, so they are always sent (from ``lists_from`` when given)."""
    body = dict((f.api, state[f.option]) for f in FIELDS if f.mutability == UPDATE)
    lists = lists_from if lists_from is not None else state
    for field in FIELDS:
        if field.mutability == LISTS:
            body[field.api] = lists[field.option]
    return body


def for_diff(state):
    """A copy fit for --diff: the logo is summarised (it can be 256 KB of base64)."""
    if not state:
        return {}
    out = dict(state)
    if out.get('logo'):
        digest = hashlib.sha256(out['logo'].encode('utf-8')).hexdigest()[:16]
        out['logo'] = '%s... (%d characters, sha256 %s)' % (out['logo'][:30], len(out['logo']), digest)
    return out


# Who made and changed a client, and when: kept apart from a returned client, which holds only options.
AUDIT = ('created_on', 'created_by', 'modified_on', 'modified_by')


def as_options(client):
    """A server client (any view) as the modules' options, nothing else, so that a returned client
    pastes back as a task: logout_redirect_uri a string, allow_pkce a bool, client_id to find it.
    Fields the view lacks are left out; so are the secret and what only repeats an option
    (authentication_methods, is_public, the tenant) or says who changed it (see ``audit``)."""
    if not client:
        return {}
    out = {'client_id': client['client_id']} if 'client_id' in client else {}
    for option, key, read in _AS_IT_IS:
        if key in client:
            value = read(client)
            out[option] = list(value) if isinstance(value, list) else value
    return out


def audit(client):
    """Who created and last changed a server client, and when (the fields a view carries)."""
    return dict((k, client[k]) for k in AUDIT if k in client)
