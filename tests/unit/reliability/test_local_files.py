# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_secret's secret_path: checked before the rotation, never left half-written,
never readable by others even for a moment, on every supported ansible-core (2.16's atomic_move
copies the replaced file's mode and owner: ``legacy`` runs the module as it runs there)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import glob
import json
import os
import stat

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _secret_file
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as module

APP = dict(name='File App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://f.example.com',
           terms_url='https://f.example.com/t', policy_url='https://f.example.com/p',
           logout_redirect_uri='https://f.example.com/l', redirect_uris=['https://f.example.com/cb'],
           allowed_origins=['https://f.example.com'], scopes=['openid'])


def seed(portal):
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    client = portal.emulator.create(caller, dict(APP), '/api/2.0/clients')[1]
    portal.clear()
    return client


def rotations(portal):
    return [r for r in portal.emulator.requests if r['path'].endswith('/regenerate')]


def leftovers(folder):
    return [name for pattern in ('.docspace-secret-*', '.ansible_tmp*')
            for name in glob.glob(os.path.join(str(folder), pattern))]


def a_directory(tmp_path):
    (tmp_path / 'secret').mkdir()
    return str(tmp_path / 'secret'), str(tmp_path), 'not a regular file'


def a_missing_folder(tmp_path):
    return str(tmp_path / 'missing' / 'secret'), str(tmp_path), 'does not exist'


def a_folder_that_is_a_file(tmp_path):
    (tmp_path / 'file').write_text('x')
    return str(tmp_path / 'file' / 'secret'), str(tmp_path), 'not a folder'


def a_fifo(tmp_path):
    os.mkfifo(str(tmp_path / 'secret'))  # reading it would block the task for ever
    return str(tmp_path / 'secret'), str(tmp_path), 'not a regular file'


def an_unwritable_folder(tmp_path):
    # As root os.access says yes to every folder, so the check must be the real thing: sysfs refuses
    # new files even to root; a user is refused by the folder's mode.
    if os.geteuid() == 0:
        if not os.path.isdir('/sys/kernel'):
            pytest.skip('no sysfs to refuse a file to root')
        return '/sys/kernel/docspace-secret', '/sys/kernel', 'not writable'
    (tmp_path / 'ro').mkdir(mode=0o500)
    return str(tmp_path / 'ro' / 'secret'), str(tmp_path / 'ro'), 'not writable'


BAD_PATHS = [a_directory, a_missing_folder, a_folder_that_is_a_file, a_fifo, an_unwritable_folder]


@pytest.mark.parametrize('state', ['regenerated', 'present'])
@pytest.mark.parametrize('bad', BAD_PATHS, ids=[b.__name__ for b in BAD_PATHS])
def test_a_bad_secret_path_fails_before_any_request(portal, run_module, tmp_path, bad, state):
    client = seed(portal)
    path, folder, rule = bad(tmp_path)
    result = run_module(module, portal.connection(name='File App', state=state, secret_path=path))
    assert result['failed'] and result['msg'].startswith('secret_path') and rule in result['msg'], result['msg']
    assert _secret_file.PREFIX not in result['msg'] and '.ansible_tmp' not in result['msg'], result['msg']
    assert portal.emulator.requests == [] and rotations(portal) == []
    assert portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']
    assert leftovers(folder) == []


def test_check_mode_checks_the_path_too(portal, run_module, tmp_path):
    seed(portal)
    path, folder, rule = a_missing_folder(tmp_path)
    result = run_module(module, portal.connection(name='File App', state='regenerated', secret_path=path),
                        check_mode=True)
    assert result['failed'] and rule in result['msg'] and portal.emulator.requests == []
    assert 'the folder %s does not exist' % os.path.dirname(path) in result['msg'], result['msg']


def test_a_foreign_file_in_a_sticky_folder_is_refused_before_the_rotation(portal, run_module, monkeypatch, tmp_path):
    """In a folder like /tmp only the file's owner may replace it: the rename would fail after the rotation."""
    seed(portal)
    folder = tmp_path / 'shared'
    folder.mkdir()
    folder.chmod(0o1777)
    (folder / 'secret').write_text('planted')
    if os.geteuid() == 0:  # root may replace anything: run as a user that owns neither file nor folder
        monkeypatch.setattr(os, 'geteuid', lambda: 4242)
    result = run_module(module, portal.connection(name='File App', state='regenerated',
                                                  secret_path=str(folder / 'secret')))
    assert result['failed'] and 'sticky bit' in result['msg'] and rotations(portal) == [], result
    assert portal.emulator.requests == []


@pytest.mark.parametrize('failure', ['the rename fails', 'the disk is full'])
@pytest.mark.parametrize('existing', [False, True])
def test_a_local_write_failing_after_the_rotation_says_so_and_cleans_up(portal, run_module, monkeypatch,
                                                                        break_local_write, tmp_path, failure,
                                                                        existing):
    client = seed(portal)
    path = tmp_path / 'secret'
    if existing:
        path.write_text('the old secret')
    break_local_write(failure)
    result = run_module(module, portal.connection(name='File App', state='regenerated', secret_path=str(path)))
    monkeypatch.undo()
    new = portal.emulator.clients[client['client_id']]['client_secret']
    assert result['failed'] and result['changed'] and len(rotations(portal)) == 1
    assert result['msg'].startswith('secret_path %s: could not be written (' % path), result['msg']
    assert _secret_file.PREFIX not in result['msg'] and '.ansible_tmp' not in result['msg'], result['msg']
    assert 'WAS rotated' in result['msg'] and 'state: present' in result['msg'], result['msg']
    assert new != client['client_secret'] and new not in json.dumps(result)
    assert 'Traceback' not in json.dumps(result)
    assert leftovers(tmp_path) == []
    assert (path.read_text() == 'the old secret') if existing else not path.exists()
    # ... and state: present gets it, as the message says.
    again = run_module(module, portal.connection(name='File App', secret_path=str(path)))
    assert again['changed'] and path.read_text() == new


def as_on_2_16(monkeypatch, legacy):
    """Run as on ansible-core 2.16, whose atomic_move has no keep_dest_attrs and copies the old file's mode."""
    if legacy:
        monkeypatch.setattr(_secret_file, 'KEEPS_DEST_ATTRS', False)


@pytest.mark.parametrize('legacy', [False, True], ids=['core', 'as 2.16'])
@pytest.mark.parametrize('old_mode', [None, 0o644, 0o600, 0o400], ids=['new file', 'was 0644', 'was 0600', 'was 0400'])
@pytest.mark.parametrize('umask', [0o022, 0o000], ids=['umask 022', 'umask 000'])
def test_the_secret_is_never_readable_by_others_even_for_a_moment(portal, run_module, monkeypatch, tmp_path,
                                                                  old_mode, umask, legacy):
    seed(portal)
    as_on_2_16(monkeypatch, legacy)
    path = tmp_path / 'secret'
    if old_mode is not None:
        path.write_text('the old secret')
        path.chmod(old_mode)
    modes = []
    real_rename, real_chmod = os.rename, os.chmod

    def rename(src, dest, *args, **kwargs):  # the instant the secret gets its final name
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_rename(src, dest, *args, **kwargs)

    def chmod(target, mode, *args, **kwargs):  # every mode the old file, the temp file or the new one gets
        modes.append(mode)
        real_chmod(target, mode, *args, **kwargs)
    monkeypatch.setattr(os, 'rename', rename)
    monkeypatch.setattr(os, 'chmod', chmod)
    saved = os.umask(umask)
    try:
        result = run_module(module, portal.connection(name='File App', state='regenerated', secret_path=str(path)))
        assert os.umask(umask) == umask  # the module put the umask back
    finally:
        os.umask(saved)
    monkeypatch.undo()
    assert result['changed'] and not result.get('failed'), result
    assert modes and all(mode & 0o077 == 0 for mode in modes), [oct(m) for m in modes]
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600 and leftovers(tmp_path) == []


@pytest.mark.parametrize('legacy', [False, True], ids=['core', 'as 2.16'])
def test_another_users_file_or_a_link_passes_on_neither_owner_nor_mode(portal, run_module, monkeypatch, tmp_path, legacy):
    """atomic_move would hand the new secret the replaced file's owner (as root) and mode: the new file is
    this user's and 0600, and a link's target is never touched."""
    client = seed(portal)
    as_on_2_16(monkeypatch, legacy)
    owned = tmp_path / 'owned'
    owned.write_text('planted')
    owned.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(str(owned), 65534, 65534)  # nobody's
    target = tmp_path / 'unrelated.txt'
    target.write_text('keep me')
    target.chmod(0o644)
    link = tmp_path / 'link'
    link.symlink_to(target)
    for path in (owned, link):
        result = run_module(module, portal.connection(client_id=client['client_id'], state='regenerated',
                                                      secret_path=str(path)))
        assert result['changed'] and not result.get('failed'), result
        info = os.lstat(str(path))
        assert info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o600 and stat.S_ISREG(info.st_mode)
        assert path.read_text() == portal.emulator.clients[client['client_id']]['client_secret']
    assert target.read_text() == 'keep me' and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_unsafe_writes_write_in_place_only_into_a_file_narrowed_first(portal, run_module, monkeypatch, tmp_path):
    """unsafe_writes (a bind-mounted file, where a rename is refused) writes into the old file, which would
    keep its 0644: it is narrowed before the secret goes in."""
    client = seed(portal)
    path = tmp_path / 'secret'
    path.write_text('the old secret')
    path.chmod(0o644)
    seen = []
    real_open = open

    def busy(src, dest, *args, **kwargs):
        raise OSError(errno.EBUSY, 'Device or resource busy')

    def watching_open(name, mode='r', *args, **kwargs):  # the mode of the file when the secret is written in
        if not isinstance(name, int) and os.fsdecode(name) == str(path) and 'w' in mode:
            seen.append(stat.S_IMODE(os.stat(str(path)).st_mode))
        return real_open(name, mode, *args, **kwargs)
    monkeypatch.setattr(os, 'rename', busy)
    monkeypatch.setattr('builtins.open', watching_open)
    result = run_module(module, portal.connection(client_id=client['client_id'], state='regenerated',
                                                  secret_path=str(path), unsafe_writes=True))
    monkeypatch.undo()
    assert result['changed'] and not result.get('failed'), result
    assert seen == [0o600] and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == portal.emulator.clients[client['client_id']]['client_secret']
    assert leftovers(tmp_path) == []
