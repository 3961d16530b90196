# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator behaves as the v3.7.2 server does, tutorial mistakes included."""

import base64
import json
import os
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position

LOGO = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n' + b'x' * 40).decode()
APP = {
    'name': 'Reporting', 'description': 'reports', 'logo': LOGO,
    'website_url': 'https://app.example.com', 'terms_url': 'https://app.example.com/terms',
    'policy_url': 'https://app.example.com/privacy', 'logout_redirect_uri': 'https://app.example.com/logout',
    'redirect_uris': ['https://app.example.com/cb', 'http://localhost:3000/cb'],
    'allowed_origins': ['https://app.example.com'], 'scopes': ['files:read', 'openid'],
}


class Portal(object):
    def __init__(self, emulator, url):
        self.emulator = emulator
        self.url = url
        self.http = requests.Session()
        self._jwt = {}

    def key(self, role):
        return self.emulator.credentials()[role]['api_key']

    def jwt(self, role='admin'):
        if role not in self._jwt:
            resp = self.http.get(self.url + '/api/2.0/security/oauth2/token',
                                 headers={'Authorization': 'Bearer ' + self.key(role)})
            assert resp.status_code == 200
            self._jwt[role] = resp.json()['response']
        return self._jwt[role]

    def call(self, method, path, role='admin', body=None, **kwargs):
        headers = kwargs.pop('headers', {})
        if role:
            headers['x-signature'] = self.jwt(role)
        return self.http.request(method, self.url + path, json=body, headers=headers, timeout=10, **kwargs)

    def create(self, role='admin', **fields):
        resp = self.call('POST', '/api/2.0/clients', role, dict(APP, **fields))
        assert resp.status_code == 201, resp.text
        return resp.json()


@pytest.fixture
def portal():
    emulator = emu.Emulator(admin_api_key='sk-admin-key')
    with emu.running(emulator) as url:
        yield Portal(emulator, url)


def claims(token):
    payload = token.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))


# ----- authentication --------------------------------------------------------------------
def test_token_exchange_is_enveloped_and_lasts_five_minutes(portal):
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer sk-admin-key'})
    body = resp.json()
    assert body['statusCode'] == 200 and isinstance(body['response'], str)
    c = claims(body['response'])
    assert c['is_admin'] == 'true' and c['tenant_id'] == '1' and 295 <= c['exp'] - time.time() <= 300


def test_token_exchange_refuses_a_bad_key(portal):
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer nope'})
    assert resp.status_code == 401


def test_login_gives_a_token_that_the_exchange_accepts(portal):
    admin = portal.emulator.credentials()['admin']
    resp = portal.http.post(portal.url + '/api/2.0/authentication',
                            json={'userName': admin['user_name'], 'password': admin['password']})
    token = resp.json()['response']['token']
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token', headers={'Authorization': token})
    assert resp.status_code == 200
    bad = portal.http.post(portal.url + '/api/2.0/authentication',
                           json={'userName': admin['user_name'], 'password': 'wrong'})
    assert bad.status_code == 401


def test_tutorial_bearer_straight_to_clients_is_403_with_an_empty_body(portal):
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'Authorization': 'Bearer sk-admin-key'})
    assert resp.status_code == 403 and resp.content == b''


def test_signature_is_read_from_the_cookie_too(portal):
    resp = portal.http.get(portal.url + '/api/2.0/clients', cookies={'x-signature': portal.jwt()})
    assert resp.status_code == 200


def test_expired_or_tampered_signature_is_403_empty(portal):
    portal.emulator.signature_lifetime = -1
    expired = portal.jwt('user')
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'x-signature': expired})
    assert resp.status_code == 403 and resp.content == b''
    portal.emulator.signature_lifetime = 300
    good = portal.jwt()
    head, body, mac = good.split('.')
    forged = dict(claims(good), user_id='someone-else')
    forged_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b'=').decode()
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'x-signature': '.'.join([head, forged_body, mac])})
    assert resp.status_code == 403


# ----- create, read, update, delete ------------------------------------------------------
def test_create_answers_201_with_the_plain_secret(portal):
    client = portal.create()
    assert len(client['client_secret']) == 36 and client['client_secret'].isalnum()
    assert client['is_public'] is True and client['enabled'] is True
    assert client['modified_on'] == client['created_on']
    assert client['logout_redirect_uris'] == ['https://app.example.com/logout']
    assert client['authentication_methods'] == ['client_secret_post']
    assert 'response' not in client  # raw JSON, no envelope
    one = portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()
    assert one['client_secret'] == client['client_secret']
    listed = portal.call('GET', '/api/2.0/clients').json()['data'][0]
    assert listed['client_secret'] != client['client_secret']  # list items carry ciphertext


def test_both_path_prefixes_and_allow_pkce(portal):
    resp = portal.call('POST', '/api/2.0/oauth2/clients', body=dict(APP, allow_pkce=True))
    assert resp.status_code == 201
    assert sorted(resp.json()['authentication_methods']) == ['client_secret_post', 'none']
    assert portal.call('GET', '/api/2.0/oauth2/clients/' + resp.json()['client_id']).status_code == 200


def test_tutorial_camelcase_body_is_refused(portal):
    body = {'name': 'App', 'logo': LOGO, 'redirectUris': ['https://a.example.com'], 'websiteUrl': 'https://a.example.com',
            'grantTypes': ['authorization_code'], 'scopes': ['openid']}
    resp = portal.call('POST', '/api/2.0/clients', body=body)
    assert resp.status_code == 400
    fields = {(e['field'], e['code']) for e in resp.json()['errors']}
    assert ('redirect_uris', 'EmptyFieldError') in fields and ('website_url', 'EmptyFieldError') in fields


def test_tutorial_put_activation_fails_and_patch_with_active_disables(portal):
    client = portal.create()
    path = '/api/2.0/clients/%s/activation' % client['client_id']
    assert portal.call('PUT', path, body={'active': True}).status_code == 405
    assert portal.call('PATCH', path, body={'active': True}).status_code == 200
    assert portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()['enabled'] is False
    assert portal.call('PATCH', path, body={'status': True}).status_code == 200
    assert portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()['enabled'] is True


def test_tutorial_public_info_path_order(portal):
    client = portal.create()
    wrong = '/api/2.0/clients/public/%s/info' % client['client_id']
    assert portal.call('GET', wrong, role=None).status_code == 403
    assert portal.call('GET', wrong).status_code == 404
    right = portal.call('GET', '/api/2.0/clients/%s/public/info' % client['client_id'], role=None)
    assert right.status_code == 200 and 'client_secret' not in right.json() and right.json()['public'] is True


def test_tutorial_info_with_ids_needs_limit(portal):
    client = portal.create()
    resp = portal.call('GET', '/api/2.0/clients/info', params={'ids': [client['client_id']]})
    assert resp.status_code == 400
    resp = portal.call('GET', '/api/2.0/clients/info', params={'limit': 50})
    assert resp.status_code == 200 and 'redirect_uris' not in resp.json()['data'][0]


def test_put_replaces_only_updatable_fields_on_372(portal):
    client = portal.create(allow_pkce=True)
    path = '/api/2.0/clients/' + client['client_id']
    body = {'name': 'Renamed', 'logo': LOGO, 'allowed_origins': ['https://b.example.com'],
            'website_url': 'https://changed.example.com', 'redirect_uris': ['https://changed.example.com/cb'],
            'scopes': ['rooms:read']}
    resp = portal.call('PUT', path, body=body)
    assert resp.status_code == 200 and resp.content == b''
    after = portal.call('GET', path).json()
    assert after['name'] == 'Renamed' and after['allowed_origins'] == ['https://b.example.com']
    assert after['description'] == 'reports'  # omitted description is kept
    assert after['website_url'] == APP['website_url']  # create-only, silently ignored
    assert sorted(after['redirect_uris']) == sorted(APP['redirect_uris']) and after['scopes'] == APP['scopes']
    assert after['authentication_methods'] == ['client_secret_post']  # omitted allow_pkce turns PKCE off
    assert portal.call('PUT', path, body={'name': 'x'}).status_code == 400


def test_develop_server_updates_redirect_uris_and_scopes(portal):
    portal.emulator.server_version = 'develop'
    client = portal.create()
    path = '/api/2.0/clients/' + client['client_id']
    base = {'name': 'App', 'logo': LOGO, 'allowed_origins': ['https://b.example.com']}
    assert portal.call('PUT', path, body=base).status_code == 400  # both lists are required there
    resp = portal.call('PUT', path, body=dict(base, redirect_uris=['https://n.example.com/cb'], scopes=['rooms:read']))
    assert resp.status_code == 200
    after = portal.call('GET', path).json()
    assert after['redirect_uris'] == ['https://n.example.com/cb'] and after['scopes'] == ['rooms:read']


@pytest.mark.parametrize('fields, field, code', [
    ({'name': 'ab'}, 'name', 'ErrorName'),
    ({'name': '   '}, 'name', 'EmptyFieldError'),
    ({'website_url': 'http://localhost:8080'}, 'website_url', 'ErrorWrongURL'),
    ({'terms_url': 'https://xn--bcher-kva.xn--p1ai'}, 'terms_url', 'ErrorWrongURL'),
    ({'redirect_uris': []}, 'redirect_uris', 'ErrorName'),
    ({'redirect_uris': ['https://a.example.com/%d' % i for i in range(13)]}, 'redirect_uris', 'ErrorName'),
    ({'redirect_uris': ['ftp://a.example.com']}, 'redirect_uris', 'ErrorWrongURL'),
    ({'allowed_origins': None}, 'allowed_origins', 'EmptyFieldError'),
    ({'logo': 'data:image/gif;base64,R0lGODlh'}, 'logo', 'ErrorPattern'),
    ({'logo': 'data:image/png;base64,' + 'A' * 400000}, 'logo', 'ErrorPattern'),
    ({'description': 'x' * 256}, 'description', 'ErrorName'),
    ({'scopes': ['files:read', 'files:admin']}, 'scopes', 'ErrorInvalidScope'),
    ({'scopes': []}, 'scopes', 'EmptyFieldError'),
])
def test_request_layer_validation(portal, fields, field, code):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, **fields))
    assert resp.status_code == 400
    problem = resp.json()
    assert resp.headers['Content-Type'] == 'application/problem+json'
    assert problem['detail'] == 'Validation failed' and problem['title'] == 'Bad Request'
    assert (field, code) in {(e['field'], e['code']) for e in problem['errors']}


def test_service_layer_needs_the_scheme(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, website_url='app.example.com'))
    assert resp.status_code == 400 and 'errors' not in resp.json()
    assert resp.json()['detail'].startswith('websiteUrl:')


def test_claude_scheme_ipv4_and_unknown_keys_are_accepted(portal):
    client = portal.create(redirect_uris=['claude://callback'], website_url='http://10.0.0.1:8080/x', grant_types=['x'],
                           is_public=False)
    assert client['redirect_uris'] == ['claude://callback']
    assert client['is_public'] is True  # tutorial: is_public=false does not make a private client


def test_storage_limits_give_500(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, name='n' * 256))
    assert resp.status_code == 500 and resp.json()['detail'] == 'A database error occurred'


def test_malformed_json_is_500_and_wrong_media_type_415(portal):
    resp = portal.call('POST', '/api/2.0/clients', data='{"name":', headers={'Content-Type': 'application/json'})
    assert resp.status_code == 500 and resp.json()['detail'] == 'Something went wrong'
    resp = portal.call('POST', '/api/2.0/clients', data='name=x', headers={'Content-Type': 'text/plain'})
    assert resp.status_code == 415


def test_regenerate_delete_and_revoke(portal):
    client = portal.create()
    path = '/api/2.0/clients/' + client['client_id']
    new = portal.call('PATCH', path + '/regenerate').json()['client_secret']
    assert new != client['client_secret'] and len(new) == 36
    assert portal.call('DELETE', path + '/revoke').status_code == 200  # even with no consent
    assert portal.call('DELETE', path).status_code == 200
    assert portal.call('DELETE', path).status_code == 404
    bad = portal.call('GET', '/api/2.0/clients/not-a-uuid')
    assert bad.status_code == 404 and 'Invalid client id format' in bad.json()['detail']


# ----- lists ------------------------------------------------------------------------------
def test_cursor_pages_newest_first_to_a_null_cursor(portal):
    ids = [portal.create(name='App %03d' % i)['client_id'] for i in range(120)]
    seen, params, pages = [], {'limit': 50}, 0
    while True:
        page = portal.call('GET', '/api/2.0/clients', params=params).json()
        seen += [c['client_id'] for c in page['data']]
        pages += 1
        if page['last_created_on'] is None:
            assert page['last_client_id'] is None
            break
        params = {'limit': 50, 'last_client_id': page['last_client_id'], 'last_created_on': page['last_created_on']}
    assert pages == 3 and seen == list(reversed(ids))
    assert len(portal.call('GET', '/api/2.0/clients').json()['data']) == 30  # default limit
    bad = portal.call('GET', '/api/2.0/clients', params={'limit': 51})
    assert bad.status_code == 400 and bad.json()['errors'][0]['field'] == 'limit'
    assert portal.call('GET', '/api/2.0/clients', params={'limit': 5, 'last_created_on': 'yesterday'}).status_code == 500


def test_scope_catalogue_puts_openid_last(portal):
    names = [s['name'] for s in portal.call('GET', '/api/2.0/scopes', role='guest').json()]
    assert names[-1] == 'openid' and names[0] == 'accounts.self:read' and len(names) == 9


def test_consents_paginate_and_revoke(portal):
    client = portal.create()
    admin_id = portal.emulator.credentials()['admin']['user_id']
    portal.http.post(portal.url + '/__emulator__/consents',
                     json={'client_id': client['client_id'], 'user_id': admin_id, 'scopes': ['files:read', 'openid']})
    assert portal.call('GET', '/api/2.0/clients/consents').status_code == 400  # limit is required
    page = portal.call('GET', '/api/2.0/clients/consents', params={'limit': 10}).json()
    assert page['data'][0]['scopes'] == 'files:read openid' and page['last_modified_on'] is None
    portal.call('DELETE', '/api/2.0/clients/%s/revoke' % client['client_id'])
    assert portal.call('GET', '/api/2.0/clients/consents', params={'limit': 10}).json()['data'] == []


# ----- permissions ------------------------------------------------------------------------
def test_user_sees_only_own_clients_and_guest_is_refused(portal):
    admins = portal.create()
    users = portal.create(role='user', name='Mine')
    assert portal.call('GET', '/api/2.0/clients/' + admins['client_id'], role='user').status_code == 404
    assert portal.call('DELETE', '/api/2.0/clients/' + admins['client_id'], role='user').status_code == 404
    listed = portal.call('GET', '/api/2.0/clients', role='user').json()['data']
    assert [c['client_id'] for c in listed] == [users['client_id']]
    guest = portal.call('GET', '/api/2.0/clients', role='guest')
    assert guest.status_code == 403 and guest.json()['detail'] == 'Access denied'
    assert portal.call('DELETE', '/api/2.0/clients/tenant', role='user').status_code == 403
    assert portal.call('DELETE', '/api/2.0/clients', role='user').status_code == 200  # deletes the caller's own
    assert len(portal.call('GET', '/api/2.0/clients').json()['data']) == 1


# ----- rate limit, faults, control API, persistence -------------------------------------
def test_rate_limit_sends_429_with_nanosecond_reset_and_no_retry_after(portal):
    portal.emulator.rate_limit = True
    for dummy in range(10):
        ok = portal.call('POST', '/api/2.0/clients', body=APP)
        assert ok.status_code == 201 and int(ok.headers['X-Ratelimit-Reset']) <= 60
    limited = portal.call('POST', '/api/2.0/clients', body=APP)
    assert limited.status_code == 429 and limited.content == b''
    assert 'Retry-After' not in limited.headers and int(limited.headers['X-Ratelimit-Reset']) > 1e9
    assert portal.call('GET', '/api/2.0/clients').status_code == 200  # other methods have their own budget


def test_faults_status_drop_and_commit_then_drop(portal):
    control = portal.url + '/__emulator__/faults'
    portal.http.post(control, json={'method': 'GET', 'path': '/api/2.0/clients', 'status': 502})
    resp = portal.call('GET', '/api/2.0/clients')
    assert resp.status_code == 502 and '<html>' in resp.text
    assert portal.call('GET', '/api/2.0/clients').status_code == 200  # count 1 by default
    portal.http.post(control, json={'method': 'POST', 'path': '/api/2.0/clients', 'action': 'drop'})
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    assert portal.http.get(portal.url + '/__emulator__/clients').json() == []
    portal.http.post(control, json={'method': 'POST', 'path': '/api/2.0/clients', 'action': 'commit_then_drop'})
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    state = portal.http.get(portal.url + '/__emulator__/clients').json()
    assert len(state) == 1 and len(state[0]['secret_sha256']) == 64 and 'client_secret' not in state[0]
    log = portal.http.get(portal.url + '/__emulator__/requests').json()
    assert [e.get('fault') for e in log if e['method'] == 'POST'] == ['drop', 'commit_then_drop']


def test_request_log_and_reset(portal):
    portal.create()
    log = portal.http.get(portal.url + '/__emulator__/requests').json()
    assert {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 201} in log
    portal.http.post(portal.url + '/__emulator__/reset')
    assert portal.http.get(portal.url + '/__emulator__/requests').json() == []
    assert portal.http.get(portal.url + '/__emulator__/clients').json() == []


def test_latency_delays_api_answers_but_not_the_control_api(portal):
    config = portal.http.post(portal.url + '/__emulator__/config', json={'latency': 0.2}).json()
    assert config['latency'] == 0.2
    start = time.time()
    assert portal.call('GET', '/api/2.0/scopes').status_code == 200
    assert time.time() - start >= 0.2
    start = time.time()
    portal.http.get(portal.url + '/__emulator__/requests')
    assert time.time() - start < 0.2


def test_state_file_survives_a_restart(tmp_path):
    path = str(tmp_path / 'state.json')
    first = emu.Emulator(state_file=path)
    caller = {'id': next(iter(first.users)), 'role': 'ADMIN', 'tenant': 1}
    status, client = first.create(caller, dict(APP), '/api/2.0/clients')
    second = emu.Emulator(state_file=path)
    assert status == 201 and client['client_id'] in second.clients
    assert second.credentials() == first.credentials()
