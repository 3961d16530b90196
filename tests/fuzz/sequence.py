# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one planned sequence: each step's runs under its faults, then a clean converge, then the checks.

The model holds, for each app, the last state a run asked for and reported done (None: absent).
An app is ``dirty`` while a run on it failed, was killed, or may still see a late commit: then
only the converge may settle it. A clean app must already equal the model before the converge.
"""

import json
import os
import shutil
import tempfile
import time
import urllib.request

import faults
import invariants
import portal
from runner import Process

TIMEOUT = 0.5  # the modules' per-request timeout: short, so faults cost little time


class Sequence(object):

    def __init__(self, plan, label, timeout=TIMEOUT):
        self.plan, self.label, self.timeout = plan, label, timeout
        self.model = dict((letter, None) for letter in plan['letters'])
        self.dirty = set()
        self.secret_files = {}  # letter -> the secret_path of its runs
        self.late_until = 0.0   # a late commit of a fault taken so far may land until then
        self.records = []       # every run: the record of runner.Process.finish, plus 'run', 'step', 'args'
        self.taken = []         # the planned faults a request hit
        self.hit = {}           # step index -> for each of its planned faults, whether a request hit it
        self.violations = []

    # ----- arguments ----------------------------------------------------------------------
    def connection(self, run, tag):
        args = {'base_url': self.url, 'timeout': self.timeout, 'retries': run.get('retries', 1),
                'http_agent': 'fuzz/' + tag}
        if run.get('auth') == 'password':
            admin = self.em.credentials()['admin']
            args.update(username=admin['user_name'], password=admin['password'])
        else:
            args['api_key'] = portal.ADMIN_KEY
            if run.get('auth') == 'signature':
                args['signature'] = self.signature
        return args

    def current_id(self, letter):
        """The id of the one client named for ``letter`` now, for a run that looks up by id."""
        ids = [c['client_id'] for c in self.em.snapshot() if c['name'] == 'Fuzz App ' + letter]
        return ids[0] if len(ids) == 1 else None

    def module_args(self, run, tag):
        args = self.connection(run, tag)
        name = 'Fuzz App ' + run['letter']
        cid = self.current_id(run['letter']) if run.get('by') == 'id' else None
        if run['op'] == 'client':
            args.update(run['args'], recreate=run.get('recreate', False), _ansible_diff=run.get('diff', False))
        elif run['op'] == 'absent':
            args.update(name=name, state='absent', _ansible_diff=run.get('diff', False))
        elif run['op'] in ('rotate', 'read'):
            args.update(state='regenerated' if run['op'] == 'rotate' else 'present')
            args.update({'client_id': cid} if cid else {'name': name})
            if run.get('secret_path'):
                args['secret_path'] = os.path.join(self.workdir, 'secret-' + run['letter'])
            return args
        elif run['op'] == 'info':
            args.update({'client_id': [cid]} if cid else {'name': name}, view=run.get('view', 'full'))
            return args
        if cid:
            args['client_id'] = cid
        return args

    # ----- steps ----------------------------------------------------------------------------
    def step(self, index, step):
        tags = ['s%02d.%d' % (index, i) for i in range(len(step['runs']))]
        argsets = [self.module_args(run, tag) for run, tag in zip(step['runs'], tags)]
        armed = faults.arm(self.em, step['faults'], self.capture.url)
        procs = [Process(run['op'], args, self.workdir, tag) for run, args, tag in zip(step['runs'], argsets, tags)]
        if step['kind'] == 'kill':
            time.sleep(step['kill_after'])
            procs[0].kill()
        records = [p.finish() for p in procs]
        taken = faults.disarm(self.em, armed)
        self.taken.extend(taken)
        self.hit[index] = [any(t is p for t in taken) for p in step['faults']]
        if any(faults.KINDS[t['kind']][2] == 'late' for t in taken) or step['kind'] == 'kill':
            # A delayed or dropped-then-committed request (or a killed run's) may commit this long after.
            self.late_until = max(self.late_until, time.time() + faults.LATE_MAX * self.timeout + 0.5)
            self.dirty.update(run['letter'] for run in step['runs'])
        for run, args, record in zip(step['runs'], argsets, records):
            record.update(run=run, step=index, args=args)
            self.records.append(record)
            self.learn(step, run, record)
            if args.get('secret_path'):  # failed or not: the converge's state=present must put it right
                self.secret_files[run['letter']] = args['secret_path']
        if step['kind'] == 'solo':
            self.violations += invariants.handed_secrets(self, records[0])

    def learn(self, step, run, record):
        """Fold one run into the model: a success states what the server holds; anything else makes it unknown."""
        letter = run['letter']
        if not invariants.succeeded(record):
            # What it sent may still be on its way (a loaded emulator is a late one): wait as for a late fault.
            self.late_until = max(self.late_until, record['ended'] + faults.LATE_MAX * self.timeout + 0.5)
            self.dirty.add(letter)
            return
        if run['op'] == 'client' and run.get('how') == 'partial':
            if self.model[letter] is None:  # it changed a client the model thought gone: adopt the server's
                self.dirty.add(letter)
                rows = [c for c in self.em.snapshot() if c['name'] == 'Fuzz App ' + letter]
                self.model[letter] = invariants.observed(rows[0]) if len(rows) == 1 else None
            else:
                self.model[letter] = dict(self.model[letter], **dict((k, v) for k, v in run['args'].items()
                                                                     if k != 'name'))
        elif run['op'] in ('client', 'absent'):
            self.model[letter] = dict(run['args']) if run['op'] == 'client' else None
            if step['kind'] == 'solo' and record['started'] >= self.late_until:
                self.dirty.discard(letter)  # a full desired state, alone, after every late commit

    # ----- the whole sequence -----------------------------------------------------------------
    def run(self):
        self.em = portal.RecordingEmulator(admin_api_key=portal.ADMIN_KEY)
        self.capture = portal.Capture()
        self.workdir = tempfile.mkdtemp(prefix='docspace-fuzz-')
        try:
            with portal.serving(self.em) as self.url:
                self.em.tenant_url = self.url
                self.signature = self.get_signature()
                for index, step in enumerate(self.plan['steps']):
                    self.step(index, step)
                time.sleep(max(0.0, self.late_until - time.time()))  # every late commit has landed
                self.violations += invariants.settled(self)
                self.converge()
                self.violations += invariants.converged(self)
                self.violations += invariants.per_run(self)
        finally:
            self.capture.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self

    def get_signature(self):
        request = urllib.request.Request(self.url + '/api/2.0/security/oauth2/token',
                                         headers={'Authorization': 'Bearer ' + portal.ADMIN_KEY})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)['response']

    def converge(self):
        """The model's state, applied with no fault: every app, then every secret file."""
        for letter in self.plan['letters']:
            want = self.model[letter]
            run = {'op': 'client', 'letter': letter, 'args': want, 'recreate': True} if want else \
                {'op': 'absent', 'letter': letter}
            self.converge_run(run)
        for letter, path in sorted(self.secret_files.items()):
            if self.model[letter]:
                self.converge_run({'op': 'read', 'letter': letter, 'secret_path': True})

    def converge_run(self, run):
        tag = 'converge.%d' % len([r for r in self.records if r['step'] == 'converge'])
        args = self.module_args(dict(run, auth='api_key', retries=1), tag)
        record = Process(run['op'], args, self.workdir, tag).finish()
        record.update(run=run, step='converge', args=args)
        self.records.append(record)
