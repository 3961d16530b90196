# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Messages that tell a new user what to change, not only what went wrong."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module


@pytest.mark.parametrize('path', ['/api/2.0', '/api/2.0/', '/docspace/api/2.0/clients'])
def test_a_base_url_with_the_api_path_is_refused_before_any_request(portal, run_module, path):
    result = run_module(info_module, portal.connection(base_url=portal.url + path))
    assert result['failed'] and 'base_url is the portal root' in result['msg'] and '/api/2.0' in result['msg']
    assert portal.emulator.requests == []


def test_a_base_url_below_the_portal_root_gets_advice_with_the_404(portal, run_module):
    result = run_module(info_module, portal.connection(base_url=portal.url + '/products/files'))
    assert result['failed'] and result['status'] == 404 and 'Set base_url to the portal root' in result['msg']


def test_renaming_onto_another_clients_name_is_refused_before_any_write(portal, run_module):
    from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    app = dict(logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://r.example.com',
               terms_url='https://r.example.com/t', policy_url='https://r.example.com/p',
               logout_redirect_uri='https://r.example.com/l', redirect_uris=['https://r.example.com/cb'],
               allowed_origins=['https://r.example.com'], scopes=['openid'])
    first = portal.emulator.create(caller, dict(app, name='Taken Name'), '/api/2.0/clients')[1]['client_id']
    second = portal.emulator.create(caller, dict(app, name='Other Name'), '/api/2.0/clients')[1]['client_id']
    portal.clear()
    for check_mode in (True, False):
        result = run_module(client_module, portal.connection(client_id=second, name='Taken Name'), check_mode=check_mode)
        assert result['failed'] and "name 'Taken Name' is already the name of OAuth client " + first in result['msg']
    assert portal.writes() == [] and portal.emulator.clients[second]['name'] == 'Other Name'
    renamed = run_module(client_module, portal.connection(client_id=second, name='Free Name'))
    assert renamed['changed'] and portal.emulator.clients[second]['name'] == 'Free Name'


def test_a_missing_credential_names_every_way_to_give_one(portal, run_module, monkeypatch):
    for name in ('DOCSPACE_API_KEY', 'DOCSPACE_USERNAME', 'DOCSPACE_PASSWORD', 'DOCSPACE_SIGNATURE'):
        monkeypatch.delenv(name, raising=False)
    result = run_module(info_module, dict(base_url=portal.url))
    assert result['failed'] and portal.emulator.requests == []
    for way in ('api_key', 'username and password', 'signature', 'DOCSPACE_API_KEY', 'DOCSPACE_USERNAME',
                'DOCSPACE_PASSWORD', 'DOCSPACE_SIGNATURE'):
        assert way in result['msg']
