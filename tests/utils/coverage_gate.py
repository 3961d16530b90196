# -*- coding: utf-8 -*-
"""coverage_gate.py COVERAGE_JSON: line coverage of plugins/ by the unit tests, per group, against the goals."""
import json
import sys

GOALS = {'module_utils': 95.0, 'modules': 90.0}
files = json.load(open(sys.argv[1]))['files']
failed = False
for group, goal in GOALS.items():
    rows = {k: v for k, v in files.items() if '/plugins/%s/' % group in k}
    statements = sum(v['summary']['num_statements'] for v in rows.values())
    missed = sum(v['summary']['missing_lines'] for v in rows.values())
    percent = 100.0 * (statements - missed) / statements
    print('coverage of plugins/%s: %.1f %% of %d lines (goal %.0f %%)' % (group, percent, statements, goal))
    for name, data in sorted(rows.items()):
        if data['missing_lines']:
            print('  %s: lines %s' % (name.split('/plugins/')[1], ', '.join(map(str, data['missing_lines']))))
    failed = failed or percent < goal
sys.exit(1 if failed else 0)
