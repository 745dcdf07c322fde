"""Package metadata: the supported ranges of setup.py, their agreement with
the lock files requirements/*.txt, tools/misc/check_env.py's range mode,
and a ``--no-deps`` install of the package into the built environment."""
import ast
import importlib.util
import io
import os
import os.path as osp
import shutil
import subprocess
import sys
import tokenize
from importlib.metadata import PathDistribution

import pytest
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SETUP_PY = osp.join(REPO, 'setup.py')
CHECK_ENV = osp.join(REPO, 'tools', 'misc', 'check_env.py')


def load_check_env():
    spec = importlib.util.spec_from_file_location('check_env', CHECK_ENV)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_env = load_check_env()


def unexplained_pins(source):
    """``(line, requirement)`` for each exact pin (``==``/``===``) in the
    requirement literals of a setup.py source without a reason: a comment
    of at least three words on its line or in the comment block right above
    it."""
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            text = tok.string.lstrip('#').strip()
            if not text.startswith(('noqa', 'type:', 'yapf:', 'isort:')):
                comments[tok.start[0]] = text
    lines = source.splitlines()
    found = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) in check_env.RANGE_LITERALS
                for t in node.targets)):
            continue
        for const in ast.walk(node.value):
            if not (isinstance(const, ast.Constant)
                    and isinstance(const.value, str)):
                continue
            try:
                req = Requirement(const.value)
            except Exception:  # a dict key such as 'det'
                continue
            if not any(s.operator in ('==', '===') for s in req.specifier):
                continue
            reason = [comments.get(const.lineno, '')]
            row = const.lineno - 1
            while row >= 1 and lines[row - 1].strip().startswith('#'):
                reason.append(comments.get(row, ''))
                row -= 1
            if len(' '.join(reason).split()) < 3:
                found.append((const.lineno, const.value))
    return found


def test_unexplained_pins_detector():
    source = '\n'.join([
        "INSTALL_REQUIRES = [",
        "    'numpy>=1.24',",
        "    'scipy==1.17.1',",
        "    'torch==2.13.0',  # the last release with the foo kernel",
        "    # bar 2.1 changed its file format that we read",
        "    'bar==2.0.0',",
        "    # a reason that is separated by a blank line",
        "",
        "    'baz==1.0',",
        "    'qux==3.0',  # noqa",
        "]",
        "EXTRAS_REQUIRE = {'det': ['mmdet===3.3.0']}",
        "OTHER = ['not==checked']",
        "ENVIRONMENT_REQUIRES = []",
    ])
    assert unexplained_pins(source) == [(3, 'scipy==1.17.1'), (9, 'baz==1.0'),
                                        (10, 'qux==3.0'),
                                        (12, 'mmdet===3.3.0')]


def test_setup_py_has_no_unexplained_exact_pin():
    with open(SETUP_PY) as f:
        found = unexplained_pins(f.read())
    assert not found, ('setup.py: exact pins without a written reason '
                       f'(line, requirement): {found}')


def lock_pins():
    pins = {}
    for path in sorted(os.listdir(osp.join(REPO, 'requirements'))):
        if path.endswith('.txt'):
            for name, want in check_env.pinned(
                    osp.join(REPO, 'requirements', path)):
                pins[canonicalize_name(name)] = (path, want)
    return pins


def test_lock_pins_lie_inside_the_supported_ranges():
    pins = lock_pins()
    supported = check_env.read_supported(SETUP_PY)
    names = set()
    for group, lines in supported.items():
        for line in lines:
            req = Requirement(line)
            names.add(canonicalize_name(req.name))
            if canonicalize_name(req.name) in pins:
                path, want = pins[canonicalize_name(req.name)]
                assert req.specifier.contains(want), (
                    f'requirements/{path} pins {req.name}=={want}, outside '
                    f'setup.py\'s {group} range {line!r}')
    # check_env.py can only report what setup.py names.
    stack = {
        'torch', 'torchvision', 'mmcv', 'mmengine', 'mmpretrain', 'mmdet',
        'mmsegmentation', 'numpy'
    }
    assert stack <= names, stack - names


def test_pinned_environment_satisfies_the_supported_ranges():
    problems, notes = check_env.check_ranges(
        check_env.read_supported(SETUP_PY))
    assert problems == [] and notes == []


FAKE_SETUP = '''
INSTALL_REQUIRES = ['mmengine>=0.10.3,<1.0.0', 'numpy',
                    "old; python_version < '3'"]
EXTRAS_REQUIRE = {
    'det': ['mmdet>=3.3.0,<3.4.0', 'pycocotools'],
    'seg': ['mmsegmentation>=1.2.2,<1.3.0', 'ftfy'],
    'tests': ['pytest>=99'],
    'mim': ['mmcv>=2.1.0,<2.2.0'],
}
ENVIRONMENT_REQUIRES = ['torch>=2.0.0']
'''


def fake_versions(**versions):
    versions = {canonicalize_name(k): v for k, v in versions.items()}
    return lambda name: versions.get(canonicalize_name(name))


def test_check_ranges_says_one_line_per_package(tmp_path):
    setup_py = tmp_path / 'setup.py'
    setup_py.write_text(FAKE_SETUP)
    supported = check_env.read_supported(str(setup_py))
    assert supported['install'][0] == 'mmengine>=0.10.3,<1.0.0'
    problems, notes = check_env.check_ranges(
        supported,
        fake_versions(
            torch='2.13.0+cu130',  # local label: inside
            numpy='2.4.6',
            mmdet='3.2.0',
            mmcv='2.2.0',
            pytest='8.0'))  # the tests extra is not checked
    assert problems == [
        'mmengine is not installed (install "mmengine>=0.10.3,<1.0.0")',
        'mmdet 3.2.0 is outside the supported range >=3.3.0,<3.4.0 '
        '(install "mmdet>=3.3.0,<3.4.0")',
        'pycocotools is not installed (install "pycocotools")',
        'mmcv 2.2.0 is outside the supported range >=2.1.0,<2.2.0 '
        '(install "mmcv>=2.1.0,<2.2.0" with ops, built against the '
        'installed torch: mim install, or tools/install.sh)',
    ]
    # mmseg absent: its extra (ftfy) is not checked, only noted.
    assert notes == [
        'mmsegmentation is not installed: mmrelvit.seg is unavailable '
        '(install it with pip install -e ".[seg]")'
    ]

    problems, _ = check_env.check_ranges(
        supported,
        fake_versions(
            torch='1.13.1',
            numpy='1.26',
            mmengine='0.10.8.dev0',
            mmdet='3.3.0',
            pycocotools='2.0',
            mmcv='2.1.0',
            mmsegmentation='1.2.2',
            ftfy='6'))
    # A pre-release inside the range is accepted; torch is not.
    assert problems == [
        'torch 1.13.1 is outside the supported range >=2.0.0 (install '
        '"torch>=2.0.0": a build for your CUDA with its matching '
        'torchvision; then rebuild mmcv against it)'
    ]


def test_check_env_main_range_mode(tmp_path, monkeypatch, capsys):
    setup_py = tmp_path / 'setup.py'
    setup_py.write_text(FAKE_SETUP)
    stack_calls = []
    monkeypatch.setattr(check_env, 'check_stack',
                        lambda **kw: stack_calls.append(kw) or [])
    monkeypatch.setattr(
        check_env, 'installed_version',
        fake_versions(
            torch='2.13.0',
            numpy='2.4.6',
            mmengine='0.10.7',
            mmdet='3.2.0',
            pycocotools='2.0.11',
            mmcv='2.1.0'))
    with pytest.raises(SystemExit) as exc:
        check_env.main(['--setup-py', str(setup_py)])
    assert exc.value.code == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        'mmsegmentation is not installed: mmrelvit.seg is unavailable '
        '(install it with pip install -e ".[seg]")',
        'environment check FAILED:',
        '  mmdet 3.2.0 is outside the supported range >=3.3.0,<3.4.0 '
        '(install "mmdet>=3.3.0,<3.4.0")',
    ]
    # the ops check skips the subpackage whose OpenMMLab package is absent
    assert stack_calls == [dict(det=True, seg=False)]


def test_read_supported_refuses_computed_requirements(tmp_path):
    setup_py = tmp_path / 'setup.py'
    setup_py.write_text(
        FAKE_SETUP.replace("'numpy',", "'numpy'] + read('runtime') + ["))
    with pytest.raises(
            ValueError,
            match=r'setup\.py:2: INSTALL_REQUIRES '
            'must be a plain literal'):
        check_env.read_supported(str(setup_py))
    setup_py.write_text('INSTALL_REQUIRES = []\n')
    with pytest.raises(
            ValueError,
            match='no module-level '
            'ENVIRONMENT_REQUIRES, EXTRAS_REQUIRE'):
        check_env.read_supported(str(setup_py))


def test_no_deps_install_into_the_environment_imports(tmp_path):
    """``pip install --no-deps .`` with the environment's own build tools,
    as into a user's OpenMMLab environment; the package is imported from
    the install target, not from the checkout."""
    src = tmp_path / 'src'
    shutil.copytree(
        osp.join(REPO, 'mmrelvit'),
        src / 'mmrelvit',
        ignore=shutil.ignore_patterns('__pycache__'))
    for name in ('setup.py', 'README.md'):
        shutil.copy(osp.join(REPO, name), src / name)
    target = tmp_path / 'site'
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ('PIP_FIND_LINKS', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL')
    }
    env['PIP_CONFIG_FILE'] = os.devnull  # this machine's find-links config
    proc = subprocess.run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--no-index', '--disable-pip-version-check',
        '--target',
        str(target),
        str(src)
    ],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    def py_files(root):
        return sorted(
            osp.relpath(osp.join(d, f), root) for d, _, files in os.walk(root)
            for f in files if f.endswith('.py'))

    assert py_files(target / 'mmrelvit') == py_files(src / 'mmrelvit')

    # pip saw exactly the ranges check_env.py reads, torch and torchvision
    # not among them.
    dist_info, = target.glob('mmrelvit-*.dist-info')
    declared = {(canonicalize_name(Requirement(r).name),
                 str(Requirement(r).specifier), str(Requirement(r).marker))
                for r in PathDistribution(dist_info).requires}
    supported = check_env.read_supported(SETUP_PY)
    expected = set()
    for group, lines in supported.items():
        if group == 'environment':
            continue
        marker = '' if group == 'install' else f'; extra == "{group}"'
        for line in lines:
            req = Requirement(line + marker)
            expected.add((canonicalize_name(req.name), str(req.specifier),
                          str(req.marker)))
    assert declared == expected

    code = ('import mmrelvit, mmrelvit.datasets, mmrelvit.engine, '
            'mmrelvit.models, mmrelvit.det, mmrelvit.seg; '
            'print(mmrelvit.__file__, mmrelvit.det.__file__, '
            'mmrelvit.seg.__file__)')
    proc = subprocess.run([sys.executable, '-c', code],
                          cwd=str(tmp_path),
                          env=dict(
                              os.environ,
                              PYTHONPATH=str(target),
                              OMP_NUM_THREADS='1'),
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    files = proc.stdout.split()
    assert len(files) == 3 and all(
        f.startswith(str(target) + os.sep) for f in files), files
