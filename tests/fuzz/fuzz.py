# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fuzz.py [--seed S] [--seconds T] [--jobs J] [--only I] [--steps FILE] [--shrink-seconds T] [--report JSON]

A stateful fault fuzzer: random sequences of module runs (alone, two at once, killed) over a few
app names, with random faults injected by the emulator, then the invariants of invariants.py.

Why a seeded schedule of our own and not hypothesis' stateful testing: every step is real
processes, real sockets and wall-clock timeouts, so a sequence is never exactly reproducible and
hypothesis would report its flaky replays as errors; its shrinking reruns would also eat the time
budget that ``make fuzz-ci`` has. A seed gives each sequence its plan (plain JSON, printed with any
violation), ``--only`` reruns one, and ``--shrink-seconds`` drops steps while the violation stays.
Exits 1 on any violation, and when no sequence ran.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import random
import sys
import threading
import time
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  pylint: disable=wrong-import-position
import portal  # noqa: E402  pylint: disable=wrong-import-position
import schedule  # noqa: E402  pylint: disable=wrong-import-position
from sequence import TIMEOUT, Sequence  # noqa: E402  pylint: disable=wrong-import-position


def describe_run(run):
    what = run['op']
    if run['op'] == 'client':
        what = 'client %s' % run['how']
        if run.get('field'):
            what += ' %s=%r' % (run['field'], run['args'][run['field']])
        elif run['how'] == 'recreate':
            what += ' website_url=%s' % run['args']['website_url']
    extra = [k for k in ('secret_path', 'diff') if run.get(k)] + (['recreate'] if run.get('recreate') else [])
    return '%s %s (by %s, %s, retries %s%s)' % (what, run['letter'], run.get('by', 'name'), run['auth'],
                                                run['retries'], ''.join(', ' + e for e in extra))


def describe(index, step, hit=None):
    """One step as text; a fault a request hit is marked '*' (``hit``: one bool per planned fault)."""
    runs = ' | '.join(describe_run(r) for r in step['runs'])
    text = '%2d %-4s %s' % (index, step['kind'], runs)
    if step['kind'] == 'kill':
        text += ' (SIGKILL at %.2f s)' % step['kill_after']
    for i, plan in enumerate(step['faults']):
        detail = dict((k, v) for k, v in plan['fault'].items() if k not in ('action', 'location'))
        text += '\n     %s fault %s on %s (after %d) %s' % (
            '*' if hit and hit[i] else ' ', plan['kind'], plan['endpoint'], plan['skip'],
            json.dumps(detail) if detail else '')
    return text


def run_sequence(plan, label):
    return Sequence(plan, label, TIMEOUT).run()


def shrink(plan, label, invariant, deadline):
    """Drop steps (last first), then single faults, while the violation of ``invariant`` still shows.
    Returns the smallest plan and the text of its last failing run (faults hit marked)."""
    best, text = plan, None

    def without(i, j=None):
        steps = [dict(s) for s in best['steps']]
        if j is None:
            del steps[i]
        else:
            steps[i]['faults'] = steps[i]['faults'][:j] + steps[i]['faults'][j + 1:]
        return dict(best, steps=steps)

    for where in [(i, None) for i in reversed(range(len(plan['steps'])))] + \
            [(i, j) for i in reversed(range(len(plan['steps']))) for j in reversed(range(4))]:
        if time.time() > deadline:
            break
        i, j = where
        if i >= len(best['steps']) or j is not None and j >= len(best['steps'][i]['faults']):
            continue
        trial = without(i, j)
        seq = run_sequence(trial, label)
        if any(v['invariant'] == invariant for v in seq.violations):
            best = trial
            text = [describe(k, s, seq.hit.get(k)) for k, s in enumerate(best['steps'])]
    return best, text or [describe(k, s) for k, s in enumerate(best['steps'])]


class Stats(object):

    def __init__(self, seed):
        self.seed, self.started = seed, time.time()
        self.sequences = self.runs = self.redirects_followed = 0
        self.armed, self.injected = collections.Counter(), collections.Counter()
        self.outcomes = collections.Counter()
        self.by_invariant = collections.Counter()
        self.failures = []

    def add(self, seq, index):
        self.sequences += 1
        self.runs += len(seq.records)
        self.armed.update(p['kind'] for s in seq.plan['steps'] for p in s['faults'])
        self.injected.update(p['kind'] for p in seq.taken)
        self.redirects_followed += len(seq.capture.requests)
        for r in seq.records:
            self.outcomes['killed' if r['killed'] else 'hung' if r['hung'] else
                          'failed' if not r['result'] or r['result'].get('failed') else 'ok'] += 1
        self.by_invariant.update(str(v['invariant']) for v in seq.violations)
        if seq.violations:
            self.failures.append({'sequence': index, 'label': seq.label, 'violations': seq.violations,
                                  'steps': [describe(i, s, seq.hit.get(i)) for i, s in enumerate(seq.plan['steps'])],
                                  'plan': seq.plan})

    def report(self, unsupported):
        return {'seed': self.seed, 'seconds': round(time.time() - self.started, 1), 'sequences': self.sequences,
                'module_runs': self.runs, 'run_outcomes': dict(self.outcomes),
                'faults_armed': dict(self.armed), 'faults_injected': dict(self.injected),
                'fault_kinds_unsupported_by_emulator': sorted(unsupported),
                'redirects_followed_to_other_origin': self.redirects_followed,
                'violations_by_invariant': dict(self.by_invariant),
                'violations': sum(self.by_invariant.values()),
                'failures': [dict((k, v) for k, v in f.items() if k != 'shrunk_plans') for f in self.failures]}

    def closing(self):
        return ('fuzz: %d sequences, %d module runs, %d faults injected, %d invariant violations'
                % (self.sequences, self.runs, sum(self.injected.values()), sum(self.by_invariant.values())))


def save_plans(failure, folder):
    """Each failing plan (and its shrunk ones) as JSON for --steps; their paths."""
    os.makedirs(folder, exist_ok=True)
    paths = {}
    for key, plan in [('all', failure['plan'])] + sorted(failure.get('shrunk_plans', {}).items()):
        paths[key] = os.path.join(folder, 'fuzz-%s-%s.json' % (failure['label'].replace('/', '-'), key))
        with open(paths[key], 'w') as handle:
            json.dump(plan, handle, indent=1)
    return paths


def print_failure(failure, seed, paths):
    again = [] if failure['label'].endswith('/steps') else ['--seed %s --only %s' % (seed, failure['sequence'])]
    again += ['--steps %s' % os.path.relpath(paths['all'])] if paths else []
    print('\n== sequence %s (rerun: .venv/bin/python tests/fuzz/fuzz.py %s)' % (failure['label'], ', or '.join(again)))
    print('\n'.join('   ' + s for s in failure['steps']))
    for v in failure['violations']:
        where = ' [step %s, run %s]' % (v.get('step'), v.get('run')) if v.get('run') else ''
        print('  INVARIANT %s%s: %s' % (v['invariant'], where, v['detail']))
        if v.get('excerpt'):
            print('      %s' % v['excerpt'][:700].replace('\n', '\n      '))
    for inv, steps in sorted(failure.get('shrunk', {}).items()):
        print('  shrunk, still breaking invariant %s%s:\n%s' % (
            inv, ' (--steps %s)' % os.path.relpath(paths[inv]) if paths else '', '\n'.join('     ' + s for s in steps)))


def junit(path, report):
    """One test case per invariant, so make test's summary counts the fuzzer."""
    cases = ['<testcase classname="fuzz" name="sequences ran">%s</testcase>'
             % ('' if report['sequences'] else '<failure message="no sequence ran"/>')]
    for n in range(1, 8):
        bad = report['violations_by_invariant'].get(str(n), 0)
        cases.append('<testcase classname="fuzz" name="invariant %d">%s</testcase>' % (
            n, '<failure message="%s"/>' % escape('%d violations' % bad, {'"': '&quot;'}) if bad else ''))
    failed = sum(1 for c in cases if '<failure' in c)
    with open(path, 'w') as handle:
        handle.write('<?xml version="1.0"?>\n<testsuites><testsuite name="fuzz" tests="%d" failures="%d">%s'
                     '</testsuite></testsuites>\n' % (len(cases), failed, ''.join(cases)))


def plans(args, supported):
    """(label, index, plan) of each sequence to run, endless unless --only or --steps."""
    if args.steps:
        with open(args.steps) as handle:
            yield '%s/steps' % args.seed, 0, json.load(handle)
        return
    index = args.only or 0
    while True:
        label = '%s/%d' % (args.seed, index)
        yield label, index, schedule.sequence(random.Random(label), supported, TIMEOUT)
        if args.only is not None:
            return
        index += 1


def run_all(args, supported, stats):
    """Sequences ``--jobs`` at a time (each has its own emulator) until the budget or the count is spent."""
    slowest, lock = [0.0], threading.Lock()

    def deadline():  # once a sequence failed, keep --shrink-seconds of the budget to shrink it
        return stats.started + args.seconds - (args.shrink_seconds if stats.failures else 0)

    def one(label, index, plan):
        began = time.time()
        seq = run_sequence(plan, label)
        with lock:
            slowest[0] = max(slowest[0], time.time() - began)
            stats.add(seq, index)
            print('%s sequence %s: %d steps, %d runs, %d faults injected, %d violations (%.1f s)' % (
                '!' if seq.violations else '.', label, len(plan['steps']), len(seq.records), len(seq.taken),
                len(seq.violations), time.time() - began), flush=True)

    source, started, running = plans(args, supported), 0, set()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        while True:
            while len(running) < args.jobs and (not args.sequences or started < args.sequences) \
                    and (not started or time.time() + slowest[0] < deadline()):
                item = next(source, None)
                if item is None:
                    break
                running.add(pool.submit(one, *item))
                started += 1
            if not running:
                break
            done, running = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                future.result()  # a harness error stops the fuzzer, loudly


def shrink_failures(args, stats):
    """Shrink the first failure of each invariant, in what is left of the budget."""
    deadline, done = max(stats.started + args.seconds, time.time() + 30), set()
    for failure in list(stats.failures):
        for inv in sorted(set(v['invariant'] for v in failure['violations']) - done):
            if time.time() > deadline:
                return
            small, text = shrink(failure['plan'], failure['label'], inv, deadline)
            done.add(inv)
            failure.setdefault('shrunk', {})[str(inv)] = text
            failure.setdefault('shrunk_plans', {})[str(inv)] = small


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[2])
    parser.add_argument('--seed', default=os.environ.get('FUZZ_SEED') or str(random.SystemRandom().randrange(10**8)))
    parser.add_argument('--seconds', type=float, default=float(os.environ.get('FUZZ_SECONDS') or 600),
                        help='start no sequence that could end after this budget')
    parser.add_argument('--sequences', type=int, default=0, help='at most this many (0: as many as fit)')
    parser.add_argument('--jobs', type=int, default=1, help='sequences at once, each with its own emulator')
    parser.add_argument('--only', type=int, help='run only this sequence of the seed')
    parser.add_argument('--steps', help='run this plan (JSON: {"letters", "steps"}, as the report holds it)')
    parser.add_argument('--shrink-seconds', type=float, default=0,
                        help='once a sequence failed, keep this much of the budget to shrink failures')
    parser.add_argument('--report', help='write the JSON report here')
    parser.add_argument('--junit', help='write a JUnit XML file here')
    args = parser.parse_args(argv)

    supported = portal.supported_actions()
    unsupported = set(k for k, v in faults.KINDS.items() if v[1] not in supported)
    print('fuzz: seed %s, budget %.0f s, %d at once, module timeout %.1f s%s' % (
        args.seed, args.seconds, args.jobs, TIMEOUT,
        ', fault kinds the emulator lacks (skipped): ' + ', '.join(sorted(unsupported)) if unsupported else ''))
    stats = Stats(args.seed)
    run_all(args, supported, stats)
    if args.shrink_seconds:
        shrink_failures(args, stats)

    report = stats.report(unsupported)
    for failure in sorted(stats.failures, key=lambda f: f['sequence']):
        paths = save_plans(failure, os.path.join(os.path.dirname(os.path.abspath(args.report)), 'fuzz-plans')) \
            if args.report else {}
        print_failure(failure, args.seed, paths)
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, 'w') as handle:
            json.dump(report, handle, indent=1)
    if args.junit:
        os.makedirs(os.path.dirname(os.path.abspath(args.junit)), exist_ok=True)
        junit(args.junit, report)
    print('fuzz: runs %s; faults injected %s; redirects followed to the other origin: %d' % (
        dict(stats.outcomes), dict(stats.injected), stats.redirects_followed))
    print('fuzz: violations by invariant %s (seed %s, %.0f s)' % (dict(stats.by_invariant), args.seed,
                                                                  time.time() - stats.started))
    print(stats.closing())
    if not stats.sequences:
        print('fuzz: FAILED, no sequence ran')
    return 1 if stats.by_invariant or not stats.sequences else 0


if __name__ == '__main__':
    sys.exit(main())
