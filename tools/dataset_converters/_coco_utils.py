"""What the ``*2coco.py`` converters share: validation errors, COCO box
annotations and all-or-nothing json output.

The converters import it as a sibling module (Python puts a script's folder
first on ``sys.path``), so they keep needing only numpy, Pillow and, for
SVHN, h5py; importing ``mmrelvit`` would pull in torch and OpenMMLab.
"""
import json
import os
import os.path as osp
import sys
import tempfile


class LabelError(Exception):
    """The input is invalid; ``problems`` lists ``where: problem`` (a
    ``file:line`` or ``file:record`` location)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f'{len(problems)} problem(s):\n' +
                         '\n'.join(problems))


def box_annotation(ann_id, image_id, category_id, box):
    """A COCO box annotation without a mask.

    Args:
        ann_id (int): Annotation id.
        image_id (int): Id of its image.
        category_id (int): Id of its category.
        box (Sequence[float]): ``[x1, y1, x2, y2]`` in pixel edges.

    Returns:
        dict: ``bbox`` as ``[x, y, w, h]``, ``area`` of the box and
        ``iscrowd=0``.
    """
    x1, y1, x2, y2 = box
    return dict(
        id=ann_id,
        image_id=image_id,
        category_id=category_id,
        bbox=[x1, y1, x2 - x1, y2 - y1],
        area=(x2 - x1) * (y2 - y1),
        iscrowd=0)


def exit_with_problems(prog, problems):
    """Print ``problems`` and a summary to stderr and exit with status 1.

    Args:
        prog (str): The converter's name, e.g. ``'kitti2coco'``.
        problems (list[str]): ``where: problem`` lines.
    """
    print('\n'.join(problems), file=sys.stderr)
    print(
        f'{prog}: {len(problems)} problem(s), nothing written',
        file=sys.stderr)
    sys.exit(1)


def write_json_files(files):
    """Write ``{path: object}`` as json; each file appears complete or not
    at all.

    Args:
        files (dict[str, object]): Output path -> json-serialisable object.
    """
    for path, obj in files.items():
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix='.tmp-', suffix='.json', dir=osp.dirname(osp.abspath(path)))
        try:
            with os.fdopen(fd, 'w') as f:
                json.dump(obj, f)
            os.replace(tmp, path)
        except BaseException:
            os.remove(tmp)
            raise
