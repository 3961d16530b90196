# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an attack from outside found, one test each: a base_url that Python and the HTTP library
read as two different places, a proxy in the environment, credentials echoed back in another
case, option values that crashed, secret_path values checked too late, a file another user owned,
a temp file left by a killed run, a late PUT undoing a later one, a recreate by client_id."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
import responses

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api as api
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

from conftest import ADMIN_KEY

APP = dict(name='Attack App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://a.example.com',
           terms_url='https://a.example.com/t', policy_url='https://a.example.com/p',
           logout_redirect_uri='https://a.example.com/l', redirect_uris=['https://a.example.com/cb'],
           allowed_origins=['https://a.example.com'], scopes=['openid'])
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(client_module.__file__), *['..'] * 5))


def seed(portal):
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    client = portal.emulator.create(caller, dict(APP), '/api/2.0/clients')[1]
    portal.clear()
    return client


def test_a_base_url_the_http_library_reads_as_another_port_is_refused(portal, run_module, monkeypatch):
    sent = []
    monkeypatch.setattr(requests.Session, 'request', lambda self, method, url, **kw: sent.append(url))
    port = portal.url.rsplit(':', 1)[1]
    for url in ('http://127.0.0.1\\x:' + port, 'http://127.0.0.1%2f:' + port, 'http://[::1]x:' + port):
        result = run_module(info_module, dict(base_url=url, api_key=ADMIN_KEY))
        assert result['failed'] and result['msg'].startswith('base_url must name the host'), result
    assert sent == []


def test_a_proxy_in_the_environment_is_warned_about_even_for_loopback(portal, run_module, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')  # nothing listens: only the warning matters
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    result = run_module(info_module, portal.connection(retries=0))
    assert any('the proxy http://127.0.0.1:9' in w and 'unencrypted' in w for w in result['warnings']), result


@responses.activate
def test_a_credential_echoed_back_in_another_case_is_still_masked():
    key = 'Sk-Echoed-KEY-0123456789'
    responses.get('https://portal.example.com/api/2.0/security/oauth2/token', status=302,
                  headers={'Location': 'http://%s.evil.test/' % key})
    with pytest.raises(api.DocSpaceError) as exc:
        api.DocSpaceAPI('https://portal.example.com', api_key=key, retries=0).get_client('x')
    assert key.lower() not in str(exc.value).lower() and 'evil.test' in str(exc.value)


@pytest.mark.parametrize('args, option', [
    ({'http_agent': 'agent\u2122'}, 'http_agent'),
    ({'redirect_uris': ['http://[x/cb']}, 'redirect_uris'),
])
def test_option_values_that_crashed_name_the_option(portal, run_module, args, option):
    result = run_module(client_module, portal.connection(**dict(APP, **args)))
    assert result['failed'] and option in result['msg'] and 'Unexpected' not in result['msg'], result
    assert portal.emulator.requests == []


@pytest.mark.parametrize('name', ['long', 'slash', 'empty'])
def test_secret_path_values_are_checked_before_the_rotation(portal, run_module, tmp_path, name):
    client = seed(portal)
    path = {'long': str(tmp_path / ('a' * 300)), 'slash': str(tmp_path / 'newfile') + '/', 'empty': ''}[name]
    result = run_module(secret_module, portal.connection(name='Attack App', state='regenerated', secret_path=path))
    assert result['failed'] and 'secret_path' in result['msg'], result
    assert portal.emulator.requests == [] and 'client_secret' not in result
    assert portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']


def test_a_secret_file_owned_by_another_user_or_a_link_is_replaced_not_reused(portal, run_module, tmp_path):
    client = seed(portal)
    owned = tmp_path / 'owned'
    owned.write_text('planted')
    os.chown(str(owned), 65534, 65534)  # nobody, in a folder anyone may write to
    target = tmp_path / 'unrelated.txt'
    target.write_text('keep me')
    target.chmod(0o644)
    link = tmp_path / 'link'
    link.symlink_to(target)
    for path in (owned, link):
        result = run_module(secret_module, portal.connection(client_id=client['client_id'], secret_path=str(path)))
        assert result['changed'] and not result.get('failed'), result
        info = os.lstat(str(path))
        assert info.st_uid == os.geteuid() and info.st_mode & 0o777 == 0o600 and not os.path.islink(str(path))
        assert path.read_text() == client['client_secret']
    assert target.read_text() == 'keep me' and target.stat().st_mode & 0o777 == 0o644


def test_a_run_killed_before_the_rotation_leaves_no_temp_file(portal, tmp_path):
    client = seed(portal)
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients/.*', 'action': 'delay', 'delay': 5})
    args = tmp_path / 'args.json'
    args.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': dict(portal.connection(
        client_id=client['client_id'], state='regenerated', secret_path=str(tmp_path / 'secret')))}))
    proc = subprocess.Popen([sys.executable, '-m', 'ansible_collections.onlyoffice.docspace.plugins.modules.'
                             'docspace_oauth_secret', str(args)], env=dict(os.environ, PYTHONPATH=COLLECTIONS),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while portal.emulator.faults:  # taken when the lookup arrives, which is then held for 5 s
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert glob.glob(str(tmp_path / '.docspace-secret-*')) == []


def test_a_put_that_lands_late_cannot_undo_a_later_one(portal, run_module):
    # Lists and another field change together on a newer server: one PUT carries both, so a first
    # attempt that DocSpace applies after the retry writes the same values again.
    portal.emulator.server_version = 'develop'
    cid = run_module(client_module, portal.connection(description='old', **APP))['client']['client_id']
    portal.emulator.faults.append({'method': 'PUT', 'path': '/api/2.0/clients/.*', 'action': 'drop_then_commit',
                                   'delay': 1.0})
    result = run_module(client_module, portal.connection(name='Attack App', description='new',
                                                         redirect_uris=['https://b.example.com/cb']))
    assert result['changed'] and not result.get('failed'), result
    threading.Event().wait(1.5)  # time.sleep is a no-op under run_module; the late PUT lands meanwhile
    assert [r for r in portal.emulator.requests if r.get('fault') == 'drop_then_commit' and r['status'] == 200]
    stored = portal.emulator.clients[cid]
    assert stored['description'] == 'new' and stored['redirect_uris'] == ['https://b.example.com/cb']


def test_a_recreate_by_client_id_run_again_converges(portal, run_module):
    old = run_module(client_module, portal.connection(**APP))['client']['client_id']
    args = dict(APP, client_id=old, website_url='https://moved.example.com', recreate=True)
    first = run_module(client_module, portal.connection(**args))
    assert first['changed'] and first['recreated']
    again = run_module(client_module, portal.connection(**args))
    assert not again.get('failed') and not again['changed'], again
    assert again['client']['client_id'] == first['client']['client_id']
    assert any('Set client_id to ' + first['client']['client_id'] in w for w in again['warnings'])
