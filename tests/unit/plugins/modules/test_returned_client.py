# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A returned client reads like the options: pasted back as a task, it changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module

APP = dict(name='Reporting', description='Nightly usage reports', logo='data:image/png;base64,iVBORw0KGgo=',
           website_url='https://r.example.com', terms_url='https://r.example.com/t',
           policy_url='https://r.example.com/p', logout_redirect_uri='https://r.example.com/l',
           redirect_uris=['https://r.example.com/cb', 'https://r.example.com/cb2'],
           allowed_origins=['https://r.example.com'], scopes=['openid', 'files:read'], allow_pkce=True, enabled=False)


@pytest.mark.parametrize('source', ['created', 'gathered', 'predicted'])
def test_a_returned_client_pasted_back_as_a_task_changes_nothing(portal, run_module, source):
    predicted = run_module(client_module, portal.connection(**APP), check_mode=True)
    created = run_module(client_module, portal.connection(**APP))
    assert created['changed']
    if source == 'created':
        client = created['client']
    elif source == 'predicted':
        client = predicted['client']
    else:
        client = run_module(info_module, portal.connection(name='Reporting'))['clients'][0]
    assert client['logout_redirect_uri'] == APP['logout_redirect_uri']
    assert client['allow_pkce'] is True and client['enabled'] is False
    assert not set(client) & {'logout_redirect_uris', 'authentication_methods', 'is_public', 'public', 'tenant'}
    portal.clear()
    again = run_module(client_module, portal.connection(**client), check_mode=True)  # pasted whole
    assert not again.get('failed') and not again['changed'], again
    again = run_module(client_module, portal.connection(**client))
    assert not again['changed'] and portal.writes() == []


def test_check_mode_predicts_the_client_a_real_run_returns(portal, run_module):
    predicted = run_module(client_module, portal.connection(**APP), check_mode=True)['client']
    real = run_module(client_module, portal.connection(**APP))['client']
    assert set(real) - set(predicted) == {'client_id'}
    for key, value in predicted.items():
        wanted = sorted(value) if isinstance(value, list) else value
        assert (sorted(real[key]) if isinstance(real[key], list) else real[key]) == wanted, key


@pytest.mark.parametrize('exists', [True, False])
def test_an_absent_client_is_an_empty_dictionary(portal, run_module, exists):
    if exists:
        run_module(client_module, portal.connection(**APP))
    for check_mode in (True, False):
        result = run_module(client_module, portal.connection(name='Reporting', state='absent'), check_mode=check_mode)
        assert result['client'] == {} and result['changed'] is (exists and check_mode or exists and not check_mode)


def test_the_short_views_use_the_option_names_too(portal, run_module):
    client_id = run_module(client_module, portal.connection(**APP))['client']['client_id']
    info = run_module(info_module, portal.connection(client_id=[client_id], view='info'))['clients'][0]
    public = run_module(info_module, portal.connection(client_id=[client_id], view='public'))['clients'][0]
    for client in (info, public):
        assert client['client_id'] == client_id and client['name'] == 'Reporting'
        assert not set(client) & {'authentication_methods', 'is_public', 'public', 'client_secret'}
    assert info['allow_pkce'] is True


def test_who_made_and_changed_a_client_is_kept_apart(portal, run_module):
    client_id = run_module(client_module, portal.connection(**APP))['client']['client_id']
    result = run_module(info_module, portal.connection())
    assert not set(result['clients'][0]) & {'created_on', 'created_by', 'modified_on', 'modified_by'}
    stored = portal.emulator.clients[client_id]
    assert result['audit'] == {client_id: dict((k, stored[k]) for k in
                                               ('created_on', 'created_by', 'modified_on', 'modified_by'))}
    public = run_module(info_module, portal.connection(client_id=[client_id], view='public', name='Nobody'))
    assert public['clients'] == [] and public['audit'] == {}


def test_a_create_that_happened_reports_changed_even_when_a_later_read_fails(portal, run_module, monkeypatch):
    """Found by the fuzzer: the POST succeeds, the look for a twin that follows cannot list: the client exists."""
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api
    real = _docspace_api.DocSpaceAPI.create_client

    def create_then_break_listing(self, *args, **kwargs):
        created = real(self, *args, **kwargs)
        portal.emulator.faults.append({'method': 'GET', 'path': '.*/clients', 'action': 'drop', 'count': 10})
        return created
    monkeypatch.setattr(_docspace_api.DocSpaceAPI, 'create_client', create_then_break_listing)
    result = run_module(client_module, portal.connection(**APP))
    assert result['failed'] and result['changed'] is True and len(portal.emulator.clients) == 1, result


def test_a_create_the_server_refuses_reports_unchanged(portal, run_module):
    portal.emulator.faults.append({'method': 'POST', 'path': '.*/clients', 'action': 'status', 'status': 400})
    result = run_module(client_module, portal.connection(**APP))
    assert result['failed'] and result['changed'] is False and portal.emulator.clients == {}, result
