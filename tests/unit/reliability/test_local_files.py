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
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _secret_file
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as module

from conftest import ADMIN_KEY

# The folder that holds ansible_collections/onlyoffice/docspace, as these tests import it.
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(module.__file__), *['..'] * 5))
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


# ----- an existing file the write could not replace, or that a write in place would give away --------------------
def foreign(monkeypatch, path):
    """Make ``path`` another user's file: really as root (nobody's), else by running as another uid."""
    if os.geteuid() == 0:
        os.chown(str(path), 65534, 65534)
    else:
        monkeypatch.setattr(os, 'geteuid', lambda: 4242)


def another_users_file(monkeypatch, tmp_path):
    path = tmp_path / 'secret'
    path.write_text('the old secret')
    path.chmod(0o644)
    foreign(monkeypatch, path)
    return path, 'owned by'


def a_hard_link(monkeypatch, tmp_path):
    (tmp_path / 'victim').write_text('the victim')
    os.link(str(tmp_path / 'victim'), str(tmp_path / 'secret'))
    return tmp_path / 'secret', 'a file with 2 hard links'


def a_link(monkeypatch, tmp_path):
    (tmp_path / 'victim').write_text('the victim')
    (tmp_path / 'secret').symlink_to(tmp_path / 'victim')
    return tmp_path / 'secret', 'a link'


GIVEN_AWAY = [another_users_file, a_hard_link, a_link]


@pytest.mark.parametrize('state', ['regenerated', 'present'])
@pytest.mark.parametrize('make', GIVEN_AWAY, ids=[m.__name__ for m in GIVEN_AWAY])
def test_unsafe_writes_refuse_a_file_that_a_write_in_place_would_give_away(portal, run_module, monkeypatch, tmp_path,
                                                                           make, state):
    """a write in place keeps the file's owner, and reaches a hard link's other names or a link's target."""
    client = seed(portal)
    path, what = make(monkeypatch, tmp_path)
    before = path.read_text()
    result = run_module(module, portal.connection(name='File App', state=state, secret_path=str(path),
                                                  unsafe_writes=True))
    monkeypatch.undo()
    assert result['failed'] and result['msg'].startswith('secret_path %s: with unsafe_writes' % path), result
    assert 'regular file with a single link, owned by this user' in result['msg'] and what in result['msg']
    assert portal.emulator.requests == [] and path.read_text() == before
    assert portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']


@pytest.mark.parametrize('mode, narrowed', [(None, 0o600), ('0200', 0o200)], ids=['default', 'asked 0200'])
def test_unsafe_writes_narrow_the_own_file_to_the_mode_asked_when_narrower(portal, run_module, monkeypatch, tmp_path,
                                                                           mode, narrowed):
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

    def watching_open(name, mode='r', *args, **kwargs):
        if not isinstance(name, int) and os.fsdecode(name) == str(path) and 'w' in mode:
            seen.append(stat.S_IMODE(os.stat(str(path)).st_mode))
        return real_open(name, mode, *args, **kwargs)
    monkeypatch.setattr(os, 'rename', busy)
    monkeypatch.setattr('builtins.open', watching_open)
    args = dict(client_id=client['client_id'], state='regenerated', secret_path=str(path), unsafe_writes=True)
    result = run_module(module, portal.connection(**dict(args, **({'mode': mode} if mode else {}))))
    monkeypatch.undo()
    assert result['changed'] and not result.get('failed'), result
    assert seen == [narrowed] and stat.S_IMODE(path.stat().st_mode) == narrowed
    assert path.read_text() == portal.emulator.clients[client['client_id']]['client_secret']
    assert leftovers(tmp_path) == []


BAD_IDS = [('owner', '-5'), ('owner', '4294967296'), ('owner', '4294967295'), ('group', '-1'), ('group', '4294967295')]


@pytest.mark.parametrize('option, value', BAD_IDS, ids=['%s %s' % b for b in BAD_IDS])
def test_numeric_ids_out_of_range_are_refused_before_any_request(portal, run_module, tmp_path, option, value):
    """chown would refuse them, or read 4294967295 as no change, after the rotation."""
    seed(portal)
    result = run_module(module, portal.connection(name='File App', state='regenerated',
                                                  secret_path=str(tmp_path / 'secret'), **{option: value}))
    assert result['failed'] and result['msg'].startswith('%s %s: a numeric' % (option, value)), result
    assert 'must be 0 to 4294967294' in result['msg'] and portal.emulator.requests == []


def can_chattr(tmp_path):
    probe = tmp_path / 'probe'
    probe.write_text('x')
    try:
        return subprocess.call(['chattr', '+i', str(probe)], stderr=subprocess.DEVNULL) == 0
    except OSError:
        return False
    finally:
        subprocess.call(['chattr', '-i', str(probe)], stderr=subprocess.DEVNULL)
        probe.unlink()


@pytest.fixture
def unwritable(monkeypatch, tmp_path):
    """unwritable(path, letter) makes path immutable (i) or append-only (a): with chattr where the test can
    (root, a file system that has the flags), else as the kernel answers an open for writing (EPERM)."""
    marked = []
    real = can_chattr(tmp_path)
    real_open = os.open

    def refusing_open(name, flags, *args, **kwargs):
        if os.fsdecode(name) in marked and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EPERM, 'Operation not permitted')
        return real_open(name, flags, *args, **kwargs)

    def mark(path, letter):
        if real:
            subprocess.check_call(['chattr', '+' + letter, str(path)])
        else:
            monkeypatch.setattr(os, 'open', refusing_open)
        marked.append(str(path))
    yield mark
    for path in marked:
        if real:
            subprocess.call(['chattr', '-i', '-a', path], stderr=subprocess.DEVNULL)


@pytest.mark.parametrize('letter', ['i', 'a'], ids=['immutable', 'append-only'])
def test_an_immutable_or_append_only_file_is_refused_before_the_rotation(portal, run_module, tmp_path, unwritable,
                                                                         letter):
    """the rename over it would fail after the rotation."""
    client = seed(portal)
    path = tmp_path / 'secret'
    path.write_text('the old secret')
    unwritable(path, letter)
    result = run_module(module, portal.connection(name='File App', state='regenerated', secret_path=str(path)))
    assert result['failed'] and 'is immutable or append-only' in result['msg'], result
    assert result['msg'].startswith('secret_path %s:' % path) and portal.emulator.requests == []
    assert portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']


def test_the_tasks_own_immutable_attribute_keeps_the_file_and_refuses_a_rotation(portal, run_module, tmp_path,
                                                                                 unwritable):
    """attributes: '+i' makes the file immutable: the same task again changes nothing, a rotation is refused."""
    client = seed(portal)
    path = tmp_path / 'secret'
    args = portal.connection(client_id=client['client_id'], secret_path=str(path), attributes='+i')
    first = run_module(module, dict(args, attributes=None))
    assert first['changed'] and path.read_text() == client['client_secret'], first
    unwritable(path, 'i')  # what the first run's attributes: '+i' leaves
    portal.clear()
    again = run_module(module, args)
    assert not again.get('failed') and path.read_text() == client['client_secret'], again
    rotated = run_module(module, dict(args, state='regenerated'))
    assert rotated['failed'] and 'is immutable or append-only' in rotated['msg'] and rotations(portal) == [], rotated
    assert portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']


@pytest.mark.parametrize('case', ['create', 'recreate'])
def test_a_file_the_task_made_immutable_stops_a_create_before_it_is_sent(portal, run_module, tmp_path, unwritable,
                                                                         case):
    """A new client's secret needs a file that takes it: otherwise the create would leave it in a failed result."""
    from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
    path = tmp_path / 'secret'
    path.write_text('an older secret')
    path.chmod(0o600)
    unwritable(path, 'i')
    args = portal.connection(secret_path=str(path), attributes='+i', **APP)
    if case == 'recreate':
        seed(portal)
        args.update(website_url='https://g.example.com', recreate=True)
    portal.clear()
    for check_mode in (True, False):
        result = run_module(client_module, args, check_mode=check_mode)
        assert result['failed'] and 'is immutable or append-only' in result['msg'], result
        assert 'client_secret' not in result and portal.writes() == []


@pytest.fixture
def mount_point(monkeypatch):
    """mount_point(path) bind-mounts a file over path where the test can (root), else makes os.path.ismount
    say so (a bind mount on the same file system is a mount point that only /proc/self/mountinfo shows)."""
    mounted = []
    real_ismount = os.path.ismount

    def mount(path):
        source = str(path) + '.source'
        with open(source, 'w') as handle:
            handle.write('the old secret')
        if os.geteuid() == 0 and subprocess.call(['mount', '--bind', source, str(path)],
                                                 stderr=subprocess.DEVNULL) == 0:
            mounted.append(str(path))
        else:
            monkeypatch.setattr(os.path, 'ismount', lambda p: os.fsdecode(p) == str(path) or real_ismount(p))
            os.unlink(str(path))
            os.rename(source, str(path))
    yield mount
    for path in mounted:
        subprocess.call(['umount', path])


def test_a_mount_point_is_refused_before_the_rotation_unless_unsafe_writes(portal, run_module, tmp_path, mount_point):
    """a rename onto a mount point gives EBUSY; only a write in place (unsafe_writes) can reach it."""
    client = seed(portal)
    path = tmp_path / 'secret'
    path.write_text('')
    path.chmod(0o600)
    mount_point(path)
    args = portal.connection(name='File App', state='regenerated', secret_path=str(path))
    result = run_module(module, args)
    assert result['failed'] and 'is a mount point' in result['msg'] and 'unsafe_writes: true' in result['msg'], result
    assert 'a path that is not a mount point' in result['msg'] and portal.emulator.requests == []
    result = run_module(module, dict(args, unsafe_writes=True))
    assert result['changed'] and not result.get('failed'), result
    assert path.read_text() == portal.emulator.clients[client['client_id']]['client_secret'] != client['client_secret']


@pytest.mark.parametrize('state', ['regenerated', 'present'])
def test_a_relative_secret_path_is_refused_before_any_request(portal, run_module, state):
    """it would land relative to whatever folder the module happens to run in."""
    seed(portal)
    result = run_module(module, portal.connection(name='File App', state=state, secret_path='relative/secret'))
    assert result['failed'] and result['msg'] == ('secret_path relative/secret: must be an absolute path (as '
                                                  '/etc/myapp/secret or ~/secret).'), result
    assert portal.emulator.requests == []


MODES = [(600, "quote it: mode: '0600'"), (644, "quote it: mode: '0644'"), (777, "quote it: mode: '0777'"),
         (1537, 'no setuid'), ('1537', 'no setuid'), ('u+s', 'no setuid'), ('2600', 'no setuid'), (0o4600, 'no setuid')]


@pytest.mark.parametrize('mode, message', MODES, ids=['%r' % (m,) for m, _msg in MODES])
def test_a_mode_beyond_permission_bits_is_refused_before_any_request(portal, run_module, tmp_path, mode, message):
    """an unquoted mode: 600 is the number 600, octal 1130: sticky, and its owner cannot read it."""
    seed(portal)
    result = run_module(module, portal.connection(name='File App', state='regenerated',
                                                  secret_path=str(tmp_path / 'secret'), mode=mode))
    assert result['failed'] and 'with permission bits only' in result['msg'] and message in result['msg'], result
    assert portal.emulator.requests == [] and os.listdir(str(tmp_path)) == []


def test_a_foreign_file_that_holds_the_secret_is_replaced_not_kept(portal, run_module, monkeypatch, tmp_path):
    """state=present keeps only its own file; one planted by another user is written afresh, as this user's."""
    client = seed(portal)
    path = tmp_path / 'secret'
    path.write_text(client['client_secret'])
    foreign(monkeypatch, path)
    inode = path.stat().st_ino
    result = run_module(module, portal.connection(client_id=client['client_id'], secret_path=str(path)))
    monkeypatch.undo()
    info = os.lstat(str(path))
    assert result['changed'] and not result.get('failed'), result
    assert info.st_ino != inode and info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o600
    assert path.read_text() == client['client_secret'] and portal.writes() == []


def test_a_huge_file_at_secret_path_is_not_read_whole(portal, run_module, tmp_path):
    """A sparse file of any size planted at the path costs a few KB to compare."""
    import tracemalloc
    client = seed(portal)
    path = tmp_path / 'secret'
    with open(str(path), 'wb') as handle:
        handle.truncate(64 * 1024 * 1024)
    path.chmod(0o600)
    tracemalloc.start()
    try:
        result = run_module(module, portal.connection(client_id=client['client_id'], secret_path=str(path)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result['changed'] and path.read_text() == client['client_secret'], result
    assert peak < 16 * 1024 * 1024, peak


def test_two_rotations_at_once_leave_the_current_secret_in_the_file(portal, tmp_path):
    """the first run's PATCH answers late, after the second rotated again: its secret is dead on arrival.
    Real processes, real time: the second starts while the first waits for its answer."""
    client = seed(portal)
    path = tmp_path / 'secret'
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [{
        'onlyoffice.docspace.docspace_oauth_secret': {'client_id': client['client_id'], 'state': 'regenerated',
                                                      'secret_path': str(path)}}]}]
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=' + sys.executable, str(tmp_path / 'play.yml')]
    env = dict(os.environ, DOCSPACE_URL=portal.url, DOCSPACE_API_KEY=ADMIN_KEY, ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    portal.emulator.faults.append({'method': 'PATCH', 'path': '.*/regenerate', 'action': 'slow_answer', 'delay': 10,
                                   'count': 1})
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while portal.emulator.clients[client['client_id']]['client_secret'] == client['client_secret']:
        assert time.time() < deadline and first.poll() is None, first.communicate()[0]
        time.sleep(0.05)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    outputs = [proc.communicate(timeout=120)[0].decode('utf-8', 'replace') for proc in (second, first)]
    assert second.returncode == 0 and first.returncode == 0, outputs
    assert len(rotations(portal)) == 2, portal.emulator.requests
    current = portal.emulator.clients[client['client_id']]['client_secret']
    assert path.read_text() == current, outputs
    # Compared without whitespace: ansible-core 2.16 wraps a warning to the terminal width, even inside an id.
    warning = 'Another rotation of OAuth client %s ended after this one' % client['client_id']
    assert ''.join(warning.split()) in ''.join(outputs[1].split()), outputs[1]
    assert current not in ''.join(outputs)
