"""tools/dist_train.sh with 2 CPU processes over gloo."""
import torch
from conftest import free_port, run_tool, tiny_digits_config

RANK_DUMP_HOOK = '''
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankDumpHook(Hook):
    """Each process saves the weights it ends with."""

    def after_run(self, runner):
        model = getattr(runner.model, 'module', runner.model)
        torch.save(model.state_dict(),
                   f'{runner.work_dir}/rank{get_rank()}.pth')
'''


def test_dist_train_two_cpu_processes(tmp_path, digits_root):
    (tmp_path / 'rank_dump_hook.py').write_text(RANK_DUMP_HOOK)
    cfg = tiny_digits_config(
        tmp_path,
        digits_root,
        max_iters=4,
        ckpt_interval=4,
        extra="custom_imports = dict(imports=['mmrelvit.models', "
        "'mmrelvit.datasets', 'mmrelvit.engine', 'rank_dump_hook'])\n"
        "custom_hooks = [dict(type='RNGStateHook'), "
        "dict(type='RankDumpHook')]\n")
    work = tmp_path / 'work'
    proc = run_tool(
        ['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', work],
        env={
            'PORT': str(free_port()),
            'PYTHONPATH': f'{tmp_path}',
            'OMP_NUM_THREADS': '1'
        })
    assert (work / 'iter_4.pth').is_file(), proc.stdout[-2000:]
    rank0 = torch.load(work / 'rank0.pth')
    rank1 = torch.load(work / 'rank1.pth')
    assert rank0.keys() == rank1.keys()
    for k in rank0:
        assert torch.equal(rank0[k], rank1[k]), k
    # mmengine reports the world size as 'GPU number' on CPU too
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    # rank 0's checkpoint holds the weights both processes ended with
    final = torch.load(work / 'iter_4.pth')['state_dict']
    assert all(torch.equal(final[k], rank0[k]) for k in rank0)
