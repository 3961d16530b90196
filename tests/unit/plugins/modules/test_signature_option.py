# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signature option: an x-signature obtained earlier saves the login and the token exchange."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api as api
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

from ansible_collections.onlyoffice.docspace.tests.unit.conftest import ADMIN_KEY

TOKEN = '/api/2.0/security/oauth2/token'
APP = dict(
    name='Signed App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://s.example.com',
    terms_url='https://s.example.com/t', policy_url='https://s.example.com/p',
    logout_redirect_uri='https://s.example.com/l', redirect_uris=['https://s.example.com/cb'],
    allowed_origins=['https://s.example.com'], scopes=['openid'],
)


def fetch_signature(portal):
    """What the documented uri task does: one exchange, before the module tasks."""
    answer = requests.get(portal.url + TOKEN, headers={'Authorization': 'Bearer ' + ADMIN_KEY}, timeout=5)
    portal.clear()
    return answer.json()['response']


def auth_requests(portal):
    return [r['path'] for r in portal.emulator.requests if r['path'] in (TOKEN, '/api/2.0/authentication')]


def resigned(token, exp_shift):
    """The same JWT with exp moved (its MAC no longer matches: only the module's own checks see it)."""
    head, dummy, mac = token.split('.')
    claims = api.jwt_claims(token)
    claims['exp'] += exp_shift
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()
    return '.'.join((head, body, mac))


def test_a_signature_alone_runs_every_case_with_no_login_or_exchange(portal, run_module):
    signature = fetch_signature(portal)
    args = dict(base_url=portal.url, signature=signature, **APP)
    created = run_module(client_module, args)
    assert created['changed'] and len(created['client_secret']) == 36
    again = run_module(client_module, args)
    assert not again['changed']
    portal.clear()
    check = run_module(client_module, dict(args, description='changed'), check_mode=True, diff=True)
    assert check['changed'] and portal.writes() == []
    updated = run_module(client_module, dict(args, description='changed'))
    assert updated['changed'] and [w['method'] for w in portal.writes()] == ['PUT']
    listed = run_module(info_module, dict(base_url=portal.url, signature=signature))
    assert [c['name'] for c in listed['clients']] == ['Signed App']
    read = run_module(secret_module, dict(base_url=portal.url, signature=signature, name='Signed App'))
    assert read['client_secret'] == created['client_secret']
    gone = run_module(client_module, dict(base_url=portal.url, signature=signature, name='Signed App', state='absent'))
    assert gone['changed'] and portal.emulator.clients == {}
    assert auth_requests(portal) == []
    for result in (again, check, updated, listed, read, gone):
        assert signature not in json.dumps(result)  # no module returns it


def test_by_client_id_a_reused_signature_costs_one_get(portal, run_module):
    created = run_module(client_module, portal.connection(**APP))
    signature = fetch_signature(portal)
    # With the API key beside it (the AWX credential), the key is not used while the signature lasts.
    result = run_module(client_module, portal.connection(signature=signature, client_id=created['client']['client_id'],
                                                         **APP))
    assert not result['changed']
    assert [(r['method'], r['path']) for r in portal.emulator.requests] == [
        ('GET', '/api/2.0/clients/' + created['client']['client_id'])]


def test_an_expired_signature_is_renewed_with_credentials(portal, run_module):
    expired = resigned(fetch_signature(portal), -400)
    result = run_module(info_module, portal.connection(signature=expired))
    assert not result.get('failed') and auth_requests(portal) == [TOKEN]


def test_an_expired_signature_alone_fails_before_any_request(portal, run_module):
    expired = resigned(fetch_signature(portal), -400)
    result = run_module(client_module, dict(base_url=portal.url, signature=expired, **APP))
    assert result['failed'] and result['msg'].startswith('signature expired ') and 'api_key' in result['msg']
    assert expired not in result['msg'] and portal.emulator.requests == []


def test_a_signature_the_server_refuses_fails_with_the_status_and_no_write(portal, run_module):
    forged = resigned(fetch_signature(portal), +60)  # valid in form and time, but its MAC is wrong
    result = run_module(client_module, dict(base_url=portal.url, signature=forged, **APP))
    assert result['failed'] and result['status'] == 403 and 'given in signature was refused' in result['msg']
    assert forged not in json.dumps(result) and portal.writes() == [] and portal.emulator.clients == {}
    renewed = run_module(client_module, portal.connection(signature=forged, **APP))
    assert renewed['changed'] and auth_requests(portal) == [TOKEN]


@pytest.mark.parametrize('value', ['not-a-jwt', 'a.b', 'eyJ@.eyJ.sig', 'aGVsbG8.bm90IGpzb24.c2ln'])
def test_a_malformed_signature_is_named_before_any_request(portal, run_module, value):
    result = run_module(client_module, dict(base_url=portal.url, signature=value, **APP))
    assert result['failed'] and result['msg'].startswith('signature must be the x-signature JWT')
    assert value not in result['msg'] and portal.emulator.requests == []


def test_the_signature_comes_from_the_environment(portal, run_module, monkeypatch):
    monkeypatch.setenv('DOCSPACE_SIGNATURE', fetch_signature(portal))
    result = run_module(info_module, dict(base_url=portal.url))
    assert not result.get('failed') and auth_requests(portal) == [] and len(portal.emulator.requests) == 1
