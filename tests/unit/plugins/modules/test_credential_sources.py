# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options set on the task (or by module_defaults) win over DOCSPACE_* variables; a real conflict
says where each value came from, before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module

from conftest import ADMIN_KEY


@pytest.fixture
def clean_env(monkeypatch):
    for var in ('DOCSPACE_API_KEY', 'DOCSPACE_USERNAME', 'DOCSPACE_PASSWORD', 'DOCSPACE_SIGNATURE'):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_a_login_on_the_task_wins_over_an_exported_key(portal, run_module, clean_env):
    admin = portal.emulator.credentials()['admin']
    clean_env.setenv('DOCSPACE_API_KEY', 'sk-exported-but-not-wanted-0000')
    result = run_module(info_module, dict(base_url=portal.url, username=admin['user_name'], password=admin['password']))
    assert not result.get('failed'), result
    assert [r['path'] for r in portal.emulator.requests][:1] == ['/api/2.0/authentication']
    assert 'sk-exported-but-not-wanted' not in json.dumps(result)


def test_a_key_on_the_task_wins_over_an_exported_login(portal, run_module, clean_env):
    clean_env.setenv('DOCSPACE_USERNAME', 'someone@example.com')
    clean_env.setenv('DOCSPACE_PASSWORD', 'exported-password-0000')
    result = run_module(info_module, dict(base_url=portal.url, api_key=ADMIN_KEY))
    assert not result.get('failed'), result
    assert '/api/2.0/authentication' not in [r['path'] for r in portal.emulator.requests]
    assert 'exported-password-0000' not in json.dumps(result)


def test_the_environment_alone_still_works_and_stays_masked(portal, run_module, clean_env):
    clean_env.setenv('DOCSPACE_API_KEY', ADMIN_KEY)
    result = run_module(info_module, dict(base_url=portal.url))
    assert not result.get('failed') and ADMIN_KEY not in json.dumps(result), result


@pytest.mark.parametrize('task, env, expected', [
    ({}, {'DOCSPACE_API_KEY': 'sk-env-key-0000', 'DOCSPACE_USERNAME': 'u@example.com', 'DOCSPACE_PASSWORD': 'pw-env-0000'},
     'api_key (from DOCSPACE_API_KEY) and username and password (from DOCSPACE_USERNAME, from DOCSPACE_PASSWORD) are '
     'mutually exclusive'),
    ({'api_key': 'sk-task-key-0000', 'username': 'u@example.com'}, {},
     'api_key (set on the task) and username (set on the task) are mutually exclusive'),
    ({'username': 'u@example.com'}, {}, 'username (set on the task) needs password too'),
    ({}, {'DOCSPACE_USERNAME': 'u@example.com'}, 'username (from DOCSPACE_USERNAME) needs password too'),
])
def test_a_real_conflict_names_where_each_value_came_from(portal, run_module, clean_env, task, env, expected):
    for var, value in env.items():
        clean_env.setenv(var, value)
    result = run_module(info_module, dict(base_url=portal.url, **task))
    assert result['failed'] and expected in result['msg'], result
    assert portal.emulator.requests == []
    for secret in ('sk-env-key-0000', 'pw-env-0000', 'sk-task-key-0000'):
        assert secret not in json.dumps(result)
