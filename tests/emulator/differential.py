# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Differential testing: what a target answers to the tests' HTTP exchanges, against what the emulator answers.

Each exchange is kept as what may be compared between two servers, never a dynamic value: the request
(method, path and query with ids and timestamps replaced), the status, the body's shape (dict -> its keys'
shapes, list -> its items' shape, scalar -> type name), the error texts (with ids, timestamps, e-mail
addresses and tenant numbers replaced) and a few headers (rate limit, Content-Type, Retry-After, Location).
expected_answers.json holds the emulator's (``make expectations``); compare() aligns a run's exchanges with
them test by test, and write_report() writes the differences as JSON and Markdown. conftest.py drives it.
"""

import difflib
import hashlib
import json
import os
import re
from urllib.parse import parse_qsl, urlsplit

FORMAT = 1
EXPECTATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'expected_answers.json')

UUID_RE = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
TIMESTAMP_RE = re.compile(r'\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?')
EMAIL_RE = re.compile(r'[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+')
TENANT_RE = re.compile(r'\btenant \d+')  # a portal's tenant id is its own
# Only for the failure messages of tests (assertion output may quote a value): keys, JWTs, client secrets.
JWT_RE = re.compile(r'[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}')
API_KEY_RE = re.compile(r'\bsk-[\w-]+')
SECRET_RE = re.compile(r'\b[A-Za-z0-9]{32,}\b')
TAG_RE = re.compile(r'<[^>]*>')
KINDS = ('not-sent', 'refused', 'throttled')  # exchanges that are reported apart, never compared


# ----- normalising one exchange --------------------------------------------------------------
def normalise_text(text):
    """A server's message with what varies between two servers (or two runs) replaced."""
    text = UUID_RE.sub('{id}', text)
    text = TIMESTAMP_RE.sub('{ts}', text)
    text = EMAIL_RE.sub('{email}', text)
    return TENANT_RE.sub('tenant {n}', text)


def scrub(text):
    """normalise_text, and no credential or secret either (for test failure messages)."""
    text = JWT_RE.sub('{jwt}', normalise_text(text))
    return SECRET_RE.sub('{secret}', API_KEY_RE.sub('{key}', text))


def _query_value(value):
    value = UUID_RE.sub('{id}', value)
    return TIMESTAMP_RE.sub('{ts}', value)


def request_key(method, url):
    """'METHOD /path?query' with ids and timestamps replaced; the path as sent (still encoded)."""
    parts = urlsplit(url)
    key = '%s %s' % (method.upper(), UUID_RE.sub('{id}', parts.path or '/'))
    if parts.query:
        key += '?' + '&'.join('%s=%s' % (k, _query_value(v))
                              for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return key


def shape(value):
    """dict -> {key: shape}, list -> [shape of its items] (several when they differ), scalar -> type name."""
    if isinstance(value, dict):
        return dict((k, shape(v)) for k, v in value.items())
    if isinstance(value, list):
        shapes = {}
        for item in value:
            item_shape = shape(item)
            shapes[canonical(item_shape)] = item_shape
        return [shapes[k] for k in sorted(shapes)]
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, int):
        return 'int'
    if isinstance(value, float):
        return 'float'
    return 'str'


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=True)


def _texts(value, path, out):
    if isinstance(value, dict):
        for key in sorted(value):
            _texts(value[key], '%s.%s' % (path, key) if path else key, out)
    elif isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict):  # e.g. errors[]: one 'field=...; code=...; message=...' per item
                leaves = {}
                _texts(item, '', leaves)
                if leaves:
                    items.append('; '.join('%s=%s' % (k, v) for k, v in sorted(leaves.items())))
            elif isinstance(item, str):
                items.append(normalise_text(item))
        if items:
            out[path + '[]'] = sorted(items)
    elif isinstance(value, str):
        out[path or '(value)'] = normalise_text(value)


def exchange(method, url, status, headers, content, kind=None):
    """The comparable record of one exchange. headers: a case-insensitive mapping (requests')."""
    record = {'request': request_key(method, url), 'status': status}
    ctype = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
    data, is_json = None, False
    if content:
        try:
            data, is_json = json.loads(content.decode('utf-8')), True
        except ValueError:
            pass
    record['body'] = shape(data) if is_json else ('(text)' if content else '(empty)')
    if status >= 400:
        texts = {}
        if is_json:
            _texts(data, '', texts)
        elif content:
            words = ' '.join(TAG_RE.sub(' ', content.decode('utf-8', 'replace')).split())
            texts['(text)'] = normalise_text(words[:160])
        if texts:
            record['text'] = texts
    picked = {}
    if ctype:
        picked['content-type'] = ctype
    if headers.get('X-Ratelimit-Limit') is not None:
        picked['x-ratelimit-limit'] = headers['X-Ratelimit-Limit'].strip()
    for name in ('X-Ratelimit-Remaining', 'X-Ratelimit-Reset'):
        if headers.get(name) is not None:
            picked[name.lower()] = 'int' if re.fullmatch(r'-?\d+', headers[name].strip()) else 'str'
    for name in ('Retry-After', 'Location'):
        if headers.get(name) is not None:
            picked[name.lower()] = 'present'
    if picked:
        record['headers'] = picked
    guard = (headers.get('X-Live-Guard') or '').strip().lower()
    if guard in ('not-sent', 'refused'):
        kind = guard
    if kind:
        record['kind'] = kind
    return record


def wait_after_429(headers, default=60.0, most=65.0):
    """Seconds to wait after a 429: X-Ratelimit-Reset (seconds, or nanoseconds as the registration
    service's bucket4j filter sends it), else Retry-After, else a minute."""
    for name in ('X-Ratelimit-Reset', 'Retry-After'):
        try:
            value = float(headers.get(name))
        except (TypeError, ValueError):
            continue
        if value > 1e6:
            value /= 1e9
        return min(max(value, 1.0), most)
    return default


def key_of(nodeid):
    """A test's key: its file's name and the rest of the node id, whatever the rootdir; a very long
    parametrised id is cut, with a digest of the whole, so that the expectations stay readable."""
    path, sep, rest = nodeid.partition('::')
    key = os.path.basename(path) + sep + rest
    if len(key) > 200:
        key = key[:180] + '...' + hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]
    return key


class Recorder(object):
    """Collects the exchanges of the test that is running (start/stop around its call)."""

    def __init__(self):
        self.observed = {}
        self.current = None
        self.paused = 0

    def start(self, key):
        self.current = key
        self.observed.setdefault(key, [])

    def stop(self):
        self.current = None

    def active(self):
        return self.current is not None and not self.paused

    def record(self, response, kind=None):
        """Keep ``response`` (a requests.Response) for the running test; returns the record or None."""
        if not self.active():
            return None
        request = (response.history[0] if response.history else response).request  # as sent, query included
        record = exchange(request.method, request.url, response.status_code, response.headers, response.content,
                          kind)
        self.observed[self.current].append(record)
        return record


# ----- expectations --------------------------------------------------------------------------
def load_expectations(path=EXPECTATIONS):
    if not os.path.exists(path):
        return {}
    with open(path, encoding='utf-8') as handle:
        data = json.load(handle)
    if data.get('format') != FORMAT:
        raise ValueError('%s: format %r, this differential.py reads %r' % (path, data.get('format'), FORMAT))
    shapes = data.get('shapes', {})
    tests = {}
    for test, items in data['tests'].items():
        tests[test] = expand(items)
        for item in tests[test]:
            if isinstance(item['body'], str) and item['body'].startswith('#'):
                item['body'] = shapes[item['body']]
    return tests


def expand(items):
    out = []
    for item in items:
        item = dict(item)
        times = item.pop('times', 1)
        out.extend(dict(item) for dummy in range(times))
    return out


def _fold(items):
    """Runs of identical exchanges (120 creates) as one with 'times'."""
    out = []
    for item in items:
        if out and canonical(dict(out[-1], times=1)) == canonical(dict(item, times=1)):
            out[-1]['times'] = out[-1].get('times', 1) + 1
        else:
            out.append(dict(item))
    return out


def _line(item):
    """One exchange: the request first, then what came back; nested keys sorted."""
    order = ('request', 'status', 'body', 'text', 'headers', 'kind', 'times')
    keys = [k for k in order if k in item] + sorted(k for k in item if k not in order)
    return '{%s}' % ', '.join('%s: %s' % (json.dumps(k), json.dumps(item[k], sort_keys=True, ensure_ascii=True))
                              for k in keys)


def _shape_names(tests):
    """A name ('#' and a digest of it) for each big body shape answered more than once (a client, a page)."""
    seen = {}
    for items in tests.values():
        for item in items:
            if isinstance(item['body'], (dict, list)) and len(canonical(item['body'])) > 80:
                text = canonical(item['body'])
                seen[text] = seen.get(text, 0) + 1
    return dict((text, '#' + hashlib.sha1(text.encode('ascii')).hexdigest()[:8]) for text, n in seen.items() if n > 1)


def dump_expectations(tests, path=EXPECTATIONS):
    """One exchange a line, tests in order, keys sorted: a diff of it reads as what changed. A body shape
    answered more than once is written once under 'shapes' and named in the exchanges."""
    names = _shape_names(tests)
    lines = ['{', '  "about": "What the emulator answers to the HTTP exchanges of the tests in tests/emulator: '
             're-recorded by make expectations, compared by differential.py.",', '  "format": %d,' % FORMAT,
             '  "shapes": {']
    shapes = sorted((name, text) for text, name in names.items())
    lines += ['    "%s": %s%s' % (name, json.dumps(json.loads(text), sort_keys=True),
                                  ',' if n < len(shapes) - 1 else '') for n, (name, text) in enumerate(shapes)]
    lines += ['  },', '  "tests": {']
    tests = dict((test, [dict(item, body=names.get(canonical(item['body']), item['body'])) for item in items])
                 for test, items in tests.items())
    names = sorted(t for t in tests if tests[t])
    for n, test in enumerate(names):
        lines.append('    %s: [' % json.dumps(test))
        folded = _fold(tests[test])
        for m, item in enumerate(folded):
            lines.append('      %s%s' % (_line(item), ',' if m < len(folded) - 1 else ''))
        lines.append('    ]%s' % (',' if n < len(names) - 1 else ''))
    lines += ['  }', '}', '']
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines))
    os.replace(tmp, path)


# ----- comparing -----------------------------------------------------------------------------
def _render(value):
    return value if isinstance(value, str) else canonical(value)


def shape_differences(expected, observed, path):
    if expected == observed:
        return []
    if isinstance(expected, dict) and isinstance(observed, dict):
        out = []
        for key in sorted(set(expected) | set(observed)):
            where = '%s.%s' % (path, key)
            if key not in observed:
                out.append((where, _render(expected[key]), '(missing)'))
            elif key not in expected:
                out.append((where, '(absent)', _render(observed[key])))
            else:
                out.extend(shape_differences(expected[key], observed[key], where))
        return out
    if isinstance(expected, list) and isinstance(observed, list) and len(expected) == len(observed) == 1:
        return shape_differences(expected[0], observed[0], path + '[]')
    return [(path, _render(expected), _render(observed))]


def exchange_differences(expected, observed):
    """[(field, expected, observed)] between two records of the same request."""
    out = []
    if expected['status'] != observed['status']:
        out.append(('status', str(expected['status']), str(observed['status'])))
    out.extend(shape_differences(expected['body'], observed['body'], 'body'))
    for group, label in (('text', 'text '), ('headers', 'header ')):
        want, got = expected.get(group, {}), observed.get(group, {})
        for key in sorted(set(want) | set(got)):
            if want.get(key) != got.get(key):
                out.append((label + key, _render(want[key]) if key in want else '(absent)',
                            _render(got[key]) if key in got else '(absent)'))
    return out


def _label(seq, record):
    return '#%d %s' % (seq, record['request'])


def compare(expected, observed, outcomes=None):
    """Align each test's observed exchanges with its expected ones (by request, in order) and list what
    differs. outcomes: test -> 'passed', 'failed', 'skipped' or 'emulator-only'. An expected exchange a
    passing test did not make is a difference; one that a failed or skipped test did not reach is not."""
    outcomes = outcomes or {}
    report = {'differences': {}, 'not_sent': [], 'refused': [], 'throttled': [], 'without_expectation': [],
              'not_made': [], 'compared': 0, 'exchanges': 0}
    for test in sorted(observed):
        records = observed[test]
        report['exchanges'] += len(records)
        regular = []
        for seq, record in enumerate(records, 1):
            kind = record.get('kind')
            if kind in KINDS:
                entry = {'test': test, 'exchange': _label(seq, record)}
                if record.get('text'):
                    entry['text'] = '; '.join('%s: %s' % (k, _render(v)) for k, v in sorted(record['text'].items()))
                report[kind.replace('-', '_')].append(entry)
            else:
                regular.append((seq, record))
        wanted = expected.get(test)
        if wanted is None:
            for seq, record in regular:
                report['without_expectation'].append({'test': test, 'exchange': _label(seq, record),
                                                      'why': 'no expectation for this test'})
            continue
        differences = []
        matcher = difflib.SequenceMatcher(None, [r['request'] for r in wanted], [r['request'] for s, r in regular],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == 'equal':
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    report['compared'] += 1
                    seq, record = regular[j]
                    for field, want, got in exchange_differences(wanted[i], record):
                        differences.append({'exchange': _label(seq, record), 'field': field, 'expected': want,
                                            'observed': got})
                continue
            for seq, record in regular[j1:j2]:
                report['without_expectation'].append({'test': test, 'exchange': _label(seq, record),
                                                      'why': 'not among the expected requests here'})
            for i in range(i1, i2):
                label = '#%d (expected) %s' % (i + 1, wanted[i]['request'])
                if outcomes.get(test, 'passed') == 'passed':
                    differences.append({'exchange': label, 'field': 'exchange', 'expected': 'made',
                                        'observed': '(not made)'})
                else:
                    report['not_made'].append({'test': test, 'exchange': label, 'why': outcomes[test]})
        if differences:
            report['differences'][test] = differences
    return report


def summarise(report):
    """The differences grouped by request and field: what a maintainer reads first."""
    groups = {}
    for test, items in report['differences'].items():
        for item in items:
            request = item['exchange'].split(' ', 1)[1].replace('(expected) ', '')
            key = (request, item['field'], item['expected'], item['observed'])
            groups.setdefault(key, set()).add(test)
    rows = [{'exchange': k[0], 'field': k[1], 'expected': k[2], 'observed': k[3], 'tests': len(v)}
            for k, v in groups.items()]
    return sorted(rows, key=lambda r: (-r['tests'], r['exchange'], r['field']))


# ----- the report ------------------------------------------------------------------------------
def build_report(target, expected, observed, outcomes, failures=None, recorded=False, emulator_only_run=0):
    """Everything a run's report says. failures: test -> the first line of its failure; emulator_only_run: how
    many of the tests run are emulator-only (on the emulator they run, and are not compared)."""
    compared = compare(expected, observed, outcomes)
    run = [t for t, o in outcomes.items() if o in ('passed', 'failed')]
    counts = {
        'tests_run': len(run),
        'tests_emulator_only_run': emulator_only_run,
        'tests_failed': sum(1 for o in outcomes.values() if o == 'failed'),
        'tests_skipped_emulator_only': sum(1 for o in outcomes.values() if o == 'emulator-only'),
        'tests_skipped_otherwise': sum(1 for o in outcomes.values() if o == 'skipped'),
        'exchanges': compared['exchanges'],
        'compared': compared['compared'],
        'differences': sum(len(v) for v in compared['differences'].values()),
        'not_sent': len(compared['not_sent']),
        'refused': len(compared['refused']),
        'throttled': len(compared['throttled']),
        'without_expectation': len(compared['without_expectation']),
        'expected_not_reached': len(compared['not_made']),
    }
    return {
        'target': target,
        'expectations': 'tests/emulator/expected_answers.json',
        'recorded': recorded,
        'counts': counts,
        'summary': summarise(compared),
        'differences': compared['differences'],
        'not_sent': compared['not_sent'],
        'refused': compared['refused'],
        'throttled': compared['throttled'],
        'without_expectation': compared['without_expectation'],
        'expected_not_reached': compared['not_made'],
        'failed_tests': [{'test': t, 'message': scrub(m)} for t, m in sorted((failures or {}).items())],
    }


def _cell(text, most=200):
    text = str(text).replace('|', '\\|').replace('\n', ' ')
    return text if len(text) <= most else text[:most] + '...'


def markdown(report):
    c = report['counts']
    lines = ['# Differential report: %s' % report['target'], '',
             'The answers of this run (%s) against what the emulator answers (%s).%s' % (
                 report['target'], report['expectations'],
                 ' This run re-recorded them.' if report['recorded'] else ''), '',
             '| tests run | of them emulator-only (not compared) | failed | skipped as emulator-only | skipped '
             'otherwise | exchanges | compared | differences | not sent (guard) | refused (guard) | throttled (429, '
             'retried) | without an expectation | expected, not reached |',
             '|' + '---|' * 13,
             '| %d | %d | %d | %d | %d | %d | %d | **%d** | %d | %d | %d | %d | %d |' % (
                 c['tests_run'], c['tests_emulator_only_run'], c['tests_failed'], c['tests_skipped_emulator_only'],
                 c['tests_skipped_otherwise'],
                 c['exchanges'], c['compared'], c['differences'], c['not_sent'], c['refused'],
                 c['throttled'], c['without_expectation'], c['expected_not_reached']), '']
    if report['summary']:
        lines += ['## Differences by request and field', '', '| request | field | expected | observed | tests |',
                  '|---|---|---|---|---|']
        lines += ['| `%s` | %s | %s | %s | %d |' % (_cell(r['exchange']), _cell(r['field']), _cell(r['expected']),
                                                    _cell(r['observed']), r['tests']) for r in report['summary']]
        lines += ['', '## Differences by test', '']
        for test in sorted(report['differences']):
            lines += ['### %s' % test, '', '| exchange | field | expected | observed |', '|---|---|---|---|']
            lines += ['| `%s` | %s | %s | %s |' % (_cell(d['exchange']), _cell(d['field']), _cell(d['expected']),
                                                   _cell(d['observed'])) for d in report['differences'][test]]
            lines.append('')
    for key, title in (('not_sent', 'Not sent: the live guard answered itself'),
                       ('refused', 'Refused by the live guard'),
                       ('throttled', 'Throttled (429), waited and sent again'),
                       ('without_expectation', 'Exchanges without an expectation'),
                       ('expected_not_reached', 'Expected exchanges a failed or skipped test did not reach')):
        if report[key]:
            lines += ['## %s' % title, '', '| test | exchange | note |', '|---|---|---|']
            lines += ['| %s | `%s` | %s |' % (_cell(e['test']), _cell(e['exchange']),
                                              _cell(e.get('text') or e.get('why', ''))) for e in report[key]]
            lines.append('')
    if report['failed_tests']:
        lines += ['## Failed tests', '', '| test | failure |', '|---|---|']
        lines += ['| %s | %s |' % (_cell(f['test']), _cell(f['message'], 300)) for f in report['failed_tests']]
        lines.append('')
    return '\n'.join(lines)


def write_report(report, directory):
    """Writes differential-<target>.json and .md; returns the JSON's path."""
    if not os.path.isdir(directory):
        os.makedirs(directory)
    base = os.path.join(directory, 'differential-%s' % report['target'])
    with open(base + '.json', 'w', encoding='utf-8') as handle:
        json.dump(report, handle, indent=1, sort_keys=True)
        handle.write('\n')
    with open(base + '.md', 'w', encoding='utf-8') as handle:
        handle.write(markdown(report))
    return base + '.json'


def first_differences(report, most=10):
    """Lines for the terminal: the first differences, then anything without an expectation."""
    lines = []
    for test in sorted(report['differences']):
        for d in report['differences'][test]:
            lines.append('%s %s: %s: expected %s, observed %s' % (
                test, d['exchange'], d['field'], _cell(d['expected'], 120), _cell(d['observed'], 120)))
    for e in report['without_expectation']:
        lines.append('%s %s: no expectation (%s)' % (e['test'], e['exchange'], e['why']))
    return lines[:most]
