"""Check that this environment can run mmrelvit.

Two modes, both ending with the compiled-ops check (mmcv's ``nms`` and
``RoIAlign``, ``torchvision.ops.nms``, and the OpenMMLab model imports):

* default, for your own OpenMMLab environment: torch, mmcv, mmengine,
  mmpretrain, mmdet, mmseg, numpy, ... against the version ranges mmrelvit
  supports, read from the repository's ``setup.py`` (the source of the
  package metadata). mmdet and mmseg are optional: when one is absent, its
  subpackage (``mmrelvit.det`` / ``mmrelvit.seg``) is reported as
  unavailable, not as an error.
* ``--requirements DIR``: every exact pin of ``DIR/*.txt``, the lock files
  ``tools/install.sh`` installs.

Exits non-zero with one line per problem; prints a one-line summary
otherwise.
"""
import argparse
import ast
import glob
import os.path as osp
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Callable, Dict, List, Optional, Tuple

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SETUP_PY = osp.normpath(
    osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', 'setup.py'))
#: The literals of setup.py that hold the supported ranges.
RANGE_LITERALS = ('ENVIRONMENT_REQUIRES', 'INSTALL_REQUIRES', 'EXTRAS_REQUIRE')
#: Extras checked only when their first package is installed, with the
#: subpackage that needs them.
OPTIONAL_EXTRAS = {'det': 'mmrelvit.det', 'seg': 'mmrelvit.seg'}
#: Said after ``install "<requirement>"`` where a plain pip install of the
#: range is not the whole advice.
INSTALL_HINTS = {
    'mmcv': ' with ops, built against the installed torch: mim install, or '
    'tools/install.sh',
    'torch': ': a build for your CUDA with its matching torchvision; then '
    'rebuild mmcv against it',
    'torchvision': ': the build made for the installed torch',
}


def pinned(path):
    with open(path) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if '==' in line:
                name, want = line.split('==')
                yield name.strip(), want.strip()


def read_supported(path: str = SETUP_PY) -> Dict[str, List[str]]:
    """The supported requirement ranges declared in ``setup.py``, read
    without executing it.

    Args:
        path (str): The setup.py to read.

    Returns:
        dict[str, list[str]]: ``environment`` (torch etc., never given to
        pip), ``install`` (install_requires) and one entry per extra.
    """
    with open(path) as f:
        tree = ast.parse(f.read(), filename=path)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and \
                node.targets[0].id in RANGE_LITERALS:
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                raise ValueError(
                    f'{path}:{node.lineno}: {node.targets[0].id} must be a '
                    'plain literal (it is read without running setup.py)'
                ) from None
    missing = [name for name in RANGE_LITERALS if name not in found]
    if missing:
        raise ValueError(f'{path}: no module-level {", ".join(missing)}')
    return dict(
        environment=found['ENVIRONMENT_REQUIRES'],
        install=found['INSTALL_REQUIRES'],
        **found['EXTRAS_REQUIRE'])


def installed_version(name: str) -> Optional[str]:
    """The installed version of distribution ``name``, None if absent."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def spec_text(line: str, req: Requirement) -> str:
    """The version range as written in ``line`` (packaging would reorder
    it)."""
    return line.split(';')[0].strip()[len(req.name):].strip()


def check_requirement(
        line: str, version_of: Callable[[str],
                                        Optional[str]]) -> Optional[str]:
    """One line saying why the environment does not satisfy ``line``, or
    None when it does.

    Args:
        line (str): A requirement such as ``mmdet>=3.3.0,<3.4.0``.
        version_of (callable): Distribution name -> installed version
            string, or None when not installed.
    """
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate():
        return None
    name, spec = req.name, spec_text(line, req)
    hint = f'"{line}"' + INSTALL_HINTS.get(canonicalize_name(name), '')
    have = version_of(name)
    if have is None:
        return f'{name} is not installed (install {hint})'
    try:
        # A local build label (2.13.0+cu130) or a pre-release of a supported
        # version is accepted: the range is about the API, not the build.
        ok = req.specifier.contains(Version(have), prereleases=True)
    except InvalidVersion:
        return f'{name} has an unparsable version {have!r} (install {hint})'
    if not ok:
        return (f'{name} {have} is outside the supported range {spec} '
                f'(install {hint})')
    return None


def check_ranges(
    supported: Dict[str, List[str]],
    version_of: Callable[[str], Optional[str]] = installed_version
) -> Tuple[List[str], List[str]]:
    """Check the installed versions against the supported ranges.

    Args:
        supported (dict[str, list[str]]): As returned by
            :func:`read_supported`.
        version_of (callable): Distribution name -> installed version, or
            None. Tests pass a fake map.

    Returns:
        tuple[list[str], list[str]]: One line per problem, and one note per
        optional extra whose main package is absent.
    """
    problems, notes = [], []
    for group, lines in supported.items():
        if group == 'tests':  # only for running the test suite
            continue
        first = Requirement(lines[0]).name if lines else ''
        if group in OPTIONAL_EXTRAS and first and version_of(first) is None:
            notes.append(f'{first} is not installed: {OPTIONAL_EXTRAS[group]} '
                         'is unavailable (install it with pip install -e '
                         f'".[{group}]")')
            continue
        for line in lines:
            problem = check_requirement(line, version_of)
            if problem is not None:
                problems.append(problem)
    return problems, notes


def check_pins(requirements: str, skip: List[str]) -> List[str]:
    """One line per exact pin of ``requirements/*.txt`` that is not
    installed at that version."""
    problems = []
    for path in sorted(glob.glob(osp.join(requirements, '*.txt'))):
        if osp.basename(path) in skip:
            continue
        for name, want in pinned(path):
            try:
                have = version(name)
            except PackageNotFoundError:
                problems.append(f'{osp.basename(path)}: {name}=={want} '
                                'is not installed')
                continue
            # A local build label (2.13.0+cu130) satisfies a bare pin.
            if have.split('+')[0] != want:
                problems.append(f'{osp.basename(path)}: {name}=={want} '
                                f'required, {have} installed')
    return problems


def check_stack(det: bool = True, seg: bool = True) -> List[str]:
    """Run the compiled ops and import the OpenMMLab model packages."""
    try:
        import torch
        import torchvision.ops
        from mmcv.ops import RoIAlign, nms
        boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
        scores = torch.tensor([0.9, 0.8])
        nms(boxes, scores, 0.5)
        torchvision.ops.nms(boxes, scores, 0.5)
        RoIAlign((2, 2), 1.0)(torch.rand(1, 1, 8, 8),
                              torch.tensor([[0., 0., 0., 4., 4.]]))
        import mmpretrain.models  # noqa: F401
        if det:
            import mmdet.models  # noqa: F401
        if seg:
            import mmseg.models  # noqa: F401
    except Exception as e:  # report, do not hide, whatever broke
        return [f'stack import/ops check failed: {e!r}']
    return []


def summary() -> str:
    names = ('torch', 'mmcv', 'mmengine', 'mmpretrain', 'mmdet',
             'mmsegmentation')
    found = [
        f'{name} {installed_version(name)}' for name in names
        if installed_version(name) is not None
    ]
    return 'environment OK: ' + ', '.join(found) + ' (mmcv with ops)'


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--requirements',
        metavar='DIR',
        help='check the exact pins of DIR/*.txt instead of the supported '
        'ranges')
    parser.add_argument(
        '--skip', nargs='*', default=[], help='requirement files to skip')
    parser.add_argument(
        '--setup-py',
        default=SETUP_PY,
        help='where the supported ranges are declared (default: %(default)s)')
    args = parser.parse_args(argv)

    notes = []
    if args.requirements:
        problems = check_pins(args.requirements, args.skip)
        problems += check_stack()
    else:
        problems, notes = check_ranges(
            read_supported(args.setup_py), installed_version)
        problems += check_stack(
            det=installed_version('mmdet') is not None,
            seg=installed_version('mmsegmentation') is not None)

    for note in notes:
        print(note)
    if problems:
        print('environment check FAILED:', *problems, sep='\n  ')
        sys.exit(1)
    print(summary())


if __name__ == '__main__':
    main()
