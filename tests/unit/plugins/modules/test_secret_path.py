# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""secret_path and the common file options (mode, owner, group, ...), run in-process against the emulator:
docspace_oauth_client hands a new client's secret to a file instead of the result, so that the task
needs no no_log; docspace_oauth_secret applies the same file options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import glob
import grp
import json
import os
import pwd
import stat

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

LOGO = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n1234').decode()
APP = dict(
    name='File App', logo=LOGO, website_url='https://f.example.com', terms_url='https://f.example.com/t',
    policy_url='https://f.example.com/p', logout_redirect_uri='https://f.example.com/l',
    redirect_uris=['https://f.example.com/cb'], allowed_origins=['https://f.example.com'], scopes=['openid'],
)
ME = pwd.getpwuid(os.geteuid()).pw_name
MY_GROUP = grp.getgrgid(os.getegid()).gr_name


def leftovers(folder):
    return [name for pattern in ('.docspace-secret-*', '.ansible_tmp*')
            for name in glob.glob(os.path.join(str(folder), pattern))]


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def only_client(portal):
    clients = list(portal.emulator.clients.values())
    assert len(clients) == 1, clients
    return clients[0]


def posts(portal):
    return [r for r in portal.emulator.requests if r['method'] == 'POST']


def create(portal, run_module, path, **extra):
    result = run_module(module, portal.connection(secret_path=str(path), **dict(APP, **extra)))
    assert result['changed'] and not result.get('failed'), result
    portal.clear()
    return result


def test_a_create_writes_the_secret_to_a_0600_file_and_returns_none(portal, run_module, tmp_path):
    path = tmp_path / 'secret'
    result = run_module(module, portal.connection(secret_path=str(path), **APP), diff=True)
    secret = only_client(portal)['client_secret']
    assert result['changed'] and result['secret_path'] == str(path) and 'client_secret' not in result, result
    assert path.read_text() == secret and mode_of(path) == 0o600 and os.stat(str(path)).st_uid == os.geteuid()
    assert secret not in json.dumps(result) and result['diff']['before'] == {}
    assert leftovers(tmp_path) == []


def test_a_second_run_is_unchanged_and_leaves_the_file_untouched(portal, run_module, tmp_path):
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    before = os.stat(str(path))
    for check_mode in (False, True):
        again = run_module(module, portal.connection(secret_path=str(path), **APP), check_mode=check_mode)
        assert not again['changed'] and again['secret_path'] == str(path) and 'client_secret' not in again, again
    after = os.stat(str(path))
    assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (before.st_ino, before.st_mtime_ns, before.st_mode)
    assert portal.writes() == [] and leftovers(tmp_path) == []


def test_check_mode_writes_no_file_and_sends_no_post(portal, run_module, tmp_path):
    path = tmp_path / 'secret'
    result = run_module(module, portal.connection(secret_path=str(path), mode='0640', **APP), check_mode=True,
                        diff=True)
    assert result['changed'] and result['secret_path'] == str(path) and 'client_secret' not in result, result
    assert posts(portal) == [] and portal.writes() == [] and portal.emulator.clients == {}
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('mode, expected', [('0640', 0o640), ('u=r', 0o400), (0o440, 0o440)],
                         ids=['octal string', 'symbolic', 'number'])
def test_mode_owner_and_group_are_applied(portal, run_module, tmp_path, mode, expected):
    path = tmp_path / 'secret'
    create(portal, run_module, path, mode=mode, owner=ME, group=MY_GROUP)
    info = os.stat(str(path))
    assert stat.S_IMODE(info.st_mode) == expected and info.st_uid == os.geteuid() and info.st_gid == os.getegid()
    assert path.read_text() == only_client(portal)['client_secret']
    again = run_module(module, portal.connection(secret_path=str(path), mode=mode, owner=ME, group=MY_GROUP, **APP))
    assert not again['changed'] and mode_of(path) == expected, again


def test_an_existing_file_keeps_its_content_and_gets_its_attributes(portal, run_module, tmp_path):
    """A client that exists: the file's content is docspace_oauth_secret's business, its mode is this task's."""
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    path.write_text('kept as it is')
    path.chmod(0o644)
    args = portal.connection(secret_path=str(path), **APP)
    check = run_module(module, args, check_mode=True)
    assert check['changed'] and mode_of(path) == 0o644, check
    real = run_module(module, args)
    assert real['changed'] and mode_of(path) == 0o600 and path.read_text() == 'kept as it is', real
    assert not run_module(module, args)['changed'] and portal.writes() == []


@pytest.mark.parametrize('umask', [0o022, 0o000], ids=['umask 022', 'umask 000'])
def test_a_create_over_an_existing_0644_file_is_never_readable_by_others(portal, run_module, monkeypatch, tmp_path,
                                                                         umask):
    path = tmp_path / 'secret'
    path.write_text('left by someone')
    path.chmod(0o644)
    modes = []
    real_rename, real_chmod = os.rename, os.chmod

    def rename(src, dest, *args, **kwargs):  # the instant the secret gets its final name
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_rename(src, dest, *args, **kwargs)

    def chmod(target, mode, *args, **kwargs):
        modes.append(mode)
        real_chmod(target, mode, *args, **kwargs)
    monkeypatch.setattr(os, 'rename', rename)
    monkeypatch.setattr(os, 'chmod', chmod)
    saved = os.umask(umask)
    try:
        result = run_module(module, portal.connection(secret_path=str(path), **APP))
        assert os.umask(umask) == umask
    finally:
        os.umask(saved)
    monkeypatch.undo()
    assert result['changed'] and 'client_secret' not in result, result
    assert modes and all(mode & 0o077 == 0 for mode in modes), [oct(m) for m in modes]
    assert mode_of(path) == 0o600 and path.read_text() == only_client(portal)['client_secret']
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize('lookup', ['by name', 'by id'])
def test_a_missing_file_of_an_existing_client_gets_its_current_secret(portal, run_module, tmp_path, lookup):
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    client = only_client(portal)
    path.unlink()
    args = dict(APP, client_id=client['client_id']) if lookup == 'by id' else APP
    check = run_module(module, portal.connection(secret_path=str(path), **args), check_mode=True)
    assert check['changed'] and not path.exists(), check
    result = run_module(module, portal.connection(secret_path=str(path), **args))
    assert result['changed'] and 'client_secret' not in result and path.read_text() == client['client_secret']
    assert mode_of(path) == 0o600 and portal.writes() == [] and leftovers(tmp_path) == []
    assert [r for r in portal.emulator.requests if r['path'].endswith(client['client_id'])], portal.emulator.requests


def test_a_recreate_writes_the_new_secret(portal, run_module, tmp_path):
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    old = only_client(portal)
    args = portal.connection(secret_path=str(path), **dict(APP, website_url='https://g.example.com', recreate=True))
    check = run_module(module, args, check_mode=True)
    assert check['changed'] and check['recreated'] and path.read_text() == old['client_secret'], check
    result = run_module(module, args)
    new = only_client(portal)
    assert result['changed'] and result['recreated'] and 'client_secret' not in result, result
    assert new['client_id'] != old['client_id'] and path.read_text() == new['client_secret'] != old['client_secret']
    assert mode_of(path) == 0o600 and leftovers(tmp_path) == []


@pytest.mark.parametrize('failure', ['the disk is full', 'the rename fails'])
def test_a_write_failing_after_the_create_keeps_the_secret_in_the_failed_result(portal, run_module, monkeypatch,
                                                                                break_local_write, tmp_path, failure):
    path = tmp_path / 'secret'
    break_local_write(failure)
    result = run_module(module, portal.connection(secret_path=str(path), **APP))
    monkeypatch.undo()
    client = only_client(portal)
    assert result['failed'] and result['changed'] and result['client_secret'] == client['client_secret'], result
    assert result['client']['client_id'] == client['client_id'] and result['secret_path'] == str(path)
    assert 'was created' in result['msg'] and 'secret_path %s: could not be written' % path in result['msg']
    assert '.docspace-secret' not in result['msg'] and '.ansible_tmp' not in result['msg'], result['msg']
    assert client['client_secret'] not in result['msg'] and 'Traceback' not in json.dumps(result)
    assert not path.exists() and leftovers(tmp_path) == []
    # The next run creates nothing: the client is there and the file is missing, so it gets the secret.
    portal.clear()
    again = run_module(module, portal.connection(secret_path=str(path), **APP))
    assert again['changed'] and posts(portal) == [] and path.read_text() == client['client_secret'], again


def test_file_options_failing_after_the_write_say_the_secret_is_in_the_file(portal, run_module, monkeypatch, tmp_path):
    """ansible-core's helper fails with its own fail_json: the message names the option, not a temp file,
    and the secret, safe in the file, is not put in the result."""
    def refused(self, path, owner, changed, diff=None, expand=True):
        self.fail_json(path=path, msg='chown failed', details='Operation not permitted')
    monkeypatch.setattr(AnsibleModule, 'set_owner_if_different', refused)
    path = tmp_path / 'secret'
    result = run_module(module, portal.connection(secret_path=str(path), owner=ME, **APP))
    monkeypatch.undo()
    client = only_client(portal)
    assert result['failed'] and result['changed'] and 'client_secret' not in result, result
    assert 'the secret is in the file' in result['msg'] and 'chown failed' in result['msg'], result['msg']
    assert path.read_text() == client['client_secret'] and mode_of(path) == 0o600


def test_a_folder_that_does_not_exist_is_named_before_any_request(portal, run_module, tmp_path):
    folder = tmp_path / 'missing'
    for mod, extra in ((module, APP), (secret_module, dict(name='File App', state='regenerated'))):
        result = run_module(mod, portal.connection(secret_path=str(folder / 'secret'), **extra))
        assert result['failed'] and result['msg'].startswith('secret_path') and str(folder) in result['msg'], result
        assert 'the folder %s does not exist' % folder in result['msg']
        assert '.docspace-secret' not in result['msg'] and 'tmp' not in result['msg'].replace(str(tmp_path), '')
        assert portal.emulator.requests == []


OPTION_PROBLEMS = [
    ({'owner': 'no-such-user-docspace'}, 'owner no-such-user-docspace: no user of that name'),
    ({'group': 'no-such-group-docspace'}, 'group no-such-group-docspace: no group of that name'),
    ({'mode': '0999'}, "mode '0999' must be an octal mode"),
    ({'mode': 'u=rwq'}, "mode 'u=rwq' must be an octal mode"),
    ({'mode': '0100600'}, "mode '0100600' must be an octal mode"),
    ({'attributes': 'i!'}, "attributes 'i!': chattr takes"),
    ({'mode': 600}, "quote it: mode: '0600'"),
    ({'mode': 'u+s'}, 'no setuid, setgid or sticky bit'),
    ({'owner': '4294967295'}, 'owner 4294967295: a numeric user id must be 0 to 4294967294'),
    ({'group': '-5'}, 'group -5: a numeric group id must be 0 to 4294967294'),
]


@pytest.mark.parametrize('extra, message', OPTION_PROBLEMS, ids=[' '.join(m.split(' ')[:2]) for e, m in OPTION_PROBLEMS])
def test_file_options_that_could_not_be_applied_are_refused_before_any_request(portal, run_module, tmp_path,
                                                                               extra, message):
    for mod, args in ((module, APP), (secret_module, dict(name='File App', state='regenerated'))):
        result = run_module(mod, portal.connection(secret_path=str(tmp_path / 'secret'), **dict(args, **extra)))
        assert result['failed'] and message in result['msg'], result
        assert portal.emulator.requests == [] and os.listdir(str(tmp_path)) == []


def test_a_user_that_is_not_root_cannot_give_the_file_away(portal, run_module, monkeypatch, tmp_path):
    if os.geteuid() == 0:  # what chown allows a user that is not root, without becoming one
        monkeypatch.setattr(os, 'geteuid', lambda: 4242)
        monkeypatch.setattr(os, 'getegid', lambda: 4242)
        monkeypatch.setattr(os, 'getgroups', lambda: [4242])
    for extra, message in (({'owner': 'root'}, 'only root can give a file to another user'),
                           ({'group': 'root'}, 'who is not a member of it')):
        result = run_module(module, portal.connection(secret_path=str(tmp_path / 'secret'), **dict(APP, **extra)))
        assert result['failed'] and message in result['msg'], result
        assert portal.emulator.requests == []


def test_file_options_without_secret_path_and_secret_path_with_absent_are_refused(portal, run_module, tmp_path):
    result = run_module(module, portal.connection(mode='0600', owner=ME, **APP))
    assert result['failed'] and 'mode, owner apply only with secret_path' in result['msg'], result
    result = run_module(secret_module, portal.connection(name='File App', group=MY_GROUP))
    assert result['failed'] and 'group applies only with secret_path' in result['msg'], result
    result = run_module(module, portal.connection(name='File App', state='absent', secret_path=str(tmp_path / 's')))
    assert result['failed'] and 'secret_path goes with state=present' in result['msg'], result
    assert portal.emulator.requests == []


def test_a_link_at_secret_path_is_left_alone_for_an_existing_client(portal, run_module, tmp_path):
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    target = tmp_path / 'elsewhere'
    target.write_text('not ours')
    target.chmod(0o644)
    path.unlink()
    path.symlink_to(target)
    result = run_module(module, portal.connection(secret_path=str(path), **APP))
    assert not result['changed'] and any('is a link' in w for w in result['warnings']), result
    assert os.path.islink(str(path)) and target.read_text() == 'not ours' and mode_of(target) == 0o644


def test_docspace_oauth_secret_applies_the_file_options_to_a_file_that_holds_the_secret(portal, run_module,
                                                                                        tmp_path):
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    inode = os.stat(str(path)).st_ino
    path.chmod(0o644)
    args = portal.connection(name='File App', secret_path=str(path))
    check = run_module(secret_module, args, check_mode=True)
    assert check['changed'] and mode_of(path) == 0o644, check
    fixed = run_module(secret_module, args)
    assert fixed['changed'] and mode_of(path) == 0o600 and os.stat(str(path)).st_ino == inode, fixed
    same = run_module(secret_module, args)
    assert not same['changed'] and 'client_secret' not in same
    wider = run_module(secret_module, dict(args, mode='0640', owner=ME, group=MY_GROUP))
    assert wider['changed'] and mode_of(path) == 0o640 and os.stat(str(path)).st_ino == inode
    rotated = run_module(secret_module, dict(args, state='regenerated', mode='0640'))
    assert rotated['changed'] and mode_of(path) == 0o640 and path.read_text() == only_client(portal)['client_secret']
    assert portal.emulator.requests and leftovers(tmp_path) == []


def test_a_relative_secret_path_is_refused_before_any_request(portal, run_module):
    result = run_module(module, portal.connection(secret_path='secret', **APP))
    assert result['failed'] and result['msg'].startswith('secret_path secret: must be an absolute path'), result
    assert portal.emulator.requests == []


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check mode'])
def test_a_file_planted_by_another_user_is_replaced_by_the_current_secret(portal, run_module, monkeypatch, tmp_path,
                                                                          check_mode):
    """An existing client and an existing file: the file is kept only if it is the secret file this module
    keeps. One that another user planted (root, a sticky folder as /tmp) is written afresh, as this user's."""
    folder = tmp_path / 'shared'
    folder.mkdir()
    path = folder / 'secret'
    create(portal, run_module, path)
    client = only_client(portal)
    path.unlink()
    path.write_text('attacker-controlled')
    path.chmod(0o644)
    if os.geteuid() == 0:
        folder.chmod(0o1777)
        os.chown(str(path), 65534, 65534)
    else:  # another user's file, as this module sees it
        monkeypatch.setattr(os, 'geteuid', lambda: 4242)
    result = run_module(module, portal.connection(secret_path=str(path), **APP), check_mode=check_mode)
    monkeypatch.undo()
    assert result['changed'] and not result.get('failed') and 'client_secret' not in result, result
    info = os.lstat(str(path))
    if check_mode:
        assert path.read_text() == 'attacker-controlled' and stat.S_IMODE(info.st_mode) == 0o644
    else:
        assert path.read_text() == client['client_secret'] and info.st_uid == os.geteuid()
        assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_nlink == 1
    assert portal.writes() == [] and leftovers(folder) == []


def test_a_hard_link_at_secret_path_leaves_its_other_name_untouched(portal, run_module, tmp_path):
    """chmod/chown on a hard link reach the file under its other name: the path gets a fresh file instead."""
    path = tmp_path / 'secret'
    create(portal, run_module, path)
    client = only_client(portal)
    victim = tmp_path / 'victim'
    victim.write_text('the victim')
    victim.chmod(0o644)
    path.unlink()
    os.link(str(victim), str(path))
    result = run_module(module, portal.connection(secret_path=str(path), mode='0400', **APP))
    assert result['changed'] and not result.get('failed'), result
    assert victim.read_text() == 'the victim' and mode_of(victim) == 0o644 and victim.stat().st_nlink == 1
    assert path.read_text() == client['client_secret'] and mode_of(path) == 0o400
    assert not run_module(module, portal.connection(secret_path=str(path), mode='0400', **APP))['changed']
