"""tools/analysis_tools/benchmark_ssl_overhead.py on tiny CPU models."""
import importlib.util
import json
import os.path as osp
import re

import pytest
from conftest import REPO, run_tool

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark_ssl_overhead.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('benchmark_ssl_overhead',
                                                  TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_prints_every_row_and_ratio(tmp_path):
    out_json = tmp_path / 'bench.json'
    proc = run_tool([
        TOOL, '--tiny', '--device', 'cpu', '--batch-size', '2', '--iters', '1',
        '--warmup', '1', '--repeats', '2', '--json', out_json
    ],
                    env=dict(OMP_NUM_THREADS='1'),
                    timeout=300)
    out = proc.stdout
    rows = [
        line for line in out.splitlines() if re.match(r'\| (vit|swin)-', line)
    ]
    titles = ('backbone + cls head', '+ DrLoc', '+ RelViT SpRel + AbsPos',
              '+ RelViT all 4 tasks')
    assert len(rows) == 12, out
    for i, model in enumerate(('vit-s16-224', 'vit-s4-32', 'swin-t-224')):
        for j, title in enumerate(titles):
            cells = [c.strip() for c in rows[4 * i + j].strip('|').split('|')]
            assert cells[:2] == [model, title]
            step_ms, ratio = float(cells[2]), cells[4]
            peak, mem_ratio = float(cells[5]), cells[6]
            assert step_ms > 0 and peak > 0
            assert re.fullmatch(r'\d+\.\d{3}x', ratio)
            assert re.fullmatch(r'\d+\.\d{3}x', mem_ratio)
            if j == 0:
                assert ratio == mem_ratio == '1.000x'
    assert 'peak memory: VmHWM - RSS before build' in out
    # the three targets of the issue are checked and labelled as tiny
    assert len(re.findall(r'^target vit-s16-224 .*tiny models', out,
                          re.M)) == 3

    data = json.loads(out_json.read_text())
    assert len(data['results']) == 12
    by_key = {(r['model'], r['row']): r for r in data['results']}
    # heads only add memory: parameters, logits, optimizer state
    for model in ('vit-s16-224', 'vit-s4-32', 'swin-t-224'):
        base = by_key[model, 'baseline']['peak_mib']
        assert by_key[model, 'relvit_all']['peak_mib'] > base


def test_ratios_are_paired_per_repeat_and_rows_differ_only_in_heads():
    tool = load_tool()
    # a drifting machine: every row doubles in the second repeat
    times = dict(
        baseline=[1.0, 2.0, 1.0],
        drloc=[1.1, 2.2, 1.1],
        sprel_abspos=[1.0, 2.4, 1.2],
        relvit_all=[3.0, 6.0, 3.0])
    rows = tool.summarize(times, {}, 'm')
    assert [r['time_ratio']
            for r in rows] == pytest.approx([1.0, 1.1, 1.2, 3.0])
    assert rows[2]['time_ms'] == pytest.approx(1200)
    assert rows[0]['peak_mib'] is None

    spec = tool.model_spec('vit-s16-224', tiny=False)
    cfgs = {row: tool.model_cfg(spec, row, 10) for row in tool.ROWS}
    for row, cfg in cfgs.items():
        for key in ('backbone', 'neck', 'head', 'data_preprocessor'):
            assert cfg[key] == cfgs['baseline'][key]
    assert cfgs['baseline']['backbone']['arch'] == 'deit-small'
    assert cfgs['baseline']['aux_heads'] is None
    assert set(cfgs['drloc']['aux_heads']) == {'drloc'}
    assert set(cfgs['sprel_abspos']['aux_heads']) == {'relation', 'position'}
    assert cfgs['sprel_abspos']['aux_heads']['position']['num_patches'] \
        == 196
    assert set(cfgs['relvit_all']['aux_heads']) == {
        'relation', 'position', 'distance', 'angle'
    }
    swin = tool.model_cfg(tool.model_spec('swin-t-224', False), 'drloc', 10)
    assert swin['aux_heads']['drloc']['in_channels'] == 768


def test_profile_lists_the_operators_the_heads_add():
    tool = load_tool()
    out = tool.main([
        '--tiny', '--device', 'cpu', '--models', 'vit-s16-224', '--batch-size',
        '2', '--iters', '2', '--warmup', '1', '--profile', 'sprel_abspos'
    ])
    diff = out['vit-s16-224']
    extra = {name: r - b for name, b, r in diff}
    # sorted by added time, largest first
    assert [r - b for _, b, r in diff] == sorted(extra.values(), reverse=True)
    # the relation cross-entropy over (B, 9, N, N) logits is a 2-D
    # nll_loss, absent from the baseline's (B, classes) cross-entropy
    base, row = next(
        (b, r) for name, b, r in diff if name == 'aten::nll_loss2d_forward')
    assert base == 0 and row > 0
