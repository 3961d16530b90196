# -*- coding: utf-8 -*-
"""reliability_table.py REPORT RST [--check]: the measured fault table, into the reliability page.

REPORT.* are the JSON parts the fault tests wrote (DOCSPACE_RELIABILITY_REPORT, one per worker). The table replaces the
lines between '.. measured-table-start' and '.. measured-table-end' in RST; with --check it only
says whether the page already shows what was measured.
"""
import glob
import json
import sys

START, END = '.. measured-table-start', '.. measured-table-end'


def render(rows):
    writes = list(dict.fromkeys(r['write'] for r in rows))
    faults = list(dict.fromkeys(r['fault'] for r in rows))
    cell = {(r['write'], r['fault']): r for r in rows}
    width = max(len(f) for f in faults) + 2
    cols = [width] + [max(len(w), 15) + 2 for w in writes]
    rule = '  '.join('=' * c for c in cols)
    out = [rule, '  '.join(t.ljust(c) for t, c in zip(['fault'] + writes, cols)).rstrip(), rule]
    for fault in faults:
        cells = [fault]
        for write in writes:
            r = cell[(write, fault)]
            cells.append('survived' if r['outcome'] == 'survived' else 'failed cleanly')
        out.append('  '.join(t.ljust(c) for t, c in zip(cells, cols)).rstrip())
    out.append(rule)
    survived = sum(r['outcome'] == 'survived' for r in rows)
    lost = sum(r['lost'] for r in rows)
    duplicated = sum(r['duplicated'] for r in rows)
    converged = sum(bool(r.get('rerun_converged')) for r in rows)
    out += ['', '**%d scenarios tried, %d survived, %d failed cleanly, %d data lost, %d duplicated; a clean rerun '
            'converged after %d of %d.**' % (len(rows), survived, len(rows) - survived, lost, duplicated, converged,
                                             len(rows))]
    return out


def main(report, page, check):
    # One part per pytest-xdist worker, in the order the test parametrisation lists them.
    rows = [row for part in sorted(glob.glob(report + '.*')) for row in json.load(open(part))]
    rows.sort(key=lambda r: r['order'])
    with open(page) as handle:
        lines = handle.read().split('\n')
    start, end = lines.index(START), lines.index(END)
    new = lines[:start + 1] + [''] + render(rows) + [''] + lines[end:]
    if check:
        if new != lines:
            print('%s does not show the measured table; run make reliability' % page)
            return 1
        print('reliability page: the table matches the %d measured scenarios' % len(rows))
        return 0
    with open(page, 'w') as handle:
        handle.write('\n'.join(new))
    print('wrote the table of %d scenarios into %s' % (len(rows), page))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2], '--check' in sys.argv[3:]))
