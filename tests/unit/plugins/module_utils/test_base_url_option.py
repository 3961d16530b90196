# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""base_url: required at run time, but not in the argument spec (ansible-lint and module_defaults)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module


@pytest.fixture(autouse=True)
def no_connection_env(monkeypatch):
    for name in ('DOCSPACE_URL', 'DOCSPACE_API_KEY', 'DOCSPACE_USERNAME', 'DOCSPACE_PASSWORD', 'DOCSPACE_SIGNATURE'):
        monkeypatch.delenv(name, raising=False)


def test_the_spec_does_not_require_base_url_so_that_linters_accept_module_defaults():
    # ansible-lint's args rule checks a task against the spec without module_defaults (ansible-lint #2953).
    assert not _docspace_module.CONNECTION_SPEC['base_url'].get('required')


@pytest.mark.parametrize('module, args', [
    (client_module, dict(name='App', state='absent')),
    (info_module, dict(view='public', client_id=['6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c'])),
    (secret_module, dict(name='App')),
], ids=['client', 'info public', 'secret'])
def test_a_task_without_base_url_fails_with_ansible_cores_own_message(portal, run_module, module, args):
    result = run_module(module, dict(args, api_key='sk-some-key-0123456789'))
    assert result['failed'] and result['msg'] == 'missing required arguments: base_url', result
    assert portal.emulator.requests == []
    assert 'sk-some-key-0123456789' not in json.dumps(result)


def test_an_empty_docspace_url_counts_as_unset(portal, run_module, monkeypatch):
    monkeypatch.setenv('DOCSPACE_URL', '')
    result = run_module(info_module, dict(view='public', client_id=['6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c']))
    assert result['failed'] and result['msg'] == 'missing required arguments: base_url', result


def test_base_url_from_the_environment(portal, run_module, monkeypatch):
    monkeypatch.setenv('DOCSPACE_URL', portal.url)
    monkeypatch.setenv('DOCSPACE_API_KEY', portal.connection()['api_key'])
    result = run_module(info_module, {})
    assert not result.get('failed') and result['clients'] == [], result


@pytest.mark.parametrize('url', ['http://admin:hunter2-pass@127.0.0.1:9', 'admin:hunter2-pass@docspace.example.com'])
def test_a_password_in_base_url_is_refused_and_masked_in_the_invocation_too(portal, run_module, url):
    # ansible-core returns the invocation at -vvv (before 2.19, always): the URL's password is masked there.
    result = run_module(info_module, dict(base_url=url, api_key='sk-some-key-0123456789', _ansible_verbosity=3,
                                          _ansible_inject_invocation=True))
    assert result['failed'] and 'base_url' in result['msg'], result
    assert 'hunter2-pass' not in json.dumps(result)
    assert result['invocation']['module_args']['base_url'].startswith(url.split('hunter2-pass')[0])


@pytest.mark.parametrize('url, password', [
    ('https://docspace.example.com', None),
    ('https://admin@docspace.example.com', None),
    ('https://admin:pw@docspace.example.com:8443/x', 'pw'),
    ('https://admin:p@ss@docspace.example.com', 'p@ss'),
    ('admin:pw@docspace.example.com', 'pw'),
    ('https://docspace.example.com/a@b', None),
    ('https://docspace.example.com:8443/a@b', None),
])
def test_url_password(url, password):
    assert _docspace_module.url_password(url) == password
