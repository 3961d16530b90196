# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_secret, run in-process against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as module

APP = dict(name='Secret App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://s.example.com',
           terms_url='https://s.example.com/t', policy_url='https://s.example.com/p',
           logout_redirect_uri='https://s.example.com/l', redirect_uris=['https://s.example.com/cb'],
           allowed_origins=['https://s.example.com'], scopes=['openid'])


def seed(portal):
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    return portal.emulator.create(caller, dict(APP), '/api/2.0/clients')[1]


def stored(portal, client_id):
    return portal.emulator.clients[client_id]['client_secret']


def test_present_reads_the_plain_secret_and_changes_nothing(portal, run_module):
    client = seed(portal)
    result = run_module(module, portal.connection(name='Secret App'))
    assert not result['changed'] and result['client_secret'] == client['client_secret']
    assert portal.writes() == []


def test_present_by_id_reads_the_client_once(portal, run_module):
    client = seed(portal)
    portal.clear()
    result = run_module(module, portal.connection(client_id=client['client_id']))
    assert result['client_secret'] == client['client_secret']
    assert [r['path'] for r in portal.emulator.requests] == [
        '/api/2.0/security/oauth2/token', '/api/2.0/clients/' + client['client_id']]


def test_regenerated_rotates_exactly_once(portal, run_module):
    client = seed(portal)
    portal.clear()
    result = run_module(module, portal.connection(client_id=client['client_id'], state='regenerated'))
    assert result['changed'] and result['client_secret'] == stored(portal, client['client_id'])
    assert result['client_secret'] != client['client_secret']
    assert [w['path'].rsplit('/', 1)[-1] for w in portal.writes()] == ['regenerate']


def test_check_mode_rotates_nothing_and_returns_no_secret(portal, run_module):
    client = seed(portal)
    portal.clear()
    result = run_module(module, portal.connection(name='Secret App', state='regenerated'), check_mode=True)
    assert result['changed'] and 'client_secret' not in result
    assert stored(portal, client['client_id']) == client['client_secret'] and portal.writes() == []


def test_a_rotation_that_may_have_happened_is_never_retried(portal, run_module):
    client = seed(portal)
    portal.emulator.faults.append({'method': 'PATCH', 'path': '.*/regenerate', 'count': 1, 'action': 'commit_then_drop'})
    result = run_module(module, portal.connection(name='Secret App', state='regenerated'))
    assert result['failed'] and 'may have been rotated' in result['msg']
    assert len([w for w in portal.writes() if w['path'].endswith('/regenerate')]) == 1
    assert stored(portal, client['client_id']) != client['client_secret']


def test_a_429_rotation_is_retried(portal, run_module):
    seed(portal)
    portal.emulator.faults.append({'method': 'PATCH', 'path': '.*/regenerate', 'count': 1, 'status': 429})
    result = run_module(module, portal.connection(name='Secret App', state='regenerated'))
    assert result['changed'] and len(result['client_secret']) == 36


def test_secret_path_is_written_0600_and_nothing_is_returned(portal, run_module, tmp_path):
    client = seed(portal)
    path = str(tmp_path / 'secret')
    first = run_module(module, portal.connection(name='Secret App', secret_path=path))
    assert first['changed'] and 'client_secret' not in first and client['client_secret'] not in json.dumps(first)
    assert open(path).read() == client['client_secret'] and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = run_module(module, portal.connection(name='Secret App', secret_path=path))
    assert not again['changed']
    rotated = run_module(module, portal.connection(name='Secret App', secret_path=path, state='regenerated'))
    new = stored(portal, client['client_id'])
    assert rotated['changed'] and open(path).read() == new and new not in json.dumps(rotated)
    assert hashlib.sha256(new.encode()).hexdigest() != hashlib.sha256(client['client_secret'].encode()).hexdigest()


def test_secret_path_in_a_missing_folder_fails_cleanly(portal, run_module, tmp_path):
    seed(portal)
    result = run_module(module, portal.connection(name='Secret App', secret_path=str(tmp_path / 'no' / 'secret')))
    assert result['failed'] and result['msg'].startswith('secret_path')


def test_revoke_reports_changed_only_when_a_consent_existed(portal, run_module):
    client = seed(portal)
    admin = portal.emulator.credentials()['admin']['user_id']
    portal.emulator.control('POST', '/__emulator__/consents', json.dumps(
        {'client_id': client['client_id'], 'user_id': admin}).encode())
    args = portal.connection(client_id=client['client_id'], state='absent', revoke_consent=True)
    check = run_module(module, args, check_mode=True)
    assert check['changed'] and portal.writes() == []
    assert run_module(module, args)['changed']
    assert not run_module(module, args)['changed']
    assert [w['path'].rsplit('/', 1)[-1] for w in portal.writes()] == ['revoke']


def test_state_absent_needs_revoke_consent(portal, run_module):
    result = run_module(module, portal.connection(name='Secret App', state='absent'))
    assert result['failed'] and 'revoke_consent: true' in result['msg'] and portal.emulator.requests == []


def test_unknown_client_fails(portal, run_module):
    result = run_module(module, portal.connection(name='Nobody'))
    assert result['failed'] and "No OAuth client 'Nobody'" in result['msg']
