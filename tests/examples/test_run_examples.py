# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example runner catches each way an example failed a reader in issue 14: run on made-up pages."""

import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_examples  # noqa: E402  pylint: disable=wrong-import-position
from lint_docs import Block  # noqa: E402  pylint: disable=wrong-import-position

PLAY = '''- name: A play
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/onlyoffice.docspace.docspace:
      base_url: https://docspace.example.com
      api_key: "{{ vault_docspace_api_key }}"
  tasks:
'''
APP = '''      onlyoffice.docspace.docspace_oauth_client:
        name: Reporting
        logo_path: files/reporting.png
        website_url: https://reports.example.com
        terms_url: https://reports.example.com/terms
        policy_url: https://reports.example.com/privacy
        logout_redirect_uri: https://reports.example.com/logout
        redirect_uris: [https://reports.example.com/oauth/callback]
        allowed_origins: [https://reports.example.com]
        scopes: [openid]
'''


@pytest.fixture(scope='module')
def env():
    scratch = tempfile.mkdtemp(prefix='docspace-runner-test-')
    yield scratch, run_examples.host_bin(scratch)
    shutil.rmtree(scratch, ignore_errors=True)


def run_page(env, text, always=None):
    """Run one made-up example the way the runner runs a page; its (passed, note, output)."""
    scratch, host_env = env
    block = Block('docs/docsite/rst/made_up.rst', 1, text)
    page = run_examples.Page('made_up_%d' % len(os.listdir(scratch)), [block], None, host_env, scratch)
    (result,) = page.run({id(block): always} if always else {})
    return result[1], result[2], result[3], page


def test_the_path_python3_has_no_requests_and_a_play_without_the_interpreter_fails(env):
    passed, note, output, dummy = run_page(env, PLAY.replace(
        '  vars:\n    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n', '') + '    - name: App\n' + APP)
    assert not passed and 'Failed to import the required Python library (requests)' in output, note


def test_a_good_example_passes_with_the_portal_key_and_paths_substituted(env):
    passed, note, output, page = run_page(env, PLAY + '    - name: App\n' + APP.replace(
        "        scopes: [openid]\n", "        scopes: [openid]\n        secret_path: /etc/reporting/secret\n"))
    assert passed, (note, output)
    assert note == 'check: no write; run: changed=1; again: changed=0'
    with open(os.path.join(page.folder, 'made_up-line1.yml')) as handle:
        text = handle.read()
    assert page.emulator.url in text and 'docspace.example.com' not in text
    assert os.path.join(page.folder, 'etc', 'reporting', 'secret') in text
    assert os.stat(os.path.join(page.folder, 'etc', 'reporting', 'secret')).st_mode & 0o777 == 0o600


def test_templated_task_args_are_caught_by_their_warning(env):
    passed, note, dummy, dummy_page = run_page(env, '- name: Ping\n  ansible.builtin.ping: "{{ item }}"\n'
                                                    '  loop: [{data: pong}]\n')
    assert not passed and 'Using a template for task args is unsafe' in note, note


def test_a_write_in_check_mode_is_caught_on_the_request_log(env):
    passed, note, dummy, dummy_page = run_page(env, PLAY + '    - name: App\n      check_mode: false\n' + APP)
    assert not passed and note == 'check mode sent 1 write(s): POST /api/2.0/clients', note


def test_a_second_run_that_changes_fails_unless_the_example_always_changes(env):
    task = '- name: Always changed\n  ansible.builtin.command: "true"\n'
    passed, note, dummy, dummy_page = run_page(env, task)
    assert not passed and note == 'the second run reported changed=1, not 0', note
    passed, note, dummy, dummy_page = run_page(env, task, always='documented')
    assert passed and note.endswith('(always changes: documented)'), note


def test_a_printed_client_secret_is_caught(env):
    passed, note, dummy, dummy_page = run_page(env, PLAY + '    - name: App\n' + APP + '      register: app\n'
                                               '    - name: Print it\n      ansible.builtin.debug:\n'
                                               '        msg: "{{ app.client_secret | default(\'\') }}"\n')
    assert not passed and note.startswith('a credential or secret appears'), note


def test_skip_entries_must_match_exactly_one_block():
    blocks = [Block('docs/docsite/rst/a.rst', 1, 'fields: []\n')]
    assert run_examples.matching(blocks, ('docs/docsite/rst/a.rst', 'fields:'), 'SKIP') is blocks[0]
    with pytest.raises(SystemExit, match='matches 0 YAML blocks'):
        run_examples.matching(blocks, ('docs/docsite/rst/a.rst', 'env:'), 'SKIP')
