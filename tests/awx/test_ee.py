# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sample execution environment builds on a core we test, and every requests floor says the same."""

import glob
import os
import re
import subprocess
import sys

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
EE = os.path.join(ROOT, 'extensions', 'ee', 'execution-environment.yml')


def read(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return handle.read()


def pinned_cores():
    """ansible-core version -> the file that pins it for a test run (make test, make test-matrix)."""
    pins = {}
    for path in ['requirements-dev.txt'] + sorted(glob.glob(os.path.join(ROOT, 'tests', 'requirements', 'core-*.txt'))):
        match = re.search(r'^ansible-core==(\S+)', read(path), re.M)
        pins[match.group(1)] = os.path.relpath(path, ROOT)
    return pins


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    folder = tmp_path_factory.mktemp('ee-context')
    subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-builder'), 'create', '-f', EE,
                    '-c', str(folder), '--output-filename', 'Containerfile'],
                   check=True, capture_output=True, text=True, cwd=str(folder))
    return folder


def test_ansible_builder_creates_the_context_with_the_collection(context):
    assert (context / 'Containerfile').is_file()
    requirements = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert [c['name'] for c in requirements['collections']] == ['onlyoffice.docspace']


def test_the_sample_ee_installs_a_core_that_make_test_matrix_tests(context):
    containerfile = (context / 'Containerfile').read_text()
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile, re.M)
    assert refs, 'the EE must pin ansible-core (its base image must not choose the core)'
    core = re.search(r'\bansible-core==(\S+)', refs.group(1))
    assert core, refs.group(1)
    core = core.group(1)
    assert core in pinned_cores(), 'ansible-core %s is not one that the tests run: %s' % (core, pinned_cores())
    requires = yaml.safe_load(read('meta', 'runtime.yml'))['requires_ansible']
    assert Version(core) in SpecifierSet(requires)
    # The interpreter runs that core: one of the controller Pythons it supports (known for the core of make test).
    python = re.search(r'^ARG PYCMD="/usr/bin/python(\d+\.\d+)"', containerfile, re.M).group(1)
    import ansible  # pylint: disable=import-outside-toplevel
    from ansible_test._util.target.common import constants  # pylint: disable=import-outside-toplevel
    if ansible.__version__ == core:
        assert python in constants.CONTROLLER_PYTHON_VERSIONS


def test_the_requests_floor_is_the_same_everywhere():
    """What a user needs (EE metadata, module docs), what development claims, and what the oldest venvs run."""
    floor = re.search(r'^requests>=(\S+)$', read('meta', 'ee-requirements.txt'), re.M).group(1)
    assert re.search(r'^requests>=%s$' % re.escape(floor), read('requirements.txt'), re.M)
    assert re.search(r'^\s+- requests >= %s$' % re.escape(floor),
                     read('plugins', 'doc_fragments', 'docspace.py'), re.M)
    pinned = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'requirements', 'core-*.txt'))):
        pinned[os.path.basename(path)] = re.search(r'^requests==(\S+)', read(path), re.M).group(1)
    # The oldest core runs the whole suite with exactly the floor; none runs below it.
    assert pinned['core-2.16.txt'] == floor, pinned
    assert all(Version(v) >= Version(floor) for v in pinned.values()), pinned
