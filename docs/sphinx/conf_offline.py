# -*- coding: utf-8 -*-
# Appended by tests/utils/docs.sh to the conf.py that `antsibull-docs sphinx-init` writes.
# The build machines reach no documentation host, so intersphinx has nothing to load; the few
# labels the generated pages take from the Ansible docsite resolve to its pages directly, and
# every other missing reference still fails the build (-W).

from docutils import nodes

intersphinx_mapping = {}
project = 'onlyoffice.docspace'
title = html_short_title = 'onlyoffice.docspace documentation'

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
EXTERNAL_LABELS = {
    'common_return_values': ANSIBLE_DOCS + 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': ANSIBLE_DOCS + 'reference_appendices/config.html',
    # The ansible.builtin.files fragment (mode, owner, group of secret_path) links the file module.
    'ansible_collections.ansible.builtin.file_module': ANSIBLE_DOCS + 'collections/ansible/builtin/file_module.html',
}


def _external_label(app, env, node, contnode):
    target = node.get('reftarget')
    if node.get('refdomain') == 'std' and target in EXTERNAL_LABELS:
        text = contnode.astext() if contnode is not None else target
        return nodes.reference('', text, internal=False, refuri=EXTERNAL_LABELS[target])
    return None


def setup(app):
    app.connect('missing-reference', _external_label)
