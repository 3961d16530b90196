# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an attack from the outside found in the live guard (issue 16), each pinned: a request target that is not
a path, ids in Unicode digits, dot segments, foreign clients read alone or through consents, bodies the guard
cannot read, a huge chunk, and run.sh's state folder and configuration."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote, urlsplit

import pytest
import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_guard import APP, REFUSED, Guard, guard, portal, update_body  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import


def raw_request(url, text):
    """Send ``text`` (a whole HTTP request) to the guard as it is; the status of its answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(text.encode('utf-8'))
        answer = conn.recv(65536).decode('utf-8', 'replace')
    return int(answer.split(' ', 2)[1]), answer


class _Elsewhere(BaseHTTPRequestHandler):
    hits = []

    def _any(self):
        _Elsewhere.hits.append((self.command, self.path, dict(self.headers)))
        body = json.dumps({'client_id': self.server.foreign, 'name': self.server.prefix + 'x'}).encode()
        self.send_response(201)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def test_a_target_that_is_not_a_path_goes_nowhere(portal, guard):
    """'portal;@host/...' once sent the request, with its credentials, to another host, whose answer made a
    foreign client the run's: kept and deleted by the cleanup."""
    foreign = portal.foreign()
    elsewhere = HTTPServer(('127.0.0.1', 0), _Elsewhere)
    elsewhere.foreign, elsewhere.prefix = foreign, guard.prefix
    threading.Thread(target=elsewhere.serve_forever, daemon=True).start()
    try:
        port = elsewhere.server_address[1]
        body = json.dumps(dict(APP, name='x'))
        for target in (';@127.0.0.1:%d/api/2.0/clients' % port, '@127.0.0.1:%d/x' % port,
                       'http://127.0.0.1:%d/api/2.0/clients' % port):
            status, answer = raw_request(guard.url, 'POST %s HTTP/1.1\r\nHost: x\r\nx-signature: %s\r\nAuthorization: '
                                         'Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n'
                                         'Connection: close\r\n\r\n%s' % (target, portal.jwt(), portal.key(),
                                                                          len(body), body))
            assert status == 400 and 'X-Live-Guard: not-sent' in answer, target
    finally:
        elsewhere.shutdown()
    assert _Elsewhere.hits == []
    assert guard.control('GET', 'guard').json()['owned'] == []
    assert guard.call('DELETE', '/api/2.0/clients/' + foreign).status_code == 403
    assert foreign in portal.emulator.clients


@pytest.mark.parametrize('spell', [
    lambda cid: chr(0xff10 + int(cid[0]) if cid[0].isdigit() else 0xff41 + ord(cid[0]) - ord('a')) + cid[1:],
    lambda cid: ''.join('\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669'[int(c)] if c.isdigit() else c
                        for c in cid),
])
def test_an_id_spelt_in_unicode_digits_is_refused(portal, guard, spell):
    """Java's UUID.fromString reads fullwidth and other Unicode digits: such an id names the foreign client."""
    foreign = portal.foreign()
    before = json.dumps(portal.emulator.clients[foreign], sort_keys=True)
    spelt = spell(foreign)
    assert spelt != foreign and portal.emulator.clients.get(foreign)
    portal.clear_log()
    for method, suffix, body in (('PUT', '', update_body('Hijacked')), ('PATCH', '/activation', {'status': False}),
                                 ('PATCH', '/regenerate', None), ('DELETE', '/revoke', None), ('DELETE', '', None)):
        resp = guard.call(method, '/api/2.0/clients/' + quote(spelt) + suffix, body=body)
        assert resp.status_code == 403 and resp.headers['X-Live-Guard'] == 'refused', (method, suffix, resp.text)
    assert json.dumps(portal.emulator.clients[foreign], sort_keys=True) == before
    assert [e for e in portal.log() if e['method'] != 'GET'] == []


def test_dot_segments_and_encoded_slashes_are_not_sent(portal, guard):
    """urllib3 resolves '..' before it sends, so '/api/2.0/x/../clients' was an unfiltered listing."""
    portal.foreign('Hidden App')
    portal.clear_log()
    for path in ('/api/2.0/x/../clients', '/api/2.0/oauth2/x/../clients', '/api/2.0/x/../clients/info?limit=50',
                 '/api/2.0/x/../security/oauth2/token', '/api/2.0%2Fclients', '/api/2.0/clients/%2e%2e/clients'):
        # As sent: an HTTP library would resolve the dot segments itself first.
        status, answer = raw_request(guard.url, 'GET %s HTTP/1.1\r\nHost: x\r\nx-signature: %s\r\n'
                                     'Connection: close\r\n\r\n' % (path, portal.jwt()))
        assert status == 400 and 'X-Live-Guard: not-sent' in answer, path
        assert 'Hidden App' not in answer
    assert portal.log() == []


def test_a_foreign_client_read_alone_is_hidden(portal, guard):
    """GET of one foreign client answered it, with its plain secret."""
    foreign = portal.foreign('Hidden App')
    secret = portal.emulator.clients[foreign]['client_secret']
    for path in ('/api/2.0/clients/' + foreign, '/api/2.0/clients/%s/info' % foreign,
                 '/api/2.0/oauth2/clients/' + foreign.upper()):
        resp = guard.call('GET', path)
        assert resp.status_code == 404 and resp.headers['X-Live-Guard'] == 'hidden', path
        assert secret not in resp.text and 'Hidden App' not in resp.text
    own = guard.create('Mine')['client_id']
    assert guard.call('GET', '/api/2.0/clients/' + own).json()['name'] == 'Mine'


def test_consents_show_only_the_run_s_clients(portal, guard):
    foreign = portal.foreign('Hidden App')
    own = guard.create('Mine')['client_id']
    admin = portal.emulator.credentials()['admin']['user_id']
    for cid in (foreign, own):
        assert requests.post(portal.url + '/__emulator__/consents', json={'client_id': cid, 'user_id': admin},
                             timeout=10).status_code == 200
    data = guard.call('GET', '/api/2.0/clients/consents?limit=10').json()['data']
    assert [item['registered_client_id'] for item in data] == [own]
    assert 'Hidden App' not in json.dumps(data)


@pytest.mark.parametrize('raw, content_type', [
    (json.dumps(dict(APP, name='Trailing')) + ' junk', 'application/json'),
    (json.dumps(dict(APP, name='Latin \u00e9t\u00e9')).replace('\\u00e9', '\u00e9').encode('latin-1'),
     'application/json; charset=ISO-8859-1'),
    (json.dumps(dict(APP, name='x')).replace('"x"', 'NaN'), 'application/json'),
    (json.dumps(dict(APP, name='x')).replace('"x"', '1e999'), 'application/json'),
])
def test_bodies_the_guard_cannot_read_are_not_sent(portal, guard, raw, content_type):
    """Jackson reads some bodies Python does not: sent as they were, they made clients without the prefix."""
    resp = guard.call('POST', '/api/2.0/clients', raw=raw, headers={'Content-Type': content_type})
    assert resp.status_code == 422 and resp.headers['X-Live-Guard'] == 'not-sent'
    assert portal.emulator.clients == {}


def test_a_name_is_measured_as_java_measures_it(portal, guard):
    """'😀😀' is 2 characters to Python and 4 to @Size: valid on the portal, so it must carry the prefix."""
    created = guard.create('\U0001f600\U0001f600')
    assert portal.emulator.clients[created['client_id']]['name'] == guard.prefix + '\U0001f600\U0001f600'


def test_a_huge_chunk_is_refused_and_the_guard_goes_on(portal, guard):
    status, dummy = raw_request(guard.url, 'POST /api/2.0/clients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
                                'Connection: close\r\n\r\nFFFFFFFFFFFF\r\nabc')
    assert status == 400
    assert guard.call('GET', '/api/2.0/clients').status_code == 200
    assert 'MemoryError' not in guard.output()


def test_run_sh_never_empties_a_folder_it_did_not_make(tmp_path):
    precious = tmp_path / 'precious.txt'
    precious.write_text('keep me')
    env = dict(os.environ, DOCSPACE_URL='http://127.0.0.1:9', DOCSPACE_API_KEY='sk-x', LIVE_STATE=str(tmp_path))
    done = subprocess.run(['bash', os.path.join(HERE, 'run.sh'), str(tmp_path / 'copy')], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and 'LIVE_STATE' in done.stderr
    assert precious.read_text() == 'keep me'


def test_the_integration_configuration_holds_every_value_as_given(tmp_path):
    """A password with a newline once added 'docspace_url: <the portal>' to the configuration (the targets would
    then have talked to the portal without the guard); '#' cut it."""
    values = {'LIVE_URL': 'http://127.0.0.1:1234', 'LIVE_ADMIN_KEY': 'sk-a#b',
              'LIVE_USERNAME': 'admin@example.com', 'LIVE_PASSWORD': 'p@ss: word #1\ndocspace_url: https://portal',
              'LIVE_USER_KEY': '', 'LIVE_GUEST_KEY': "it's"}
    path = tmp_path / 'integration_config.yml'
    subprocess.run([sys.executable, os.path.join(HERE, 'live_config.py'), str(path)],
                   env=dict(os.environ, **values), check=True, timeout=30)
    config = yaml.safe_load(path.read_text())
    assert config['docspace_url'] == 'http://127.0.0.1:1234' and config['docspace_live'] is True
    assert config['docspace_admin_password'] == values['LIVE_PASSWORD']
    assert config['docspace_admin_api_key'] == 'sk-a#b' and config['docspace_guest_api_key'] == "it's"
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'


def test_a_body_that_is_not_json_gets_the_portal_s_415(portal, guard):
    """Only a JSON body is read by the portal: another media type is sent as it is and refused there."""
    resp = guard.call('POST', '/api/2.0/clients', raw=json.dumps(dict(APP, name='Plain')) + ' junk',
                      headers={'Content-Type': 'text/plain'})
    assert resp.status_code == 415 and 'X-Live-Guard' not in resp.headers
    assert portal.emulator.clients == {}


def test_a_slow_create_in_flight_at_the_signal_is_still_cleaned_up(portal, tmp_path):
    """The guard waited 15 s for requests in flight: a create the portal took 17 s to apply landed after the
    cleanup, with the prefix, and was left. It now waits as long as a forwarded request may take."""
    portal.emulator.faults.append({'method': 'POST', 'path': '/api/2.0/clients', 'action': 'delay', 'delay': 17,
                                   'count': 1})
    slow = Guard(portal, tmp_path / 'state')
    answers = []
    try:
        caller = threading.Thread(target=lambda: answers.append(slow.call('POST', '/api/2.0/clients',
                                                                          body=dict(APP, name='Slow')).status_code))
        caller.start()
        time.sleep(1)
        slow.proc.send_signal(signal.SIGTERM)
        caller.join(60)
        assert slow.proc.wait(60) == 0
    finally:
        slow.stop()
    assert answers == [201]
    assert portal.emulator.clients == {}


# ----- the second round -----------------------------------------------------------------------------------------
@pytest.mark.parametrize('method, path_of, status', [('GET', lambda own, foreign: '/api/2.0/clients/' + foreign, 301),
                                                     ('GET', lambda own, foreign: '/api/2.0/clients', 302),
                                                     ('POST', lambda own, foreign: '/api/2.0/clients', 308)])
def test_a_redirect_is_never_passed_on(portal, guard, method, path_of, status):
    """The portal's redirect to itself (http -> https, say) was passed on; a requests session followed it
    straight to the portal: a foreign secret, an unfiltered list, a create without the prefix."""
    foreign = portal.foreign('Hidden App')
    path = path_of(None, foreign)
    portal.emulator.faults.append({'method': method, 'path': path, 'action': 'redirect', 'status': status,
                                   'location': portal.url + path, 'count': 1})
    session = requests.Session()  # follows redirects, as the differential tests' session does
    resp = session.request(method, guard.url + path, json=dict(APP, name='Run App') if method == 'POST' else None,
                           headers={'x-signature': portal.jwt()}, timeout=30)
    assert resp.status_code == 502 and resp.headers['X-Live-Guard'] == 'redirect' and not resp.history
    assert 'Hidden App' not in resp.text and portal.emulator.clients[foreign]['client_secret'] not in resp.text
    assert [c['name'] for c in portal.emulator.clients.values()] == ['Hidden App']


@pytest.mark.parametrize('content_type', ['application/json; charset=utf-8; charset=iso-8859-1',
                                          'application/json;charset=iso-8859-1;x="charset=utf-8"',
                                          'application/json;charset\t=iso-8859-1'])
def test_a_charset_is_read_as_spring_reads_it(portal, guard, content_type):
    """Spring keeps the last charset, and trims as Java does: each of these is Latin-1 to the portal, where 'éé'
    (4 characters there, 2 here) would be a valid name without the prefix."""
    resp = guard.call('POST', '/api/2.0/clients', raw=json.dumps(dict(APP, name='\u00e9\u00e9'), ensure_ascii=False)
                      .encode('utf-8'), headers={'Content-Type': content_type})
    assert resp.status_code == 422 and resp.headers['X-Live-Guard'] == 'not-sent'
    assert portal.emulator.clients == {}


@pytest.mark.parametrize('pad', ['%20', '%09', '%20%20'])
def test_an_id_padded_with_spaces_is_read_as_the_id(portal, guard, pad):
    """A revoke sends the raw id to a database comparison, which ignores trailing spaces (PAD SPACE)."""
    foreign = portal.foreign()
    for path in ('/api/2.0/clients/%s%s/revoke' % (foreign, pad), '/api/2.0/clients/%s%s/revoke' % (pad, foreign)):
        resp = guard.call('DELETE', path)
        assert resp.status_code == 403 and resp.headers['X-Live-Guard'] == 'refused', path


def test_head_on_a_foreign_client_is_hidden_too(portal, guard):
    foreign = portal.foreign()
    resp = guard.http.head(guard.url + '/api/2.0/clients/' + foreign, headers={'x-signature': portal.jwt()},
                           timeout=10)
    assert resp.status_code == 404 and resp.headers['X-Live-Guard'] == 'hidden'
