# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS against a self-signed emulator, and what a USER or GUEST key is told."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module

import docspace_emulator
import selfsigned


KEY = 'sk-tls-admin-key-0123456789'


@pytest.fixture(scope='module')
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp('tls')
    return selfsigned.write_certificate(folder)


@pytest.fixture
def tls_portal(certificate):
    emulator = docspace_emulator.Emulator(admin_api_key=KEY)
    with docspace_emulator.running(emulator, tls_cert=certificate[0], tls_key=certificate[1]) as url:
        yield url


def test_self_signed_fails_by_default_with_the_fix_in_the_message(tls_portal, run_module):
    result = run_module(info_module, dict(base_url=tls_portal, api_key=KEY))
    assert result['failed'] and 'TLS verification' in result['msg'] and 'Set ca_path' in result['msg']
    assert KEY not in result['msg']


def test_ca_path_to_the_certificate_succeeds(tls_portal, certificate, run_module):
    result = run_module(info_module, dict(base_url=tls_portal, api_key=KEY, ca_path=certificate[0]))
    assert not result.get('failed') and result['clients'] == [] and result['warnings'] == []


def test_validate_certs_false_succeeds_with_a_warning(tls_portal, run_module):
    result = run_module(info_module, dict(base_url=tls_portal, api_key=KEY, validate_certs=False))
    assert not result.get('failed')
    assert any('validate_certs is false' in w for w in result['warnings'])


def test_a_user_key_cannot_touch_an_admins_client(portal, run_module):
    admin = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    client = portal.emulator.create(admin, {
        'name': 'Admin App', 'logo': 'data:image/png;base64,iVBORw0KGgo=', 'website_url': 'https://a.example.com',
        'terms_url': 'https://a.example.com/t', 'policy_url': 'https://a.example.com/p',
        'logout_redirect_uri': 'https://a.example.com/l', 'redirect_uris': ['https://a.example.com/cb'],
        'allowed_origins': ['https://a.example.com'], 'scopes': ['openid']}, '/api/2.0/clients')[1]
    user_key = portal.emulator.credentials()['user']['api_key']
    portal.clear()
    result = run_module(client_module, portal.connection(api_key=user_key, client_id=client['client_id'],
                                                         state='absent'))
    assert not result['changed'] and portal.writes() == []  # to a USER, another's client does not exist
    result = run_module(client_module, portal.connection(api_key=user_key, client_id=client['client_id'],
                                                         enabled=False))
    assert result['failed'] and 'No OAuth client has client_id %s' % client['client_id'] in result['msg']
    assert client['client_id'] in portal.emulator.clients and portal.emulator.clients[client['client_id']]['enabled']


def test_a_guest_key_gets_a_clear_403(portal, run_module):
    guest_key = portal.emulator.credentials()['guest']['api_key']
    result = run_module(client_module, portal.connection(api_key=guest_key, name='Any', state='absent'))
    assert result['failed'] and result['status'] == 403
    assert result['msg'] == ('Could not list OAuth clients: HTTP 403 Forbidden: Access denied: managing OAuth apps needs a DocSpace '
                             'account with the admin or user role (a guest may only list and revoke its own '
                             'consents): set api_key, or username and password, to such an account')
