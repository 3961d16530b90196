# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A set of OAuth clients converged in one task: docspace_oauth_clients.

Private to this collection: it may change in any release. The portal is listed once; every item
of ``config`` (and every client a scope prunes) is then one ClientEngine over that listing, so
that what "changed" means, check mode and the diff are the single-client module's own. Only
the writes go over the network, a few at a time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.validation import (check_mutually_exclusive, check_required_one_of, check_type_bool,
                                                    check_type_list, check_type_path, check_type_raw, check_type_str)

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client_engine import ClientEngine, Listing
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import CLIENT_ID_RULE, client_id_or_none
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secret_file import FILE_OPTIONS, SecretFile, file_options_alone

STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered')
ACTIONS = ('created', 'updated', 'recreated', 'deleted', 'unchanged', 'failed')
ITEM_FILE_OPTIONS = ('mode', 'owner', 'group')
MAX_PARALLEL = 10  # DocSpace allows 10 creates and 15 updates a minute per user: more workers only wait

# The options of one client, as docspace_oauth_client takes them (less state), and its secret file's.
ITEM_SPEC = dict(oc.client_spec(), mode=dict(type='raw'), owner=dict(type='str'), group=dict(type='str'))

ITEM_RULES = dict(required_one_of=[('client_id', 'name')], mutually_exclusive=[('logo', 'logo_path')])

# config's items are checked by _typed, not by AnsibleModule (its suboptions): with the same spec and
# Ansible's own type checks, a message that names the item, and a fifth of the time on a thousand items.
ARGUMENT_SPEC = dict(
    config=dict(type='list', elements='dict'),
    state=dict(type='str', choices=list(STATES), default='merged'),
    name_prefix=dict(type='str'),
    all_clients=dict(type='bool', default=False),
    parallel_writes=dict(type='int', default=4),
)


def _real_path(path):
    """Where a file really is: its folder with links, '.', '..' and '//' resolved."""
    return os.path.join(os.path.realpath(os.path.dirname(path) or '.'), os.path.basename(path))


class _NeedsNetwork(BaseException):
    """A BaseException, so that no ``except Exception`` of the engine takes it for a failure."""


class _Offline(object):
    """An API that refuses every request (see ClientSet._converge_all)."""

    def __getattr__(self, name):
        raise _NeedsNetwork(name)


_OFFLINE = _Offline()


_CHECK_TYPE = {'str': check_type_str, 'bool': check_type_bool, 'path': check_type_path, 'raw': check_type_raw,
               'list': check_type_list}


# Each item option's (type, element type), its default, and the Python types that need no conversion.
_ITEM_TYPES = dict((name, (spec['type'], spec.get('elements'))) for name, spec in ITEM_SPEC.items())
_ITEM_DEFAULTS = dict((name, spec.get('default')) for name, spec in ITEM_SPEC.items())
_READY = {'str': str, 'bool': bool}


def _label(index, item):
    """How a message names an item: config[2] ('Team Alpha: Sync')."""
    return 'config[%d]' % index + (' (%r)' % item['name'] if isinstance(item.get('name'), str) else '')


def _broken_rule(keys):
    """Whether the given options break an ITEM_RULES rule: only then are Ansible's checks run, for their
    message (they cost a thousand items a millisecond)."""
    return any(keys.isdisjoint(terms) for terms in ITEM_RULES['required_one_of']) or any(
        len(keys & set(terms)) > 1 for terms in ITEM_RULES['mutually_exclusive'])


def _typed(index, item, refuse):
    """One config item as ITEM_SPEC and ITEM_RULES say, with Ansible's own type checks; every option
    present (None when not given, or its default)."""
    given = dict((k, v) for k, v in item.items() if v is not None)
    unknown = sorted('%s' % k for k in given if k not in _ITEM_TYPES)
    if unknown:
        refuse('%s: %s %s not an option of a client; an item takes %s.' % (
            _label(index, item), ', '.join(unknown), 'is' if len(unknown) == 1 else 'are', ', '.join(sorted(ITEM_SPEC))))
    if _broken_rule(given.keys()):
        try:
            check_required_one_of(ITEM_RULES['required_one_of'], given)
            check_mutually_exclusive(ITEM_RULES['mutually_exclusive'], given)
        except TypeError as exc:
            refuse('%s: %s.' % (_label(index, item), exc))
    params = dict(_ITEM_DEFAULTS)
    for name, value in given.items():
        kind, elements = _ITEM_TYPES[name]
        if not ((kind in _READY and isinstance(value, _READY[kind])) or (
                kind == 'list' and isinstance(value, list) and all(isinstance(v, str) for v in value))):
            try:  # not as YAML gave it: converted as AnsibleModule would
                value = _CHECK_TYPE[kind](value)
                if elements:
                    value = [_CHECK_TYPE[elements](element) for element in value]
            except (TypeError, ValueError) as exc:
                refuse('%s: %s must be %s%s (%s).' % (_label(index, item), name, 'a list of ' if elements else 'a ',
                                                      elements or kind, exc))
        params[name] = value
    return params


class _Item(object):
    def __init__(self, index, params):
        self.index = index
        self.params = params
        self.label = _label(index, params)
        self.secret_file = None


class ClientSet(object):

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.state = module.params['state']
        self.local = threading.local()
        self.listing = None  # the portal's clients, read once by run()

    # ----- checks, before any request ----------------------------------------------------
    def _refuse(self, msg):
        self.module.fail(msg)

    def _items(self):
        p = self.params
        scoped = p['name_prefix'] is not None or p['all_clients']
        if p['name_prefix'] is not None and p['all_clients']:
            self._refuse('name_prefix and all_clients are mutually exclusive: the scope is either the clients whose '
                         'name starts with the prefix, or every client.')
        if p['name_prefix'] is not None and not p['name_prefix'].strip():
            self._refuse('name_prefix must not be empty: to mean every client, set all_clients: true.')
        if scoped and self.state not in ('overridden', 'deleted'):
            self._refuse('name_prefix and all_clients go with state overridden or deleted (they choose the clients '
                         'that the task may delete); state is %s.' % self.state)
        if self.state == 'overridden' and not scoped:
            self._refuse('state overridden deletes every client that config does not list, so it needs a scope: '
                         'set name_prefix (such as "Team Alpha: ", the start of the names this task owns) or '
                         'all_clients: true. Without one, a task could delete another team\'s apps.')
        if not 1 <= p['parallel_writes'] <= MAX_PARALLEL:
            self._refuse('parallel_writes must be 1 to %d (got %d): DocSpace allows 10 creates and 15 updates a minute '
                         'per user, so more would only wait.' % (MAX_PARALLEL, p['parallel_writes']))
        if self.state == 'gathered' and p['config']:
            self._refuse('config goes with states merged, replaced, overridden and deleted; state gathered reads the '
                         'portal and returns its clients as config.')
        items = [self._item(i, _typed(i, c, self._refuse)) for i, c in enumerate(p['config'] or [])]
        self._refuse_repeats(items)
        file_args = [n for n in FILE_OPTIONS if p.get(n) is not None]
        if file_args and not any(item.secret_file for item in items):
            self._refuse('%s %s only with secret_path on config items (the files that receive the secrets), and no '
                         'item sets it.' % (', '.join(file_args), 'applies' if len(file_args) == 1 else 'apply'))
        return items

    def _item(self, index, params):
        item = _Item(index, params)
        where = item.label + ': '
        params['state'] = 'absent' if self.state == 'deleted' else 'present'
        if params['client_id']:  # as DocSpace answers it: any other case would miss its client
            client_id = client_id_or_none(params['client_id'])
            if client_id is None:
                self._refuse(where + CLIENT_ID_RULE % params['client_id'])
            params['client_id'] = client_id
        problem = oc.logo_from_option(params)
        if problem:
            self._refuse(where + problem)
        problems = oc.validate(params)
        if problems:
            self._refuse('%sInvalid options: %s.' % (where, '; '.join(problems)))
        problem = file_options_alone(params, names=ITEM_FILE_OPTIONS)
        if problem:
            self._refuse(where + problem)
        if self.state == 'deleted':
            if params['secret_path'] is not None:
                self._refuse('%ssecret_path goes with the states that keep the client, not deleted.' % where)
            return item
        if self.state in ('replaced', 'overridden'):
            missing = oc.missing_for_create(params)
            if missing:
                self._refuse('%sstate %s makes each client exactly as given, so every field DocSpace requires must be '
                             'set: %s.' % (where, self.state, ', '.join(missing)))
            for field in oc.FIELDS:  # left out: back to the default a new client gets
                if params.get(field.option) is None and field.default is not None:
                    params[field.option] = field.default
        prefix = self.params['name_prefix']
        if self.state == 'overridden' and prefix is not None and not params['name'].startswith(prefix):
            self._refuse('%sname %r does not start with name_prefix %r: the task would create a client outside its '
                         'scope, which no later run of it would ever delete.' % (where, params['name'], prefix))
        if params['secret_path'] is not None:
            file_params = dict((n, self.params.get(n)) for n in FILE_OPTIONS + ('unsafe_writes',))
            file_params.update((n, params[n]) for n in ITEM_FILE_OPTIONS if params[n] is not None)
            item.secret_file = SecretFile(self.module, params['secret_path'], params=file_params, where=where)
        return item

    def _refuse_repeats(self, items):
        """Two items for one client, or for one file, would fight over it in one run. Clients that
        share a name (DocSpace allows it) are told apart by client_id; a file by where it really is."""
        for key in ('client_id', 'name', 'secret_path'):
            if key == 'name' and self.state == 'deleted':
                continue  # deleting a name twice is deleting it once
            seen = {}
            for item in items:
                value = item.params.get(key)
                if value is None or (key == 'name' and item.params['client_id']):
                    continue
                where = _real_path(value) if key == 'secret_path' else value
                if where in seen:
                    self._refuse('config[%d] and config[%d] have the same %s %r%s: each client (and each secret '
                                 'file) goes in config once.' % (seen[where], item.index, key, value, '' if where ==
                                                                 value else ' (%s)' % where))
                seen[where] = item.index

    # ----- the run ---------------------------------------------------------------------------
    def run(self):
        items = self._items()
        api = self.module.api
        if self.state == 'gathered':
            clients = sorted(api.list_clients(), key=lambda c: (c.get('name') or '', c['client_id']))
            return dict(changed=False, gathered=[oc.as_options(c) for c in clients])
        self.listing = Listing(api.list_clients())
        jobs = [(item.params, item.secret_file) for item in items]
        labels = [item.label for item in items]
        self._claim_or_fail_repeats([params for params, dummy in jobs], self.listing, labels)
        for client in self._outside_config(self.listing, items):
            params = dict((name, None) for name in ITEM_SPEC)
            params.update(client_id=client['client_id'], state='absent', recreate=False)
            jobs.append((params, None))
            labels.append('%r (%s)' % (client.get('name'), client['client_id']))
        engines, outcomes = self._converge_all(jobs)
        if any(e.pending for e in engines):
            again = Listing(api.list_clients())  # one look for twins after all the creates
            for index, engine in enumerate(engines):
                if engine.pending and outcomes[index] is None:
                    outcomes[index] = self._guarded(engine, lambda e: e.settle_twins(again))
        return self._report(engines, labels, outcomes)

    def _claim_or_fail_repeats(self, all_params, listing, labels):
        """An item by client_id and another by the name of that client would manage it twice."""
        by_id = dict((c['client_id'], c.get('name')) for c in listing)
        owner = {}
        for index, p in enumerate(all_params):
            name = p['name'] if p['client_id'] is None else by_id.get(p['client_id'])
            if name is None:
                continue
            other = owner.get(name)
            if other is not None and self.state != 'deleted' and (all_params[other]['client_id'] is None or
                                                                  p['client_id'] is None):
                self._refuse('%s and %s are the same client (named %r): each client goes in config once.'
                             % (labels[other], labels[index], name))
            owner.setdefault(name, index)

    def _outside_config(self, listing, items):
        """The clients a scope lets this task delete: in the scope, and neither listed by id nor named by
        any item (a name that several clients share stays with its item, which decides or fails)."""
        p = self.params
        if p['name_prefix'] is None and not p['all_clients']:
            return []
        ids = set(i.params['client_id'] for i in items if i.params['client_id'])
        names = set(i.params['name'] for i in items if i.params['name'])
        names.update(c.get('name') for c in listing if c['client_id'] in ids)
        return [c for c in listing if (p['all_clients'] or (c.get('name') or '').startswith(p['name_prefix']))
                and c['client_id'] not in ids and c.get('name') not in names]

    def _worker_api(self):
        """Each worker thread its own session; the credential, pacing and catalogue are shared."""
        if not hasattr(self.local, 'api'):
            self.local.api = self.module.api.fork()
        return self.local.api

    def _guarded(self, engine, work):
        """None when ``work(engine)`` went through, else the message of its failure."""
        try:
            work(engine)
            return None
        except DocSpaceError as exc:
            engine.result.update(getattr(exc, 'result', {}))
            return self.module.scrub(str(exc))
        except Exception as exc:  # pylint: disable=broad-except
            return self.module.scrub('Unexpected %s: this is a bug in the onlyoffice.docspace collection, please '
                                     'report it: %s' % (type(exc).__name__, exc), limit=300)

    def _engine(self, params, secret_file, api):
        engine = ClientEngine(self.module, params, api=api, listing=self.listing, secret_file=secret_file,
                              twins_later=True, validated=True)
        engine.secret_key = 'secrets'
        engine.whole_client = False  # results only name each client: every client's options would be dropped
        return engine

    def _converge_all(self, jobs):
        """(the engines, each one's failure message or None). Each client is first decided here with an
        API that refuses every request: most (an unchanged client, a check-mode change) need none and are
        done at once. One that does is decided again from the start by a worker, with a session, and its
        warnings of the first try are dropped; the others' are given."""
        engines, outcomes, online = [], [], []
        for index, (params, secret_file) in enumerate(jobs):
            engine = self._engine(params, secret_file, _OFFLINE)
            engine.warnings = []
            try:
                outcomes.append(self._guarded(engine, lambda e: e.converge()))
                for message in engine.warnings:
                    self.module.warn(message)
            except _NeedsNetwork:
                engine = self._engine(params, secret_file, None)
                outcomes.append(None)
                online.append(index)
            engine.warnings = None
            engines.append(engine)

        def one(index):
            engines[index].api = self._worker_api()
            outcomes[index] = self._guarded(engines[index], lambda e: e.converge())
        if online:
            with ThreadPoolExecutor(max_workers=self.params['parallel_writes']) as pool:
                list(pool.map(one, online))
        return engines, outcomes

    # ----- the result --------------------------------------------------------------------------
    def _report(self, engines, labels, outcomes):
        results, diffs, secrets = [], [], {}
        counts = dict((action, 0) for action in ACTIONS)
        for engine, label, problem in zip(engines, labels, outcomes):
            result = engine.result
            client = result.get('client') or {}
            found = engine.found or {}
            entry = dict(name=client.get('name') or engine.params.get('name') or found.get('name'),
                         client_id=client.get('client_id') or found.get('client_id') or engine.params.get('client_id'),
                         action='failed' if problem else engine.action)
            for key in ('secret_path', 'deleted_copies'):
                if key in result:
                    entry[key] = result[key]
            if problem:
                entry['msg'] = problem
            counts[entry['action']] += 1
            counts['deleted'] += len(result.get('deleted_copies', []))
            if result.get('client_secret'):
                secrets[entry['name']] = result['client_secret']
            if 'diff' in result:
                header = '%s %s' % (label, entry['client_id'] or '(new)')
                diffs.append(dict(result['diff'], before_header=header, after_header=header))
            results.append(entry)
        out = dict(changed=any(e.result['changed'] for e in engines), results=results, counts=counts)
        if secrets:
            out['secrets'] = secrets
        if diffs:
            out['diff'] = diffs
        failed = [(label, problem) for label, problem in zip(labels, outcomes) if problem]
        if failed:
            out['msg'] = '%d of %d clients failed: %s' % (len(failed), len(engines), ' '.join(
                '%s: %s' % (label, problem) for label, problem in failed))
        return out
