# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scope catalogue is configurable, so that a test can play a newer DocSpace that added a scope."""

import json
import os
import subprocess
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position
from conftest import APP, Portal  # noqa: E402  pylint: disable=wrong-import-position

V372 = ['accounts.self:read', 'accounts.self:write', 'accounts:read', 'accounts:write', 'files:read', 'files:write',
        'rooms:read', 'rooms:write', 'openid']


def serve(**kwargs):
    emulator = emu.Emulator(admin_api_key='sk-admin-key', **kwargs)
    return emulator, emu.running(emulator)


def catalogue(portal, role='admin'):
    resp = portal.call('GET', '/api/2.0/scopes', role=role)
    assert resp.status_code == 200
    return resp.json()


def test_the_default_catalogue_is_v372s_in_server_order(portal):  # a v3.7.2 portal's too
    assert [s['name'] for s in catalogue(portal)] == V372


@pytest.mark.emulator_only('its own emulator')
def test_a_scope_given_to_the_constructor_is_listed_and_accepted_by_create_and_update():
    emulator, running = serve(scopes=emu.SCOPES + ['contacts:read', ('Offline_Access', 'offline', 'offline')],
                              server_version='develop')
    with running as url:
        portal = Portal(emulator, url)
        rows = catalogue(portal, role='guest')  # ScopeQueryController has no role check
        names = [s['name'] for s in rows]
        # case-insensitive by name, openid last (RA/controller/ScopeQueryController.java)
        assert names == V372[:4] + ['contacts:read'] + V372[4:6] + ['Offline_Access'] + V372[6:]
        assert {'name': 'contacts:read', 'group': 'contacts', 'type': 'read'} in rows
        created = portal.create(scopes=['contacts:read', 'openid'])
        assert sorted(created['scopes']) == ['contacts:read', 'openid']
        path = '/api/2.0/clients/' + created['client_id']
        body = dict((k, APP[k]) for k in ('name', 'logo', 'allowed_origins', 'redirect_uris'))
        assert portal.call('PUT', path, body=dict(body, scopes=['Offline_Access'])).status_code == 200
        assert portal.call('GET', path).json()['scopes'] == ['Offline_Access']
        refused = portal.call('POST', '/api/2.0/clients', body=dict(APP, scopes=['offline_access']))  # exact names
        assert refused.status_code == 400 and refused.json()['errors'][0]['message'] == 'Invalid scopes: offline_access'


@pytest.mark.emulator_only('the config control endpoint')
def test_the_control_api_replaces_the_catalogue_and_refuses_a_bad_one():
    emulator, running = serve()
    with running as url:
        portal = Portal(emulator, url)
        assert portal.call('POST', '/api/2.0/clients', body=dict(APP, scopes=['contacts:read'])).status_code == 400
        resp = requests.post(url + '/__emulator__/config', json={'scopes': V372 + ['contacts:read']}, timeout=10)
        assert resp.status_code == 200 and resp.json()['scopes'] == V372 + ['contacts:read']
        assert 'contacts:read' in [s['name'] for s in catalogue(portal)]
        assert portal.create(scopes=['contacts:read'])['scopes'] == ['contacts:read']
        # A portal whose catalogue lost a scope: the create refuses it as the server does.
        assert requests.post(url + '/__emulator__/config', json={'scopes': ['openid']}, timeout=10).status_code == 200
        gone = portal.call('POST', '/api/2.0/clients', body=dict(APP, scopes=['files:read', 'openid']))
        assert gone.status_code == 400 and gone.json()['errors'][0]['message'] == 'Invalid scopes: files:read'
        for bad in ([' '], ['openid', 'openid'], 'openid', [{'name': 'a:b', 'group': 'a'}], [None]):
            resp = requests.post(url + '/__emulator__/config', json={'scopes': bad}, timeout=10)
            assert resp.status_code == 400 and resp.json()['error'], bad
        assert [s['name'] for s in catalogue(portal)] == ['openid']  # unchanged by a refused config
        # reset() clears the state, not the configuration
        requests.post(url + '/__emulator__/reset', timeout=10)
        assert [s['name'] for s in catalogue(portal)] == ['openid']


@pytest.mark.emulator_only("the emulator's code")
def test_scope_rows_names_the_bad_item():
    assert emu.scope_rows(['files:read', 'openid']) == [('files:read', 'files', 'read'), ('openid', 'openid', 'openid')]
    with pytest.raises(ValueError, match='non-blank'):
        emu.scope_rows(['files:read', ''])
    with pytest.raises(ValueError, match="'openid' is listed twice"):
        emu.scope_rows(emu.SCOPES + ['openid'])


def _start(tmp_path, *extra):
    info = tmp_path / 'info.json'
    proc = subprocess.Popen([sys.executable, emu.__file__, '--port', '0', '--info-file', str(info)] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while not info.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    return proc, info


@pytest.mark.emulator_only('the emulator program')
def test_the_scope_option_adds_to_the_catalogue(tmp_path):
    proc, info = _start(tmp_path, '--scope', 'contacts:read', '--scope', 'webhooks:write')
    try:
        assert info.exists(), proc.stderr.read() if proc.poll() is not None else 'not listening in time'
        data = json.loads(info.read_text())
        assert data['scopes'] == [s[0] for s in emu.SCOPES] + ['contacts:read', 'webhooks:write']
        key = data['users']['admin']['api_key']
        jwt = requests.get(data['url'] + '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer ' + key},
                           timeout=10).json()['response']
        names = [s['name'] for s in requests.get(data['url'] + '/api/2.0/scopes', headers={'x-signature': jwt},
                                                 timeout=10).json()]
        assert names == V372[:4] + ['contacts:read'] + V372[4:8] + ['webhooks:write', 'openid']
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


@pytest.mark.emulator_only('the emulator program')
@pytest.mark.parametrize('value, message', [('', 'non-blank'), ('openid', "'openid' is listed twice")])
def test_a_bad_scope_option_is_a_usage_error_not_a_traceback(value, message):
    proc = subprocess.run([sys.executable, emu.__file__, '--port', '0', '--scope', value], capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert '--scope' in proc.stderr and message in proc.stderr
