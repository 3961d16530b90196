# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the playbooks the way AWX/AAP runs a job: ansible-runner, a private data dir, the
credential only in the environment (as the custom credential type injects it), and the job events."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import types

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))
import selfsigned  # noqa: E402  pylint: disable=wrong-import-position
import docspace_emulator  # noqa: E402  pylint: disable=wrong-import-position

KEY = 'sk-awx-admin-key-0123456789'


@pytest.fixture
def portal():
    emulator = docspace_emulator.Emulator(admin_api_key=KEY)
    with docspace_emulator.running(emulator) as url:
        yield emulator, url


@pytest.fixture
def tls_portal(tmp_path):
    """The emulator over HTTPS with a certificate of its own, which no default CA bundle trusts."""
    cert_path, key_path = selfsigned.write_certificate(tmp_path)
    emulator = docspace_emulator.Emulator(admin_api_key=KEY)
    with docspace_emulator.running(emulator, tls_cert=str(cert_path), tls_key=str(key_path)) as url:
        yield emulator, url, open(cert_path).read()


def credential_type():
    with open(os.path.join(ROOT, 'extensions', 'awx', 'credential_type.yml')) as handle:
        return yaml.safe_load(handle)


def injected_env(inputs, env_dir):
    """What a job gets from a credential of our type with these inputs, rendered as AWX renders it
    (inject_credential of awx.main.models.credential, now in awx-plugins): a sandboxed Jinja environment; an
    empty field is left out of the namespace and a missing boolean is False; each file template is written
    to a file in the job's env folder whether or not it renders empty, and tower.filename names it."""
    ctype = credential_type()
    tower = types.SimpleNamespace(filename=None)
    namespace = {'tower': tower}
    for field in ctype['inputs']['fields']:
        value = inputs.get(field['id'])
        if field['type'] == 'boolean':
            namespace[field['id']] = bool(value)
        elif value:
            namespace[field['id']] = value
    sandbox = ImmutableSandboxedEnvironment()
    for label, template in ctype['injectors'].get('file', {}).items():
        assert label == 'template'  # single-file syntax: tower.filename is the path itself
        path = os.path.join(str(env_dir), 'credential-file')
        with open(path, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        tower.filename = path
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in ctype['injectors']['env'].items())


def private_data_dir(tmp_path, url, **inputs):
    pdd = tmp_path / 'job'
    shutil.copytree(os.path.join(ROOT, 'playbooks'), str(pdd / 'project'))
    (pdd / 'inventory').mkdir()
    (pdd / 'inventory' / 'hosts').write_text('localhost ansible_connection=local\n')
    (pdd / 'env').mkdir()
    inputs = dict(dict(base_url=url, api_key=KEY, validate_certs=True), **inputs)
    env = dict(injected_env(inputs, pdd / 'env'), ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'],
               DOCSPACE_DEMO_SECRETS=str(tmp_path / 'secrets'), ANSIBLE_NOCOLOR='1')
    (pdd / 'env' / 'envvars').write_text(yaml.safe_dump(env))
    # The job template's extra vars: converge_apps.yml writes the apps' secrets here, not into ~.
    (pdd / 'env' / 'extravars').write_text(yaml.safe_dump({'app_secret_dir': str(tmp_path / 'app-secrets')}))
    return str(pdd)


def test_the_credential_type_injects_every_connection_option_but_the_signature():
    """The guide says a credential can inject every connection option: each DOCSPACE_* variable that the doc
    fragment documents is set by an injector, except DOCSPACE_SIGNATURE (it lasts five minutes)."""
    with open(os.path.join(ROOT, 'plugins', 'doc_fragments', 'docspace.py')) as handle:
        documented = set(re.findall(r'E\((DOCSPACE_\w+)\)', handle.read()))
    injected = set(credential_type()['injectors']['env'])
    assert documented - injected == {'DOCSPACE_SIGNATURE'}, documented - injected
    assert injected <= documented, injected - documented


def test_the_credential_types_templates_pass_awxs_own_validation():
    """AWX refuses an injector that uses an undefined field: it renders each with StrictUndefined, every field
    set to 'EXAMPLE' and tower.filename to a name (awx/main/fields.py, CredentialTypeInjectorField)."""
    ctype = credential_type()
    namespace = dict((f['id'], 'EXAMPLE') for f in ctype['inputs']['fields'])
    namespace['tower'] = types.SimpleNamespace(filename='EXAMPLE_FILENAME')
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind in ('file', 'env'):
        for template in ctype['injectors'][kind].values():
            strict.from_string(template).render(**namespace)


def test_empty_optional_fields_inject_empty_variables(tmp_path):
    env = injected_env({'base_url': 'https://docspace.example.com', 'api_key': KEY, 'validate_certs': True}, tmp_path)
    assert env == {'DOCSPACE_URL': 'https://docspace.example.com', 'DOCSPACE_API_KEY': KEY, 'DOCSPACE_USERNAME': '',
                   'DOCSPACE_PASSWORD': '', 'DOCSPACE_VALIDATE_CERTS': 'True', 'DOCSPACE_CA_PATH': '',
                   'DOCSPACE_TIMEOUT': '', 'DOCSPACE_RETRIES': ''}


def run(pdd, playbook, **kwargs):
    result = ansible_runner.run(private_data_dir=pdd, playbook=playbook, quiet=True, **kwargs)
    events = list(result.events)
    assert result.status == 'successful', [e.get('stdout') for e in events if e.get('event') == 'runner_on_failed']
    return result, events


def changed(result):
    return sum(result.stats.get('changed', {}).values())


def test_the_demo_as_an_awx_job(portal, tmp_path):
    emulator, url = portal
    pdd = private_data_dir(tmp_path, url)
    first, events1 = run(pdd, 'demo.yml')
    second, events2 = run(pdd, 'demo.yml')
    assert changed(first) >= 2 and changed(second) == 0
    assert second.stats['ok'] == {'localhost': 6} and not second.stats.get('failures')  # the six tasks, all ok
    assert sorted(c['name'] for c in emulator.clients.values()) == ['Demo Directory', 'Demo Reporting', 'Demo Sync']
    # No secret in any job event: not the key, not a JWT, not a client secret (all issued ones, by hash).
    # (ansible-runner's own artifacts/*/command records the environment it was given; AWX keeps that
    # to itself, so the scan covers what a job shows: its events and its stdout.)
    blob = json.dumps(events1 + events2)
    for artifact, _dirs, files in os.walk(os.path.join(pdd, 'artifacts')):
        for name in files:
            if name == 'stdout' or artifact.endswith('job_events'):
                with open(os.path.join(artifact, name), encoding='utf-8', errors='replace') as handle:
                    blob += handle.read()
    assert KEY not in blob
    tokens = set(re.findall(r'[A-Za-z0-9_.-]{36,}', blob))
    issued = set().union(*emulator.issued.values())
    leaked = [t for t in tokens if hashlib.sha256(t.encode()).hexdigest() in issued]
    assert leaked == [] and len(emulator.issued['client_secret']) == 3


def test_a_teams_app_inventory_converges_and_prunes(portal, tmp_path):
    emulator, url = portal
    caller = {'id': emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    other = {'name': 'Someone Else: Tool', 'logo': 'data:image/png;base64,iVBORw0KGgo=',
             'website_url': 'https://o.example.com', 'terms_url': 'https://o.example.com/t',
             'policy_url': 'https://o.example.com/p', 'logout_redirect_uri': 'https://o.example.com/l',
             'redirect_uris': ['https://o.example.com/cb'], 'allowed_origins': ['https://o.example.com'],
             'scopes': ['openid']}
    emulator.create(caller, other, '/api/2.0/clients')  # not the team's: must survive the prune
    pdd = private_data_dir(tmp_path, url)
    first, dummy = run(pdd, 'converge_apps.yml')
    names = sorted(c['name'] for c in emulator.clients.values())
    assert names == ['Someone Else: Tool', 'Team Alpha: Archive', 'Team Alpha: Directory', 'Team Alpha: Reporting']
    archive = [c for c in emulator.clients.values() if c['name'] == 'Team Alpha: Archive'][0]
    assert archive['enabled'] is False
    emulator.requests = []
    again, events = run(pdd, 'converge_apps.yml')
    assert changed(again) == 0
    # One docspace_oauth_clients task: the key is exchanged once, and one page lists every client.
    paths = [r['path'] for r in emulator.requests]
    assert paths.count('/api/2.0/security/oauth2/token') == 1 and len(paths) == 1 + 1, paths
    blob = json.dumps(events)
    assert not [t for t in set(re.findall(r'[A-Za-z0-9_.-]{36,}', blob))
                if hashlib.sha256(t.encode()).hexdigest() in emulator.issued['jwt']]
    with open(os.path.join(ROOT, 'playbooks', 'vars', 'team_apps.yml')) as handle:
        apps = yaml.safe_load(handle)
    apps['team_apps'] = [a for a in apps['team_apps'] if a['name'] != 'Team Alpha: Archive']
    pruned, dummy = run(pdd, 'converge_apps.yml', extravars=apps)
    assert changed(pruned) == 1
    assert sorted(c['name'] for c in emulator.clients.values()) == [
        'Someone Else: Tool', 'Team Alpha: Directory', 'Team Alpha: Reporting']


def test_the_execution_environment_metadata_introspects(tmp_path):
    target = tmp_path / 'ansible_collections' / 'onlyoffice' / 'docspace'
    shutil.copytree(ROOT, str(target), ignore=shutil.ignore_patterns('.venv', '.build', '.git', 'tests'))
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-builder'), 'introspect', '--sanitize',
                          str(tmp_path)], check=True, capture_output=True, text=True).stdout
    data = yaml.safe_load(out)
    assert any(line.startswith('requests') for line in data['python']), out


LIST_APPS = """
- name: List the portal's apps
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Every app the credential may see
      onlyoffice.docspace.docspace_oauth_client_info:
"""


def failure(pdd):
    """Run a job that lists the apps and must fail; the message of the failed task."""
    with open(os.path.join(pdd, 'project', 'list_apps.yml'), 'w') as handle:
        handle.write(LIST_APPS)
    result = ansible_runner.run(private_data_dir=pdd, playbook='list_apps.yml', quiet=True)
    messages = [e['event_data']['res'].get('msg', '') for e in result.events if e.get('event') == 'runner_on_failed']
    assert result.status == 'failed' and messages, result.status
    return messages[0]


def test_a_job_over_https_trusts_the_credentials_ca_bundle_and_uses_its_timeout_and_retries(tls_portal, tmp_path):
    emulator, url, pem = tls_portal
    message = failure(private_data_dir(tmp_path / 'no-bundle', url))
    assert 'certificate' in message.lower(), message  # not trusted without the bundle
    result, dummy = run(private_data_dir(tmp_path / 'bundle', url, ca_bundle=pem, timeout='20', retries='2'),
                        'converge_apps.yml')
    assert changed(result) == 2  # the secrets' folder, and the converge task: its three items created
    assert sorted(c['name'] for c in emulator.clients.values()) == [
        'Team Alpha: Archive', 'Team Alpha: Directory', 'Team Alpha: Reporting']
    # retries: one 503 on the listing is survived with the default of 3, not with the credential's 0.
    emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients.*', 'status': 503, 'count': 1,
                            'action': 'status'})
    message = failure(private_data_dir(tmp_path / 'no-retries', url, ca_bundle=pem, retries='0'))
    assert '503' in message, message
    # timeout: answers that take 1 s are too slow for the credential's 0.3 s.
    emulator.faults = []
    emulator.latency = 1.0
    message = failure(private_data_dir(tmp_path / 'short-timeout', url, ca_bundle=pem, timeout='0.3', retries='0'))
    assert 'timed out' in message or 'timeout' in message, message
