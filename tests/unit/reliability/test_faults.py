# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every write of every module against every fault the emulator can inject.

Transient faults must be survived within the retry budget, with a warning per retry;
permanent ones must fail with a clear message; and afterwards the emulator must hold
exactly what was asked for: no duplicate client, no second rotation, no half-applied
update. Each outcome is recorded; make reliability renders the table in the docs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _retry
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

APP = dict(name='Fault App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://f.example.com',
           terms_url='https://f.example.com/t', policy_url='https://f.example.com/p',
           logout_redirect_uri='https://f.example.com/l', redirect_uris=['https://f.example.com/cb'],
           allowed_origins=['https://f.example.com'], scopes=['openid'], description='before')
TIMEOUT = 0.5
LATE = 2.5 * TIMEOUT  # a commit that lands after the client gave up, by more than one timeout
# An answer that comes after the timeout, by a margin that a loaded machine's scheduling does not eat (0.3 s
# did once: the module, descheduled between its send and its read, then read the answer in time).
PAST_THE_TIMEOUT = TIMEOUT + 0.6
AFTER_THE_LOOKS = 5 * TIMEOUT  # a commit that lands after the module stopped looking for it
FAULTS = {
    '429 rate limited': {'status': 429},
    'x-signature refused (empty 403)': {'status': 403, 'body': ''},
    '500 server error': {'status': 500},
    '502 bad gateway (HTML)': {'status': 502},
    '503 unavailable': {'status': 503},
    '504 gateway timeout (HTML)': {'status': 504},
    'HTTP 200 login page (HTML)': {'action': 'login_page'},
    'redirect to another origin': {'action': 'redirect', 'status': 307},
    'answered after the timeout': {'action': 'slow_answer', 'delay': PAST_THE_TIMEOUT},
    'committed after the timeout': {'action': 'delay', 'delay': PAST_THE_TIMEOUT},
    'committed after two timeouts': {'action': 'delay', 'delay': LATE},
    'dropped before processing': {'action': 'drop'},
    'dropped, committed later': {'action': 'drop_then_commit', 'delay': TIMEOUT},
    'dropped, committed after the looks': {'action': 'drop_then_commit', 'delay': AFTER_THE_LOOKS},
    'committed, then dropped': {'action': 'commit_then_drop'},
    'committed, body cut off': {'action': 'cut_body'},
    'committed, JSON without fields': {'action': 'commit_then_status', 'status': 200, 'body': '{}',
                                       'content_type': 'application/json'},
}
# Faults after which DocSpace surely did nothing, and those after which nobody can tell.
SURELY_NOT_APPLIED = ('429 rate limited', 'x-signature refused (empty 403)')
UNKNOWN_NOT_APPLIED = ('502 bad gateway (HTML)', '503 unavailable', '504 gateway timeout (HTML)',
                       'HTTP 200 login page (HTML)', 'dropped before processing', 'dropped, committed after the looks')
# write: (module, method, path regex, args, needs an existing client, needs a consent)
WRITES = {
    'create client': (client_module, 'POST', '/api/2.0/clients', dict(APP), False, False),
    'update client': (client_module, 'PUT', '/api/2.0/clients/[^/]+', {'name': 'Fault App', 'description': 'after'},
                      True, False),
    'disable client': (client_module, 'PATCH', '.*/activation', {'name': 'Fault App', 'enabled': False}, True, False),
    'delete client': (client_module, 'DELETE', '/api/2.0/clients/[^/]+', {'name': 'Fault App', 'state': 'absent'},
                      True, False),
    'rotate secret': (secret_module, 'PATCH', '.*/regenerate', {'name': 'Fault App', 'state': 'regenerated'},
                      True, False),
    'revoke consent': (secret_module, 'DELETE', '.*/revoke',
                       {'name': 'Fault App', 'state': 'absent', 'revoke_consent': True}, True, True),
}


def expected_outcome(write, fault):
    # A 500 is DocSpace's own answer and a redirect is never followed: both fail. A rotation is never
    # sent twice, nor a create whose outcome is unknown: they fail unless DocSpace surely did nothing
    # (or, for a create, the new client shows up when the module looks for it).
    if fault == 'redirect to another origin':
        return 'failed cleanly'
    if fault == '500 server error':  # an update is read again and rebuilt, so it may be sent again
        return 'survived' if write == 'update client' else 'failed cleanly'
    if write == 'rotate secret' and fault not in SURELY_NOT_APPLIED:
        return 'failed cleanly'
    if write == 'create client' and fault in UNKNOWN_NOT_APPLIED:
        return 'failed cleanly'
    return 'survived'


RESULTS = []


def stored(portal):
    return list(portal.emulator.clients.values())


@pytest.fixture
def elsewhere():
    """Another origin on loopback that records whatever reaches it (nothing should)."""
    seen = []

    class Capture(BaseHTTPRequestHandler):
        def _any(self):
            seen.append({'method': self.command, 'headers': dict(self.headers)})
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.end_headers()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, *args):
            pass

    server = HTTPServer(('127.0.0.1', 0), Capture)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1], seen
    server.shutdown()
    server.server_close()


def holds_what_was_asked(portal, write, result):
    """Whether the emulator holds what the task asked for (after a successful run)."""
    clients = stored(portal)
    if write == 'create client':
        return len(clients) == 1 and clients[0]['description'] == 'before'
    if write == 'update client':
        return len(clients) == 1 and clients[0]['description'] == 'after'
    if write == 'disable client':
        return len(clients) == 1 and not clients[0]['enabled']
    if write == 'delete client':
        return not clients
    if write == 'rotate secret':
        return result['client_secret'] == clients[0]['client_secret']
    return not portal.emulator.consents


@pytest.fixture
def quick_backoff(monkeypatch):
    """Backoff from 0.1 s instead of 1 s: timeouts stay real, the table runs in a minute or two."""
    real_init = _retry.RetryPolicy.__init__
    monkeypatch.setattr(_retry.RetryPolicy, '__init__',
                        lambda self, retries, delay, sleep, warn: real_init(self, retries, delay / 10, sleep, warn))


@pytest.mark.parametrize('write', list(WRITES))
@pytest.mark.parametrize('fault', list(FAULTS))
def test_write_under_fault(portal, run_module_in_real_time, elsewhere, quick_backoff, write, fault):
    module, method, path, args, existing, consent = WRITES[write]
    caller = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    before = None
    if existing:
        before = dict(portal.emulator.create(caller, dict(APP), '/api/2.0/clients')[1])
    if consent:
        portal.emulator.consents[(caller['id'], before['client_id'])] = {
            'registered_client_id': before['client_id'], 'scopes': 'openid', 'modified_at': '2026-01-01T00:00:00.000000Z'}
    rotations = []
    real_regenerate = portal.emulator.regenerate
    portal.emulator.regenerate = lambda *a: rotations.append(1) or real_regenerate(*a)
    portal.clear()
    other_origin, reached_elsewhere = elsewhere
    portal.emulator.faults.append(dict(FAULTS[fault], method=method, path=path, count=1,
                                       location=other_origin + path.replace('[^/]+', 'x').replace('.*', '/x')))
    started = time.time()
    result = run_module_in_real_time(module, portal.connection(timeout=TIMEOUT, retries=3, **args))
    text = json.dumps(result)
    time.sleep(max(0.0, started + FAULTS[fault].get('delay', 0) + 0.3 - time.time()))  # let a late commit land

    clients = stored(portal)
    failed = bool(result.get('failed'))
    lost = int(not failed and not holds_what_was_asked(portal, write, result))
    if write in ('update client', 'disable client'):  # never half applied: the rest of the client is untouched
        lost += int(clients[0]['website_url'] != APP['website_url'] or clients[0]['name'] != 'Fault App')
    duplicated = max(0, len(clients) - 1) + max(0, len(rotations) - 1)

    # A clean rerun of the same task finishes the job (a rotation is read back, not rotated again).
    rerun_args = dict(args, state='present') if write == 'rotate secret' else args
    rerun = run_module_in_real_time(module, portal.connection(timeout=TIMEOUT, retries=3, **rerun_args))
    converged = not rerun.get('failed') and holds_what_was_asked(portal, write, rerun)
    if write != 'rotate secret':
        converged = converged and not run_module_in_real_time(module, portal.connection(**args)).get('changed')

    outcome = 'failed cleanly' if failed else 'survived'
    retries = len([w for w in result['warnings'] if 'retry' in w or 'outcome is unknown' in w])
    RESULTS.append({'write': write, 'fault': fault, 'outcome': outcome, 'lost': lost, 'duplicated': duplicated,
                    'warnings': retries, 'rerun_converged': converged,
                    'order': list(FAULTS).index(fault) * len(WRITES) + list(WRITES).index(write)})
    assert 'Traceback' not in text and 'sk-unit-admin-key' not in text and 'eyJ' not in text
    assert reached_elsewhere == []
    assert lost == 0 and duplicated == 0, (result, clients)
    assert converged, (result, rerun)
    assert outcome == expected_outcome(write, fault), result
    if failed:
        assert result['msg'].startswith('Could not') or 'may have been rotated' in result['msg'], result['msg']
        # A write that may have been applied is never reported unchanged.
        assert result['changed'] or fault in ('500 server error', 'redirect to another origin'), result
    else:
        assert result['changed'], result


@pytest.fixture(scope='module', autouse=True)
def report():
    yield
    path = os.environ.get('DOCSPACE_RELIABILITY_REPORT')
    if path and RESULTS:
        # Under pytest-xdist each worker holds part of the table: one file each, merged by the table script.
        path += '.' + os.environ.get('PYTEST_XDIST_WORKER', 'main')
        with open(path, 'w') as handle:
            json.dump(RESULTS, handle, indent=1)
