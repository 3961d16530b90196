# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_client_info, run in-process against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as module

import docspace_emulator

APP = dict(name='Info App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://i.example.com',
           terms_url='https://i.example.com/t', policy_url='https://i.example.com/p',
           logout_redirect_uri='https://i.example.com/l', redirect_uris=['https://i.example.com/cb'],
           allowed_origins=['https://i.example.com'], scopes=['openid'])


def seed(portal, count, role='admin', **fields):
    users = {u['role']: u for u in portal.emulator.users.values()}
    caller = {'id': users[role]['id'], 'role': role.upper(), 'tenant': 1}
    return [portal.emulator.create(caller, dict(APP, **dict(fields, name=fields.get('name', 'App %03d' % i))),
                                   '/api/2.0/clients')[1] for i in range(count)]


def test_lists_every_client_across_pages_newest_first_without_secrets(portal, run_module):
    made = seed(portal, 120)
    result = run_module(module, portal.connection())
    assert not result['changed'] and len(result['clients']) == 120
    assert [c['client_id'] for c in result['clients']] == [c['client_id'] for c in reversed(made)]
    assert all('client_secret' not in c for c in result['clients'])
    assert not any(c['client_secret'] in json.dumps(result) for c in made)
    pages = [r for r in portal.emulator.requests if r['path'] == '/api/2.0/clients']
    assert len(pages) == 3


def test_by_id_reports_missing_ids_or_fails(portal, run_module):
    client = seed(portal, 1)[0]
    missing = '00000000-0000-4000-8000-000000000000'
    result = run_module(module, portal.connection(client_id=[client['client_id'], missing]))
    assert [c['client_id'] for c in result['clients']] == [client['client_id']]
    assert result['missing_ids'] == [missing] and client['client_secret'] not in json.dumps(result)
    failed = run_module(module, portal.connection(client_id=[missing], fail_on_missing=True))
    assert failed['failed'] and missing in failed['msg']


@pytest.mark.parametrize('view, absent_key', [('info', 'redirect_uris'), ('full', None)])
def test_views_and_name_filter(portal, run_module, view, absent_key):
    seed(portal, 2, name='Twin')
    seed(portal, 1, name='Other')
    result = run_module(module, portal.connection(name='Twin', view=view))
    assert [c['name'] for c in result['clients']] == ['Twin', 'Twin']
    if absent_key:
        assert absent_key not in result['clients'][0]
        assert any(r['path'] == '/api/2.0/clients/info' for r in portal.emulator.requests)


def test_public_view_needs_only_base_url(portal, run_module):
    client = seed(portal, 1)[0]
    result = run_module(module, dict(base_url=portal.url, client_id=[client['client_id']], view='public'))
    assert result['clients'][0]['name'] == 'App 000'
    assert not any(r['path'].endswith('/oauth2/token') for r in portal.emulator.requests)
    failed = run_module(module, dict(base_url=portal.url, view='public'))
    assert failed['failed'] and 'client_id' in failed['msg']


def test_consents_and_scopes(portal, run_module):
    client = seed(portal, 1)[0]
    admin = portal.emulator.credentials()['admin']['user_id']
    portal.emulator.control('POST', '/__emulator__/consents', json.dumps(
        {'client_id': client['client_id'], 'user_id': admin, 'scopes': ['openid']}).encode())
    result = run_module(module, portal.connection(include_consents=True, include_scopes=True))
    assert result['consents'][0]['registered_client_id'] == client['client_id']
    assert result['consents'][0]['client']['name'] == 'App 000'
    assert result['scopes'][-1]['name'] == 'openid'


def test_user_sees_only_its_own_and_guest_gets_a_clear_403(portal, run_module):
    seed(portal, 1)
    mine = seed(portal, 1, role='user', name='Mine')[0]
    keys = portal.emulator.credentials()
    result = run_module(module, portal.connection(api_key=keys['user']['api_key']))
    assert [c['client_id'] for c in result['clients']] == [mine['client_id']]
    failed = run_module(module, portal.connection(api_key=keys['guest']['api_key']))
    assert failed['failed'] and failed['msg'] == ('Could not list OAuth clients: HTTP 403 Forbidden: Access denied: managing OAuth apps needs a DocSpace '
                                                  'account with the admin or user role (a guest may only list and revoke its own '
                                                  'consents): set api_key, or username and password, to such an account')


def test_check_mode_reads_the_same(portal, run_module):
    seed(portal, 2)
    assert len(run_module(module, portal.connection(), check_mode=True)['clients']) == 2


def test_emulator_module_is_importable_here():
    assert docspace_emulator.API == '/api/2.0'
