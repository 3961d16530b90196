# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection-wide promises: every module is in the action group and documents it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))


def test_every_module_is_in_the_docspace_action_group_and_nothing_else_is():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    assert sorted(runtime['action_groups']['docspace']) == MODULES
    assert len(MODULES) == 4


@pytest.mark.parametrize('name', MODULES)
def test_every_module_documents_the_group_and_the_connection_options(name):
    module = importlib.import_module('ansible_collections.onlyoffice.docspace.plugins.modules.' + name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'onlyoffice.docspace.docspace.ACTION_GROUP' in doc['extends_documentation_fragment']
    assert 'onlyoffice.docspace.docspace' in doc['extends_documentation_fragment']
    assert doc['attributes']['check_mode']['support'] == 'full'
    assert doc['version_added'] == '0.1.0'
    yaml.safe_load(module.EXAMPLES)
    yaml.safe_load(module.RETURN)
