"""Up-front checks of detection annotations (COCO json, Pascal VOC xml).

mmdet's ``CocoDataset`` and ``VOCDataset`` skip what they cannot use
without a word: an annotation whose category id is not a category, an
object whose class name is not in ``classes``, a box outside its image or
with a non-positive side. A class of ``classes`` that the json lacks even
shifts the labels of the classes after it. The functions here list every
such problem as ``file: problem`` so that the checked data sets can refuse
the data before the first training step.
"""
import json
import math
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Optional, Sequence, Tuple

from mmengine import fileio

# At most this many problems are spelled out in the error message.
MAX_REPORTED = 20


def file_exists(path: str, backend_args: Optional[dict] = None) -> bool:
    if backend_args is None:
        return osp.isfile(path)
    return fileio.exists(path, backend_args=backend_args)


def raise_problems(name: str, problems: List[str], what: str) -> None:
    """Raise one ``ValueError`` listing ``problems`` (the first 20).

    Args:
        name (str): The data set, e.g. ``'CheckedCocoDataset(ann.json)'``.
        problems (list[str]): ``file: problem`` lines.
        what (str): What was checked, e.g. ``'120 images'``.
    """
    if not problems:
        return
    shown = '\n  '.join(problems[:MAX_REPORTED])
    more = len(problems) - MAX_REPORTED
    raise ValueError(f'{name}: {len(problems)} annotation problem(s) among '
                     f'{what}:\n  {shown}' +
                     (f'\n  ... and {more} more' if more > 0 else ''))


def load_coco_json(ann_file: str, backend_args: Optional[dict] = None) -> dict:
    """Read a COCO json file, with an error naming the file when it is
    missing, truncated or not a COCO dict.

    Args:
        ann_file (str): The json file.
        backend_args (dict, optional): mmengine file backend arguments.

    Returns:
        dict: The parsed json.
    """
    if not file_exists(ann_file, backend_args):
        raise FileNotFoundError(f'{ann_file}: annotation file not found')
    try:
        text = fileio.get_text(ann_file, backend_args=backend_args)
    except UnicodeDecodeError as e:
        raise ValueError(f'{ann_file}: not UTF-8 text ({e.reason} at byte '
                         f'{e.start})') from None
    if not text.strip():
        raise ValueError(f'{ann_file}: empty annotation file')
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f'{ann_file}: invalid or truncated json: {e.msg} '
                         f'at line {e.lineno} column {e.colno}') from None
    if not isinstance(data, dict):
        raise ValueError(f'{ann_file}: a COCO annotation file holds a json '
                         f'object, got a {type(data).__name__}')
    return data


def _is_number(value) -> bool:
    return isinstance(
        value,
        (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _box_problem(x1: float, y1: float, x2: float, y2: float, width: float,
                 height: float, tolerance: float) -> Optional[str]:
    """What is wrong with the box ``x1 y1 x2 y2`` in a ``width x height``
    image, or None."""
    if x2 <= x1 or y2 <= y1:
        return (f'box width {x2 - x1:g} / height {y2 - y1:g} '
                'must be positive')
    if (x1 < -tolerance or y1 < -tolerance or x2 > width + tolerance
            or y2 > height + tolerance):
        return (f'box [x1 {x1:g}, y1 {y1:g}, x2 {x2:g}, y2 {y2:g}] lies '
                f'outside the {width:g}x{height:g} (w x h) image')
    return None


def _list_field(data: dict, key: str, ann_file: str,
                problems: List[str]) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        problems.append(f'{ann_file}: no {key!r} list' if value is
                        None else f'{ann_file}: {key!r} must be a list, got '
                        f'{type(value).__name__}')
        return []
    return value


def check_coco(data: dict,
               ann_file: str,
               classes: Sequence[str],
               img_prefix: str = '',
               backend_args: Optional[dict] = None,
               allow_class_subset: bool = False,
               box_tolerance: float = 1.0,
               require_annotations: bool = True) -> Tuple[List[str], int]:
    """List the problems of a parsed COCO detection json.

    Checked: the ``images`` / ``annotations`` / ``categories`` lists and
    their fields, unique ids, that ``classes`` and the categories agree
    (every class is a category, in the same order since mmdet numbers the
    labels in the json's category order; with ``allow_class_subset=False``
    every category is a class), that each annotation's ``image_id`` and
    ``category_id`` exist, that boxes have positive sides and lie inside
    their image (up to ``box_tolerance`` pixels), and that image files
    exist.

    Args:
        data (dict): The parsed json (:func:`load_coco_json`).
        ann_file (str): Its path, for the messages.
        classes (Sequence[str]): The data set's ``metainfo['classes']``.
        img_prefix (str): Folder the ``file_name`` entries are relative to
            (the data set's ``data_prefix['img']``).
        backend_args (dict, optional): mmengine file backend arguments.
        allow_class_subset (bool): Accept categories that are not classes
            (mmdet then drops their annotations on purpose).
            Defaults to False.
        box_tolerance (float): Pixels a box may stick out of its image
            (float rounding in converted annotations). Defaults to 1.0.
        require_annotations (bool): Whether an ``annotations`` list must
            be present (test-only image lists have none). Defaults to True.

    Returns:
        tuple: ``(problems, num_images)``, problems as ``file: problem``.
    """
    problems: List[str] = []
    images = _list_field(data, 'images', ann_file, problems)
    categories = _list_field(data, 'categories', ann_file, problems)
    if 'annotations' in data or require_annotations:
        annotations = _list_field(data, 'annotations', ann_file, problems)
    else:
        annotations = []
    if 'images' in data and isinstance(images, list) and not images:
        problems.append(f'{ann_file}: the images list is empty')

    # categories and classes
    cat_names = {}
    for i, cat in enumerate(categories):
        if not isinstance(cat, dict) or 'id' not in cat or 'name' not in cat:
            problems.append(f'{ann_file}: categories[{i}] needs an id and '
                            f'a name, got {cat!r}')
            continue
        if cat['id'] in cat_names:
            problems.append(f'{ann_file}: category id {cat["id"]!r} is '
                            'used twice')
        cat_names[cat['id']] = cat['name']
    if categories:
        names = list(cat_names.values())
        missing = [c for c in classes if c not in names]
        if missing:
            problems.append(f'{ann_file}: classes {missing} have no '
                            'category (mmdet would shift the labels of the '
                            'classes after them)')
        extra = [n for n in names if n not in classes]
        if extra and not allow_class_subset:
            problems.append(
                f'{ann_file}: categories {extra} are not in the data set '
                'classes (their annotations would be dropped; set '
                'allow_class_subset=True if that is intended)')
        order = [n for n in names if n in classes]
        if not missing and order != [c for c in classes if c in order]:
            problems.append(
                f'{ann_file}: categories are in the order {order}, the '
                f'classes in the order {list(classes)}: mmdet numbers the '
                'labels in category order, so predictions would carry the '
                'wrong class names')

    # images
    sizes = {}
    for i, img in enumerate(images):
        if not isinstance(img, dict):
            problems.append(f'{ann_file}: images[{i}] is not an object')
            continue
        absent = [
            k for k in ('id', 'file_name', 'width', 'height') if k not in img
        ]
        if absent:
            problems.append(f'{ann_file}: images[{i}] lacks {absent}')
            continue
        if img['id'] in sizes:
            problems.append(f'{ann_file}: image id {img["id"]!r} is used '
                            'twice')
        w, h = img['width'], img['height']
        if not (_is_number(w) and _is_number(h) and w > 0 and h > 0):
            problems.append(f'{ann_file}: image {img["file_name"]}: width '
                            f'{w!r} and height {h!r} must be positive')
            continue
        sizes[img['id']] = (img['file_name'], w, h)
        path = osp.join(img_prefix, img['file_name'])
        if not file_exists(path, backend_args):
            problems.append(f'{path}: missing image (images[{i}] of '
                            f'{ann_file})')

    # annotations
    all_image_ids = {img.get('id') for img in images if isinstance(img, dict)}
    ann_ids = set()
    for i, ann in enumerate(annotations):
        if not isinstance(ann, dict):
            problems.append(f'{ann_file}: annotations[{i}] is not an object')
            continue
        where = f'{ann_file}: annotation {ann.get("id", f"[{i}]")}'
        if 'id' in ann:
            if ann['id'] in ann_ids:
                problems.append(f'{where}: annotation id used twice')
            ann_ids.add(ann['id'])
        image = sizes.get(ann.get('image_id'))
        if image is None:
            # (an image with invalid fields is reported once, above)
            if ann.get('image_id') not in all_image_ids:
                problems.append(f'{where}: image_id {ann.get("image_id")!r}'
                                ' is not an image of the file')
            continue
        file_name, width, height = image
        where = f'{where} (image {file_name})'
        if ann.get('category_id') not in cat_names:
            problems.append(
                f'{where}: category_id {ann.get("category_id")!r} is not '
                f'among the categories {sorted(cat_names)}')
        bbox = ann.get('bbox')
        if not (isinstance(bbox, (list, tuple)) and len(bbox) == 4
                and all(map(_is_number, bbox))):
            problems.append(f'{where}: bbox must be 4 finite numbers '
                            f'[x, y, w, h], got {bbox!r}')
            continue
        x, y, w, h = bbox
        problem = _box_problem(x, y, x + w, y + h, width, height,
                               box_tolerance)
        if problem:
            problems.append(f'{where}: {problem}')
    return problems, len(images)


def _xml_number(obj: ET.Element, path: str) -> float:
    node = obj.find(path)
    if node is None or node.text is None:
        raise ValueError(f'no <{path}>')
    try:
        value = float(node.text)
    except ValueError:
        raise ValueError(f'<{path}> is {node.text!r}, not a number') from None
    if not math.isfinite(value):
        raise ValueError(f'<{path}> is {node.text!r}')
    return value


def check_voc_xml(xml_path: str,
                  img_path: str,
                  classes: Sequence[str],
                  backend_args: Optional[dict] = None,
                  box_tolerance: float = 1.0) -> List[str]:
    """List the problems of one Pascal VOC annotation file and its image.

    Checked: the file exists and is complete xml, the image exists, the
    ``<size>`` is positive, every object's name is one of ``classes`` and
    its box (1-based pixel indices, read as mmdet does: minus one) has
    positive sides and lies inside the image (up to ``box_tolerance``).

    Args:
        xml_path (str): The ``Annotations/<id>.xml`` file.
        img_path (str): Its ``JPEGImages/<id>.jpg`` image.
        classes (Sequence[str]): The data set's classes.
        backend_args (dict, optional): mmengine file backend arguments.
        box_tolerance (float): Pixels a box may stick out of its image.
            Defaults to 1.0.

    Returns:
        list[str]: ``file: problem`` lines.
    """
    problems = []
    if not file_exists(img_path, backend_args):
        problems.append(f'{img_path}: missing image (of {xml_path})')
    if not file_exists(xml_path, backend_args):
        return problems + [f'{xml_path}: missing annotation file']
    try:
        root = ET.fromstring(fileio.get(xml_path, backend_args=backend_args))
    except ET.ParseError as e:
        return problems + [f'{xml_path}: invalid or truncated xml ({e})']
    size = root.find('size')
    width = height = None
    if size is not None:
        try:
            width = _xml_number(size, 'width')
            height = _xml_number(size, 'height')
        except ValueError as e:
            problems.append(f'{xml_path}: <size>: {e}')
        else:
            if width <= 0 or height <= 0:
                problems.append(f'{xml_path}: <size> {width:g}x{height:g} '
                                'must be positive')
                width = height = None
    for k, obj in enumerate(root.findall('object'), 1):
        where = f'{xml_path}: object {k}'
        name = obj.findtext('name')
        if name not in classes:
            problems.append(f'{where}: class name {name!r} is not one of '
                            f'the classes {list(classes)}')
        difficult = obj.findtext('difficult')
        if difficult is not None and difficult.strip() not in ('0', '1'):
            problems.append(f'{where}: <difficult> is {difficult!r}, not '
                            '0 or 1')
        try:
            # mmdet's XMLDataset truncates to int and subtracts one
            x1, y1, x2, y2 = (
                int(_xml_number(obj, f'bndbox/{key}')) - 1
                for key in ('xmin', 'ymin', 'xmax', 'ymax'))
        except ValueError as e:
            problems.append(f'{where}: {e}')
            continue
        if width is None:
            if x2 <= x1 or y2 <= y1:
                problems.append(f'{where}: box width {x2 - x1} / height '
                                f'{y2 - y1} must be positive')
            continue
        problem = _box_problem(x1, y1, x2, y2, width, height, box_tolerance)
        if problem:
            problems.append(f'{where}: {problem}')
    return problems
