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

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

APP = dict(name='Fault App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://f.example.com',
           terms_url='https://f.example.com/t', policy_url='https://f.example.com/p',
           logout_redirect_uri='https://f.example.com/l', redirect_uris=['https://f.example.com/cb'],
           allowed_origins=['https://f.example.com'], scopes=['openid'], description='before')
TIMEOUT = 1.0
FAULTS = {
    '429 rate limited': {'status': 429},
    '500 server error': {'status': 500},
    '502 bad gateway (HTML)': {'status': 502},
    '503 unavailable': {'status': 503},
    '504 gateway timeout (HTML)': {'status': 504},
    'slow answer past timeout': {'action': 'delay', 'delay': TIMEOUT + 0.6},
    'dropped before processing': {'action': 'drop'},
    'committed, then dropped': {'action': 'commit_then_drop'},
}
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
    # A rotation is never sent twice, so only a fault that surely stopped it (429) is survived;
    # a 500 is the server's own answer and is never retried.
    if fault.startswith('500'):
        return 'failed cleanly'
    if write == 'rotate secret' and not fault.startswith('429'):
        return 'failed cleanly'
    return 'survived'


RESULTS = []


def stored(portal):
    return list(portal.emulator.clients.values())


@pytest.mark.parametrize('write', list(WRITES))
@pytest.mark.parametrize('fault', list(FAULTS))
def test_write_under_fault(portal, run_module_in_real_time, write, fault):
    module, method, path, args, existing, consent = WRITES[write]
    caller = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    before = None
    if existing:
        before = dict(portal.emulator.create(caller, dict(APP), '/api/2.0/clients')[1])
    if consent:
        portal.emulator.consents[(caller['id'], before['client_id'])] = {
            'registered_client_id': before['client_id'], 'scopes': 'openid', 'modified_at': '2026-01-01T00:00:00.000000Z'}
    portal.clear()
    portal.emulator.faults.append(dict(FAULTS[fault], method=method, path=path, count=1))
    result = run_module_in_real_time(module, portal.connection(timeout=TIMEOUT, retries=3, **args))
    text = json.dumps(result)

    # What the server holds afterwards.
    clients = stored(portal)
    lost = duplicated = 0
    if write == 'create client':
        duplicated = max(0, len(clients) - 1)
        lost = int(not result.get('failed') and len(clients) == 0)
    elif write == 'update client':
        lost = int(clients[0]['name'] != 'Fault App' or clients[0]['website_url'] != APP['website_url'])
        lost += int(not result.get('failed') and clients[0]['description'] != 'after')
    elif write == 'disable client':
        lost = int(not result.get('failed') and clients[0]['enabled'])
    elif write == 'delete client':
        lost = int(not result.get('failed') and len(clients) != 0)
    elif write == 'rotate secret':
        duplicated = max(0, len([r for r in portal.emulator.requests if r['path'].endswith('/regenerate')
                                 and r.get('fault') not in ('drop', 'status')]) - 1)
        if not result.get('failed'):
            lost = int(result['client_secret'] != clients[0]['client_secret'])
    elif write == 'revoke consent':
        lost = int(not result.get('failed') and bool(portal.emulator.consents))

    outcome = 'failed cleanly' if result.get('failed') else 'survived'
    retries = len([w for w in result['warnings'] if 'retry' in w or 'outcome is unknown' in w])
    RESULTS.append({'write': write, 'fault': fault, 'outcome': outcome, 'lost': lost, 'duplicated': duplicated,
                    'warnings': retries})
    assert 'Traceback' not in text and 'sk-unit-admin-key' not in text
    assert lost == 0 and duplicated == 0, (result, clients)
    assert outcome == expected_outcome(write, fault), result
    assert len(clients) <= 1
    if outcome == 'survived':
        assert result['changed'] and retries >= 1, result['warnings']
    else:
        assert result['msg'].startswith('Could not') or 'may have been rotated' in result['msg'], result['msg']


@pytest.fixture(scope='module', autouse=True)
def report():
    yield
    path = os.environ.get('DOCSPACE_RELIABILITY_REPORT')
    if path and RESULTS:
        with open(path, 'w') as handle:
            json.dump(RESULTS, handle, indent=1)
