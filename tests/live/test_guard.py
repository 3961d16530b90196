# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live guard in front of the emulator playing the portal, started as `make test-live` starts it."""

import base64
import copy
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import quote, unquote

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
GUARD = os.path.join(HERE, 'guard.py')
sys.path.insert(0, os.path.join(HERE, '..', 'emulator'))
sys.path.insert(0, HERE)
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position
import guard as live_guard  # noqa: E402  pylint: disable=wrong-import-position

ADMIN_KEY = 'sk-live-admin-key'
LOGO = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n' + b'x' * 40).decode()
APP = {
    'name': 'Reporting', 'description': 'reports', 'logo': LOGO,
    'website_url': 'https://app.example.com', 'terms_url': 'https://app.example.com/terms',
    'policy_url': 'https://app.example.com/privacy', 'logout_redirect_uri': 'https://app.example.com/logout',
    'redirect_uris': ['https://app.example.com/cb'], 'allowed_origins': ['https://app.example.com'],
    'scopes': ['files:read', 'openid'],
}
REFUSED = 'was not created by this run'


def update_body(name):
    return {'name': name, 'description': 'changed', 'logo': LOGO, 'allowed_origins': ['https://app.example.com'],
            'allow_pkce': False}


class Portal(object):
    """The emulator, reached directly: what the guard forwards to, and a way round the guard."""

    def __init__(self, emulator, url):
        self.emulator, self.url = emulator, url
        self.http = requests.Session()
        self._jwt = {}

    def key(self, role='admin'):
        return self.emulator.credentials()[role]['api_key']

    def jwt(self, role='admin'):
        if role not in self._jwt:
            resp = self.http.get(self.url + '/api/2.0/security/oauth2/token',
                                 headers={'Authorization': 'Bearer ' + self.key(role)})
            self._jwt[role] = resp.json()['response']
        return self._jwt[role]

    def direct(self, method, path, role='admin', body=None):
        return self.http.request(method, self.url + path, json=body, headers={'x-signature': self.jwt(role)},
                                 timeout=10)

    def foreign(self, name='Somebody else', role='admin'):
        resp = self.direct('POST', '/api/2.0/clients', role, dict(APP, name=name))
        assert resp.status_code == 201
        return resp.json()['client_id']

    def log(self):
        with self.emulator.lock:
            return list(self.emulator.requests)

    def clear_log(self):
        with self.emulator.lock:
            self.emulator.requests = []


class Guard(object):
    """guard.py serve as a subprocess, and requests through it."""

    def __init__(self, portal, state):
        self.portal, self.state = portal, str(state)
        self.out_path, self.err_path = os.path.join(self.state, 'out.txt'), os.path.join(self.state, 'err.txt')
        os.makedirs(self.state, exist_ok=True)
        with open(self.out_path, 'wb') as out, open(self.err_path, 'wb') as err:
            self.proc = subprocess.Popen(
                [sys.executable, GUARD, 'serve', '--portal', portal.url, '--state', self.state, '--port', '0'],
                stdout=out, stderr=err, env=dict(os.environ, DOCSPACE_API_KEY=ADMIN_KEY))
        info_path = os.path.join(self.state, 'guard.json')
        for dummy in range(200):
            if os.path.exists(info_path):
                break
            assert self.proc.poll() is None, self.output()
            time.sleep(0.05)
        with open(info_path, encoding='utf-8') as handle:
            self.info = json.load(handle)
        self.url, self.prefix = self.info['url'], self.info['prefix']
        self.http = requests.Session()

    def call(self, method, path, role='admin', body=None, headers=None, raw=None):
        headers = dict(headers or {})
        if role:
            headers.setdefault('x-signature', self.portal.jwt(role))
        if raw is not None:
            headers.setdefault('Content-Type', 'application/json')
        return self.http.request(method, self.url + path, json=body, data=raw, headers=headers, timeout=30,
                                 allow_redirects=False)

    def create(self, name, path='/api/2.0/clients', role='admin'):
        resp = self.call('POST', path, role, dict(APP, name=name))
        assert resp.status_code == 201, resp.text
        return resp.json()

    def control(self, method, name, body=None):
        return self.http.request(method, self.url + '/__emulator__/' + name, json=body, timeout=30)

    def owned_file(self):
        with open(os.path.join(self.state, 'owned.json'), encoding='utf-8') as handle:
            return json.load(handle)

    def output(self):
        text = ''
        for path in (self.out_path, self.err_path):
            with open(path, encoding='utf-8', errors='replace') as handle:
                text += handle.read()
        return text

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def portal():
    emulator = emu.Emulator(admin_api_key=ADMIN_KEY)
    with emu.running(emulator) as url:
        yield Portal(emulator, url)


@pytest.fixture
def guard(portal, tmp_path):
    started = Guard(portal, tmp_path / 'state')
    yield started
    started.stop()


def run_cleanup(portal, state, key=ADMIN_KEY):
    env = dict(os.environ, DOCSPACE_API_KEY=key)
    done = subprocess.run([sys.executable, GUARD, 'cleanup', '--portal', portal.url, '--state', str(state)],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def non_get_paths(log):
    return [e['path'] for e in log if e['method'] != 'GET']


def touches(path, ids):
    """Whether a logged path names one of ids, in any spelling UUID.fromString accepts."""
    return any(emu.java_uuid(seg.split(';')[0]) in ids for seg in path.split('/') if seg)


# ----- 1. the run's own client ------------------------------------------------------------
def test_own_client_round_trip_carries_the_prefix_only_on_the_portal(portal, guard):
    client = guard.create('Reporting')
    cid, secret = client['client_id'], client['client_secret']
    assert client['name'] == 'Reporting'
    assert portal.emulator.clients[cid]['name'] == guard.prefix + 'Reporting'
    assert guard.owned_file() == [cid]  # persisted before the answer came back

    got = guard.call('GET', '/api/2.0/clients/' + cid).json()
    assert got['name'] == 'Reporting' and got['client_secret'] == secret
    foreign = portal.foreign()
    listed = guard.call('GET', '/api/2.0/clients').json()['data']
    assert [(c['client_id'], c['name']) for c in listed] == [(cid, 'Reporting')]

    resp = guard.call('PUT', '/api/2.0/oauth2/clients/' + cid, body=update_body('Renamed'))
    assert resp.status_code == 200
    assert portal.emulator.clients[cid]['name'] == guard.prefix + 'Renamed'
    assert guard.call('GET', '/api/2.0/clients/%s/info' % cid).json()['name'] == 'Renamed'

    new = guard.call('PATCH', '/api/2.0/clients/%s/regenerate' % cid).json()['client_secret']
    assert new != secret and portal.emulator.clients[cid]['client_secret'] == new
    assert guard.call('PATCH', '/api/2.0/clients/%s/activation' % cid, body={'status': False}).status_code == 200
    assert portal.emulator.clients[cid]['enabled'] is False
    assert guard.call('DELETE', '/api/2.0/clients/%s/revoke' % cid).status_code == 200
    assert guard.call('DELETE', '/api/2.0/clients/' + cid).status_code == 200
    assert set(portal.emulator.clients) == {foreign}

    state = guard.control('GET', 'guard').json()
    assert state == {'prefix': guard.prefix, 'owned': [], 'violations': [], 'created': 1, 'deleted': 1, 'waited_429': 0}


def test_names_the_prefix_cannot_carry_and_names_the_portal_refuses(portal, guard):
    room = 255 - len(guard.prefix)
    portal.jwt()
    portal.clear_log()
    too_long = guard.call('POST', '/api/2.0/clients', body=dict(APP, name='x' * (room + 1)))
    assert too_long.status_code == 422 and too_long.headers['X-Live-Guard'] == 'not-sent'
    assert too_long.json() == {'error': 'live guard: name too long to carry the run prefix'}
    assert portal.log() == []  # not sent
    assert guard.create('y' * room)['name'] == 'y' * room
    # A name the portal refuses on its own goes unprefixed, so that its 400 comes back (not a prefixed 201).
    for name in ('', 'ab', '   '):
        resp = guard.call('POST', '/api/2.0/clients', body=dict(APP, name=name))
        assert resp.status_code == 400 and resp.json()['errors'][0]['field'] == 'name', name
    # A number is a String to Jackson: it is prefixed too.
    numbered = guard.create(12345)
    assert portal.emulator.clients[numbered['client_id']]['name'] == guard.prefix + '12345'
    assert numbered['name'] == '12345'
    # The prefix is taken out of error texts as well.
    resp = guard.call('GET', '/api/2.0/clients/' + quote(guard.prefix + 'x'))
    assert resp.status_code == 404
    assert resp.json()['detail'] == 'Client with id x was not found. Invalid client id format'


def test_headers_and_portal_errors_come_back_as_they_are_and_a_redirect_never(portal, guard):
    portal.emulator.rate_limit = True
    resp = guard.call('GET', '/api/2.0/clients')
    assert resp.status_code == 200 and resp.headers['X-Ratelimit-Remaining'] == '199'
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients', 'action': 'redirect',
                                   'location': 'https://elsewhere.example/login', 'count': 1})
    resp = guard.call('GET', '/api/2.0/clients')  # followed, it would reach the portal past the guard
    assert resp.status_code == 502 and 'Location' not in resp.headers and resp.headers['X-Live-Guard'] == 'redirect'
    resp = guard.call('GET', '/api/2.0/clients', role=None)
    assert resp.status_code == 403 and resp.content == b''  # the portal's empty 403, not the guard's
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/scopes', 'action': 'drop', 'count': 1})
    resp = guard.call('GET', '/api/2.0/scopes')
    assert resp.status_code == 502 and resp.headers['X-Live-Guard'] == 'portal-unreachable'
    assert guard.control('GET', 'requests').json()[-1] == {'method': 'GET', 'path': '/api/2.0/scopes',
                                                           'query': '', 'status': None}


def test_client_ids_are_read_as_uuid_fromstring_reads_them():
    for text in ('0-0-0-0-0', '+1-2-3-4-5', 'ABCDEF01-2345-6789-abcd-ef0123456789', 'not-a-uuid', '',
                 '1-2-3-4', '1-2-3-4-5-6', 'g-0-0-0-0', '8000000000000000-0-0-0-0', str(uuid.uuid4())):
        assert live_guard.java_uuid(text) == emu.java_uuid(text), text


# ----- 2. a client the run did not create -------------------------------------------------
def foreign_writes(fid):
    body = update_body('Hijacked')
    return [('PUT', '/api/2.0/clients/' + fid, body), ('PUT', '/api/2.0/oauth2/clients/' + fid, body),
            ('PATCH', '/api/2.0/clients/%s/activation' % fid, {'status': False}),
            ('PATCH', '/api/2.0/oauth2/clients/%s/regenerate' % fid, None),
            ('DELETE', '/api/2.0/clients/' + fid, None), ('DELETE', '/api/2.0/oauth2/clients/%s/revoke' % fid, None),
            ('DELETE', '/api/2.0/clients/' + fid.upper(), None),
            ('DELETE', '/api/2.0/clients/%s;jsessionid=1' % fid, None),
            ('DELETE', '/api/2.0//clients/%s/' % ''.join('%%%02x' % ord(c) for c in fid), None),
            ('POST', '/api/2.0/clients/' + fid, None)]


def test_a_foreign_client_is_invisible_and_every_write_on_it_is_refused(portal, guard):
    fid = portal.foreign()
    user_fid = portal.foreign('A user app', role='user')
    mine = guard.create('Mine')['client_id']
    before = copy.deepcopy(portal.emulator.clients)
    portal.clear_log()
    for path in ('/api/2.0/clients', '/api/2.0/oauth2/clients?limit=50', '/api/2.0/clients/info?limit=50'):
        ids = [c['client_id'] for c in guard.call('GET', path).json()['data']]
        assert ids == [mine], path

    writes = foreign_writes(fid) + foreign_writes(user_fid)
    for method, path, body in writes:
        resp = guard.call(method, path, body=body)
        assert resp.status_code == 403 and resp.headers.get('X-Live-Guard') == 'refused', (method, path)
        assert resp.json()['error'].startswith('live guard: client ') and REFUSED in resp.json()['error']
    # Its owner's request is refused as well: the guard protects what the run did not create.
    resp = guard.call('DELETE', '/api/2.0/clients/' + user_fid, role='user')
    assert resp.status_code == 403 and resp.headers['X-Live-Guard'] == 'refused'
    # An expired or bad signature cannot tell the guard the client exists; the admin's lookup can.
    resp = guard.call('DELETE', '/api/2.0/clients/' + fid, headers={'x-signature': 'bad'})
    assert resp.status_code == 403 and resp.headers['X-Live-Guard'] == 'refused'
    collection = [('DELETE', '/api/2.0/clients'), ('DELETE', '/api/2.0/oauth2/clients/'),
                  ('DELETE', '/api/2.0/clients;x=1'), ('DELETE', '/api/2.0/clients/tenant'),
                  ('DELETE', '/api/2.0/oauth2/clients/TENANT'), ('PUT', '/api/2.0/clients'),
                  ('DELETE', '/api/2.0/clients/../clients/tenant'), ('POST', '/api/2.0/people')]
    for method, path in collection:
        resp = guard.call(method, path)
        assert resp.status_code == 403 and resp.headers.get('X-Live-Guard') == 'refused', path
        assert 'does not name one client of this run' in resp.json()['error']

    assert portal.emulator.clients == before
    assert non_get_paths(portal.log()) == []
    violations = guard.control('GET', 'guard').json()['violations']
    assert len(violations) == len(writes) + 2 + len(collection)
    assert violations[0] == {'method': 'PUT', 'path': '/api/2.0/clients/' + fid, 'client_id': fid,
                             'reason': 'not created by this run'}
    assert all(v['client_id'] for v in violations[:-len(collection)])
    assert [v['client_id'] for v in violations[-len(collection):]] == [None] * len(collection)


def test_writes_that_cannot_touch_anything_are_forwarded(portal, guard):
    missing = str(uuid.uuid4())
    resp = guard.call('PUT', '/api/2.0/clients/' + missing, body=update_body('Nobody'))
    assert resp.status_code == 404 and 'X-Live-Guard' not in resp.headers
    assert resp.json()['detail'] == 'Client with id %s for tenant 1 was not found' % missing
    assert guard.call('DELETE', '/api/2.0/oauth2/clients/' + missing).status_code == 404
    resp = guard.call('PATCH', '/api/2.0/clients/not-a-uuid/regenerate')
    assert resp.status_code == 404 and 'Invalid client id format' in resp.json()['detail']
    resp = guard.call('DELETE', '/api/2.0/clients/%20')
    assert resp.status_code == 400 and resp.json()['errors'][0]['field'] == 'client_id'
    # A bad signature on a missing id: the portal's own empty 403.
    resp = guard.call('DELETE', '/api/2.0/clients/' + missing, headers={'x-signature': 'bad'})
    assert resp.status_code == 403 and resp.content == b'' and 'X-Live-Guard' not in resp.headers
    assert [(e['method'], e['status']) for e in guard.control('GET', 'requests').json()] == [
        ('PUT', 404), ('DELETE', 404), ('PATCH', 404), ('DELETE', 400), ('DELETE', 403)]
    assert guard.control('GET', 'guard').json()['violations'] == []


# ----- 3. random schedules ------------------------------------------------------------------
ODD_NAMES = ['', 'ab', '   ', 'x' * 300, 'y' * 250, 'ctl\x00\x01\x1f\x7f', 'tab\tnew\nline', u'naïve ✓ 名前 🚀',
             u'\u2028sep', 'normal name', None, 12345, True, {'nested': 1}, 'live- not mine']


def id_variant(rng, cid):
    """Another spelling of cid that UUID.fromString reads as the same id."""
    parts = [p.lstrip('0') or '0' for p in cid.split('-')]
    text = rng.choice(['-'.join(parts), cid.upper(), ''.join('%%%02X' % ord(c) for c in cid), cid + ';v=1'])
    if rng.random() < 0.3 and len('-'.join(parts)) < 36:
        text = '+' + '-'.join(parts)
    assert emu.java_uuid(unquote(text).split(';')[0]) == cid
    return text


def random_request(rng, owned, foreign):
    """(method, path, body, role, kind of id, id)."""
    pool = rng.choice(['owned', 'foreign', 'foreign', 'variant', 'missing', 'malformed'])
    if pool == 'owned' and not owned:
        pool = 'missing'
    cid = {'owned': lambda: rng.choice(owned), 'foreign': lambda: rng.choice(foreign),
           'variant': lambda: id_variant(rng, rng.choice(foreign)), 'missing': lambda: str(uuid.uuid4()),
           'malformed': lambda: rng.choice(['not-a-uuid', '0-0-0-0-0', 'x' * 40, '%20', 'tenant-x', '-'])}[pool]()
    base = rng.choice(['/api/2.0/clients', '/api/2.0/oauth2/clients'])
    name = rng.choice(ODD_NAMES)
    method, path, body = rng.choice([
        ('POST', base, dict(APP, name=name)), ('GET', base + '?limit=%d' % rng.randint(1, 50), None),
        ('GET', base + '/' + cid, None), ('GET', base + '/info?limit=50', None),
        ('PUT', base + '/' + cid, update_body(name)), ('PATCH', base + '/%s/activation' % cid, {'status': False}),
        ('PATCH', base + '/%s/regenerate' % cid, None), ('DELETE', base + '/' + cid, None),
        ('DELETE', base + '/%s/revoke' % cid, None), ('DELETE', base, None), ('DELETE', base + '/tenant', None),
        ('POST', base + '/' + cid, None)])
    role = rng.choice(['admin', 'admin', 'admin', 'user', None])
    return method, path, body, role, pool, cid


def test_random_schedules_never_touch_a_foreign_client(portal, guard):
    seen = {portal.key(r) for r in ('admin', 'user', 'guest')}
    for seed in range(20):
        rng = random.Random(seed)
        portal.emulator.reset()
        foreign = [portal.foreign('Foreign %d' % seed), portal.foreign(guard.prefix[:-1] + 'x', role='user')]
        before = copy.deepcopy(portal.emulator.clients)
        portal.clear_log()
        owned = []
        for step in range(40):
            method, path, body, role, pool, cid = random_request(rng, owned, foreign)
            where = 'seed %d step %d: %s %s (%s)' % (seed, step, method, path, pool)
            resp = guard.call(method, path, role=role, body=body)
            assert 'internal error' not in resp.text, where
            assert guard.prefix not in resp.text, where
            collection = method == 'DELETE' and path.endswith(('/clients', '/tenant'))
            if method != 'GET' and (pool in ('foreign', 'variant') and cid in path or collection):
                assert resp.status_code == 403 and resp.headers.get('X-Live-Guard') == 'refused', where
            if method == 'GET' and '?' in path and resp.status_code == 200:
                assert not set(foreign) & {c['client_id'] for c in resp.json()['data']}, where
            for value in re.findall(r'"(?:client_secret)": "([A-Za-z0-9]{36})"', resp.text):
                seen.add(value)
            if method == 'POST' and resp.status_code == 201:
                owned.append(resp.json()['client_id'])
            if method == 'DELETE' and resp.status_code == 200 and pool == 'owned' and path.endswith(cid):
                owned.remove(cid)
        assert all(portal.emulator.clients.get(f) == before[f] for f in foreign), seed
        assert not [p for p in non_get_paths(portal.log()) if touches(p, set(foreign))], seed
        collection_deletes = [e for e in portal.log()
                              if e['method'] == 'DELETE' and re.search(r'/clients/?$|/tenant$', e['path'])]
        assert not collection_deletes, seed
        assert guard.proc.poll() is None and guard.control('GET', 'guard').status_code == 200, seed
    seen |= {portal.jwt(r) for r in ('admin', 'user')}
    text = guard.output() + guard.control('GET', 'guard').text + guard.control('GET', 'requests').text
    assert not [s for s in seen if s in text]
    issued = portal.emulator.issued['client_secret'] | portal.emulator.issued['jwt']
    assert not [w for w in re.findall(r'[A-Za-z0-9._-]{20,}', text) if hashlib.sha256(w.encode()).hexdigest() in issued]


# ----- 4. cleanup -----------------------------------------------------------------------------
@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_guard_and_deletes_the_run_s_clients(portal, tmp_path, signum):
    guard = Guard(portal, tmp_path / 'state')
    try:
        guard.create('One')
        guard.create('Two', path='/api/2.0/oauth2/clients')
        fid = portal.foreign(name=guard.prefix[:-1])  # close to the prefix, but not it
        before = copy.deepcopy(portal.emulator.clients[fid])
        portal.clear_log()
        guard.proc.send_signal(signum)
        assert guard.proc.wait(20) == 0
        assert list(portal.emulator.clients) == [fid] and portal.emulator.clients[fid] == before
        assert not [p for p in non_get_paths(portal.log()) if touches(p, {fid})]
        assert 'cleanup {"deleted": 2, "left": [], "foreign_touched": 0}' in guard.output()
    finally:
        guard.stop()


def test_a_signal_while_creates_are_in_flight_leaves_none_of_them(portal, tmp_path):
    guard = Guard(portal, tmp_path / 'state')
    fid = portal.foreign()
    jwt, answers = portal.jwt(), []
    portal.emulator.latency = 0.2  # so that creates are still in flight when the signal comes

    def creator(n):
        session = requests.Session()  # keep-alive: the connection outlives the guard's accept loop
        for i in range(6):
            try:
                answers.append(session.post(guard.url + '/api/2.0/clients', json=dict(APP, name='Busy %d %d' % (n, i)),
                                            headers={'x-signature': jwt}, timeout=20).status_code)
            except requests.RequestException:
                answers.append(None)
    try:
        threads = [threading.Thread(target=creator, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        guard.proc.send_signal(signal.SIGINT)
        for thread in threads:
            thread.join(30)
        assert guard.proc.wait(30) == 0
    finally:
        guard.stop()
    assert answers.count(201) >= 3 and len(answers) > answers.count(201)  # some landed, some came too late
    assert list(portal.emulator.clients) == [fid]


def test_cleanup_after_kill_9_deletes_owned_and_lost_clients(portal, tmp_path):
    guard = Guard(portal, tmp_path / 'state')
    try:
        kept = guard.create('Kept')['client_id']
        gone = guard.create('Gone already')['client_id']
        lost = portal.foreign(name=guard.prefix + 'answer lost')  # created with the prefix, answer never came
        fid = portal.foreign()
        assert portal.direct('DELETE', '/api/2.0/clients/' + gone).status_code == 200
        assert guard.owned_file() == [kept, gone]
        before = copy.deepcopy(portal.emulator.clients[fid])
        guard.proc.kill()
        guard.proc.wait()
    finally:
        guard.stop()
    portal.clear_log()
    code, out, err = run_cleanup(portal, guard.state)
    assert code == 0, err
    assert json.loads(out) == {'deleted': 2, 'left': [], 'foreign_touched': 0} and out.count('\n') == 1
    assert list(portal.emulator.clients) == [fid] and portal.emulator.clients[fid] == before
    assert sorted(non_get_paths(portal.log())) == sorted('/api/2.0/clients/' + c for c in (kept, lost))
    # Run again: nothing left, nothing deleted, still exit 0.
    code, out, err = run_cleanup(portal, guard.state)
    assert code == 0 and json.loads(out)['deleted'] == 0


def test_cleanup_pages_through_the_listing_and_needs_no_owned_json(portal, tmp_path):
    admin = portal.emulator.credentials()['admin']
    caller = {'id': admin['user_id'], 'role': 'ADMIN', 'tenant': 1, 'email': admin['user_name']}
    with portal.emulator.lock:  # in-process: 60 clients of a run and one of someone else, without 61 POSTs
        for n in range(60):
            portal.emulator.create(caller, dict(APP, name='live-abcdef %d' % n), '/api/2.0/clients')
        portal.emulator.create(caller, dict(APP, name='live-abcdef0 not the run'), '/api/2.0/clients')
    (tmp_path / 'guard.json').write_text(json.dumps({'url': 'http://127.0.0.1:9', 'prefix': 'live-abcdef ',
                                                     'pid': 1, 'portal': portal.url}))
    code, out, err = run_cleanup(portal, tmp_path)
    assert code == 0, err
    assert json.loads(out) == {'deleted': 60, 'left': [], 'foreign_touched': 0}
    assert [c['name'] for c in portal.emulator.clients.values()] == ['live-abcdef0 not the run']


def spend_the_delete_budget(portal):
    """The admin's DELETEs of this minute used up, in a window that ends in about 2 s instead of 60."""
    for dummy in range(20):
        if portal.direct('DELETE', '/api/2.0/clients/' + str(uuid.uuid4())).status_code == 429:
            break
    else:
        pytest.fail('the emulator never answered 429')
    admin = portal.emulator.credentials()['admin']['user_id']
    with portal.emulator.lock:
        dummy, used = portal.emulator.buckets[(admin, 'DELETE')]
        portal.emulator.buckets[(admin, 'DELETE')] = (time.time() - 58, used)


def test_cleanup_waits_out_a_429(portal, tmp_path):
    assert requests.post(portal.url + '/__emulator__/config', json={'rate_limit': True}).status_code == 200
    guard = Guard(portal, tmp_path / 'state')
    try:
        cid = guard.create('Limited')['client_id']
        guard.proc.kill()
        guard.proc.wait()
    finally:
        guard.stop()
    spend_the_delete_budget(portal)
    portal.clear_log()
    started = time.time()
    code, out, err = run_cleanup(portal, guard.state)
    assert code == 0, err
    assert json.loads(out) == {'deleted': 1, 'left': [], 'foreign_touched': 0}
    assert 1.0 <= time.time() - started < 20
    deletes = [e['status'] for e in portal.log() if e['method'] == 'DELETE']
    assert deletes[0] == 429 and deletes[-1] == 200 and cid not in portal.emulator.clients


# ----- 5. control endpoints -------------------------------------------------------------------
def test_a_429_is_waited_out_and_the_request_sent_again(portal, guard):
    """A raw request of a test (the modules pace themselves) meets the portal's rate limit: the guard waits
    for the window and sends it again, so the test gets the answer, and the 429 counts."""
    portal.emulator.rate_limit = True
    spend_the_delete_budget(portal)
    cid = guard.create('Limited')['client_id']
    started = time.time()
    resp = guard.call('DELETE', '/api/2.0/clients/' + cid)
    assert resp.status_code == 200 and 1.0 <= time.time() - started < 20
    assert cid not in portal.emulator.clients
    assert guard.control('GET', 'guard').json()['waited_429'] == 1


def test_request_log_has_the_emulator_s_shape(portal, guard):
    token = guard.call('GET', '/api/2.0/security/oauth2/token', role=None,
                       headers={'Authorization': 'Bearer ' + portal.key()})
    assert token.status_code == 200 and token.json()['response'].count('.') == 2
    guard.call('POST', '/api/2.0/clients', body=APP, headers={'x-signature': token.json()['response']})
    guard.call('GET', '/api/2.0/clients?limit=5')
    expected = [{'method': 'GET', 'path': '/api/2.0/security/oauth2/token', 'query': '', 'status': 200},
                {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 201},
                {'method': 'GET', 'path': '/api/2.0/clients', 'query': 'limit=5', 'status': 200}]
    assert guard.control('GET', 'requests').json() == expected
    assert all(entry in portal.log() for entry in expected)
    assert guard.control('DELETE', 'requests').json() == []
    assert guard.control('GET', 'requests').json() == []


def test_issued_lists_what_the_guard_saw_handed_out_as_hashes(portal, guard):
    def sha(value):
        return hashlib.sha256(value.encode()).hexdigest()
    admin = portal.emulator.credentials()['admin']
    login = guard.call('POST', '/api/2.0/authentication', role=None,
                       body={'userName': admin['user_name'], 'password': admin['password']}).json()['response']['token']
    jwt = guard.call('GET', '/api/2.0/security/oauth2/token', role=None,
                     headers={'Authorization': login}).json()['response']
    created = guard.create('Secretive')
    regenerated = guard.call('PATCH', '/api/2.0/clients/%s/regenerate' % created['client_id']).json()
    guard.call('GET', '/api/2.0/clients')  # list items carry ciphertext: not a secret handed out
    lost = portal.direct('POST', '/api/2.0/clients', body=dict(APP, name=guard.prefix + 'Lost')).json()
    assert len(guard.control('GET', 'clients').json()) == 2  # reads the lost one's secret too
    issued = guard.control('GET', 'issued').json()
    assert issued['login_token'] == [sha(login)]
    assert sha(jwt) in issued['jwt'] and set(issued['jwt']) <= portal.emulator.issued['jwt']
    assert sorted(issued['client_secret']) == sorted(sha(s) for s in (
        created['client_secret'], regenerated['client_secret'], lost['client_secret']))
    assert sorted(issued) == ['client_secret', 'jwt', 'login_token']
    assert all(re.fullmatch('[0-9a-f]{64}', h) for v in issued.values() for h in v)  # hashes only


def test_clients_view_and_reset_see_only_the_run_s_clients(portal, guard):
    first = guard.create('First')
    second = guard.create('Second')
    lost = portal.foreign(name=guard.prefix + 'Lost')
    fid = portal.foreign()
    before = copy.deepcopy(portal.emulator.clients[fid])
    rows = guard.control('GET', 'clients').json()
    assert [r['name'] for r in rows] == ['First', 'Second', 'Lost']
    assert rows[0]['secret_sha256'] == hashlib.sha256(first['client_secret'].encode()).hexdigest()
    assert rows[1]['client_id'] == second['client_id'] and all('client_secret' not in r for r in rows)
    assert [r['created_on'] for r in rows] == sorted(r['created_on'] for r in rows)

    assert guard.control('POST', 'reset').json() == {'reset': True}
    assert list(portal.emulator.clients) == [fid] and portal.emulator.clients[fid] == before
    assert lost not in portal.emulator.clients
    assert guard.control('GET', 'requests').json() == []
    assert guard.control('GET', 'clients').json() == []
    state = guard.control('GET', 'guard').json()
    assert state['owned'] == [] and state['created'] == 2 and state['deleted'] == 3


@pytest.mark.parametrize('method, name', [('GET', 'faults'), ('POST', 'faults'), ('POST', 'config'),
                                          ('GET', 'users'), ('POST', 'issued'), ('POST', 'consents'),
                                          ('PUT', 'requests'), ('GET', 'nothing/at/all')])
def test_other_control_paths_are_501(portal, guard, method, name):
    portal.clear_log()
    resp = guard.control(method, name, body={'rate_limit': True, 'status': 503})
    assert resp.status_code == 501
    assert resp.json() == {'error': 'emulator only: not available on a live portal'}
    assert portal.emulator.rate_limit is False and portal.emulator.faults == [] and portal.log() == []


def test_a_prefix_already_used_on_the_portal_is_refused_before_listening(portal, tmp_path):
    fid = portal.foreign(name='Production CRM')
    env = dict(os.environ, DOCSPACE_API_KEY=ADMIN_KEY)
    done = subprocess.run([sys.executable, GUARD, 'serve', '--portal', portal.url, '--state', str(tmp_path),
                           '--prefix', 'Production '], env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2 and done.stderr.count('\n') == 1
    assert "--prefix 'Production ' is already used by 1 client(s)" in done.stderr
    assert not os.path.exists(str(tmp_path / 'guard.json')) and fid in portal.emulator.clients
    assert non_get_paths(portal.log()) == ['/api/2.0/clients']  # the test's own create only
    env['DOCSPACE_API_KEY'] = 'sk-wrong'
    done = subprocess.run([sys.executable, GUARD, 'serve', '--portal', portal.url, '--state', str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1 and 'the token exchange answered 401: check DOCSPACE_API_KEY' in done.stderr
    assert 'sk-wrong' not in done.stderr + done.stdout and 'Traceback' not in done.stderr


# ----- 6. command line ----------------------------------------------------------------------------
@pytest.mark.parametrize('command, args, key, missing', [
    ('serve', ['--portal', 'http://127.0.0.1:9', '--state', 'S'], None, 'DOCSPACE_API_KEY'),
    ('serve', ['--state', 'S'], 'k', '--portal'),
    ('serve', [], None, '--portal URL and --state DIR and DOCSPACE_API_KEY'),
    ('cleanup', ['--portal', 'http://127.0.0.1:9', '--state', 'S'], '', 'DOCSPACE_API_KEY'),
    ('serve', ['--portal', 'ftp://x', '--state', 'S'], 'k', '--portal must be an http(s) URL'),
    ('cleanup', ['--portal', 'https://me:pw@x', '--state', 'S'], 'k', '--portal must not carry credentials'),
    ('serve', ['--portal', 'http://127.0.0.1:9', '--state', 'S', '--prefix', '  '], 'k', '--prefix'),
])
def test_missing_settings_are_one_line_and_exit_2(tmp_path, command, args, key, missing):
    env = {k: v for k, v in os.environ.items() if k != 'DOCSPACE_API_KEY'}
    if key is not None:
        env['DOCSPACE_API_KEY'] = key
    args = [str(tmp_path / 'S') if a == 'S' else a for a in args]
    done = subprocess.run([sys.executable, GUARD, command] + args, env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 2 and done.stdout == ''
    assert done.stderr.count('\n') == 1 and missing in done.stderr and 'Traceback' not in done.stderr
    assert not os.path.exists(str(tmp_path / 'S' / 'guard.json'))
