# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module layer's guarantees: any crash is a scrubbed failure, credentials are tidied before
any request, and plain http with credentials is never silent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _client_engine
from ansible_collections.onlyoffice.docspace.plugins.module_utils._redact import spellings
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

from conftest import ADMIN_KEY

PASSWORD = 'Pa55-w0rd-of-the-admin'
JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJlLXBhcnQ'
APP = dict(name='Guard App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://g.example.com',
           terms_url='https://g.example.com/t', policy_url='https://g.example.com/p',
           logout_redirect_uri='https://g.example.com/l', redirect_uris=['https://g.example.com/cb'],
           allowed_origins=['https://g.example.com'], scopes=['openid'])
MODULES = [(client_module, APP, 'manage OAuth client'), (info_module, {}, 'read OAuth clients'),
           (secret_module, dict(name='Guard App', state='regenerated'), 'rotate the secret of OAuth client')]
# The highest verbosity, debug, and (ansible-core 2.19+) tracebacks asked for: still none.
LOUD = dict(_ansible_verbosity=5, _ansible_debug=True)


def leaked(text, *secrets):
    """The spellings of ``secrets`` (as is, trimmed, repr, JSON, URL) that appear in ``text``."""
    return [s for secret in secrets for s in spellings(secret) if s in text]


def crash(*args, **kwargs):
    raise RuntimeError('deep failure sending %r with %s and %s\n%s' % (ADMIN_KEY + '\n', PASSWORD, JWT, 'x' * 2000))


def connect(portal, credential, **args):
    """Connection arguments with the API key (and a line break) or a password as the credential."""
    if credential == 'api_key':
        return dict(portal.connection(api_key=ADMIN_KEY + '\n', **args), **LOUD)
    connection = portal.connection(username='admin@example.com', password=PASSWORD, **args)
    del connection['api_key']
    return dict(connection, **LOUD)


@pytest.mark.parametrize('module, args, what', MODULES, ids=[m[0].__name__.rsplit('.', 1)[-1] for m in MODULES])
@pytest.mark.parametrize('credential', ['api_key', 'password'])
def test_a_crash_in_the_transport_is_a_scrubbed_failure(portal, run_module, monkeypatch, module, args, what,
                                                        credential):
    monkeypatch.setattr(requests.Session, 'request', crash)
    result = run_module(module, connect(portal, credential, **args))
    text = json.dumps(result)
    assert result['failed'] and 'RuntimeError' in result['msg'] and what in result['msg'], result['msg']
    assert 'bug' in result['msg'] and 'report' in result['msg']
    assert leaked(text, ADMIN_KEY + '\n' if credential == 'api_key' else PASSWORD, JWT) == [], text
    assert 'Traceback' not in text and 'exception' not in result and 'File "' not in text
    assert len(result['msg']) < 600  # the exception text is cut (after scrubbing: no half-masked key)


def test_a_crash_in_the_engine_is_a_scrubbed_failure(portal, run_module, monkeypatch):
    monkeypatch.setattr(_client_engine.ClientEngine, 'run', crash)
    result = run_module(client_module, connect(portal, 'password', **APP))
    assert result['failed'] and "Unexpected RuntimeError while trying to manage OAuth client 'Guard App'" in \
        result['msg'], result['msg']
    assert leaked(json.dumps(result), PASSWORD, JWT) == [] and 'Traceback' not in json.dumps(result)


def test_a_failure_sent_from_inside_an_except_block_carries_no_traceback(portal, run_module, monkeypatch):
    # ansible-core attaches the handled exception (its traceback, and since 2.19 its text) to a
    # fail_json called inside an except block: the guard sends it from outside one.
    def fail_while_handling(self):
        try:
            raise ValueError('raw text with %s' % PASSWORD)
        except ValueError:
            self.module.fail('the engine gave up')
    monkeypatch.setattr(_client_engine.ClientEngine, 'run', fail_while_handling)
    result = run_module(client_module, dict(portal.connection(**APP), _ansible_tracebacks_for=['error'], **LOUD))
    assert result['failed'] and result['msg'] == 'the engine gave up'
    assert PASSWORD not in json.dumps(result) and 'ValueError' not in json.dumps(result)


# ----- credential hygiene --------------------------------------------------------------------
@pytest.mark.parametrize('ending', ['\n', '\r\n', ' \t'])
def test_a_key_with_a_line_break_is_trimmed_and_works(portal, run_module, ending):
    # The invocation (always returned before ansible-core 2.19) shows the trimmed key masked too.
    args = portal.connection(api_key=ADMIN_KEY + ending, _ansible_inject_invocation=True, **APP)
    result = run_module(client_module, args)
    assert result.get('changed') and not result.get('failed'), result
    assert result['invocation']['module_args']['base_url'] == portal.url
    assert leaked(json.dumps(result), ADMIN_KEY) == []


def test_a_password_with_a_line_break_and_a_padded_username_work(portal, run_module):
    admin = portal.emulator.credentials()['admin']
    args = portal.connection(username=' %s\n' % admin['user_name'], password=admin['password'] + '\r\n', **APP)
    del args['api_key']
    result = run_module(client_module, args)
    assert result.get('changed') and not result.get('failed'), result


def test_a_signature_with_a_line_break_works(portal, run_module):
    signature = requests.get(portal.url + '/api/2.0/security/oauth2/token', timeout=5,
                             headers={'Authorization': 'Bearer ' + ADMIN_KEY}).json()['response']
    portal.clear()
    args = portal.connection(signature=signature + '\r\n')
    del args['api_key']
    result = run_module(info_module, args)
    assert not result.get('failed'), result
    assert [r['path'] for r in portal.emulator.requests] == ['/api/2.0/clients']  # no exchange: it was used


# ----- plain http ----------------------------------------------------------------------------
@pytest.mark.parametrize('base_url, warns', [
    ('http://docspace.example.com', True),
    ('http://10.1.2.3:8080', True),
    ('https://docspace.example.com', False),
    ('http://127.0.0.1:8092', False),
    ('http://127.8.9.10', False),
    ('http://[::1]:8092', False),
    ('http://localhost:8092', False),
])
def test_credentials_over_plain_http_warn_unless_loopback(run_module, monkeypatch, base_url, warns):
    def refused(*args, **kwargs):
        raise requests.exceptions.ConnectionError('Connection refused')
    monkeypatch.setattr(requests.Session, 'request', refused)
    result = run_module(info_module, dict(base_url=base_url, api_key=ADMIN_KEY, retries=0))
    assert result['failed']  # nothing listens: only the warnings matter here
    warned = [w for w in result['warnings'] if 'unencrypted' in w]
    assert bool(warned) == warns, result['warnings']


def test_a_public_read_over_plain_http_sends_no_credential_and_does_not_warn(run_module, monkeypatch):
    sent = []

    def refused(self, method, url, **kwargs):
        sent.append(kwargs.get('headers') or {})
        raise requests.exceptions.ConnectionError('Connection refused')
    monkeypatch.setattr(requests.Session, 'request', refused)
    result = run_module(info_module, dict(base_url='http://docspace.example.com', api_key=ADMIN_KEY, retries=0,
                                          view='public', client_id=['6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c']))
    assert not [w for w in result['warnings'] if 'unencrypted' in w], result['warnings']
    assert sent and not [h for h in sent if 'Authorization' in h or 'x-signature' in h]
