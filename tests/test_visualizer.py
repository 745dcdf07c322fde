"""tools/analysis_tools/visualize_relations.py on a tiny saved model."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import REPO
from PIL import Image

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'visualize_relations.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('visualize_relations', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONFIG = '''
model = dict(
    type='AuxSSLClassifier',
    backbone=dict(type='TokenViT', arch=dict(embed_dims=32, num_layers=2,
                  num_heads=2, feedforward_channels=64),
                  img_size=16, patch_size=4, in_channels=1),
    head=dict(type='VisionTransformerClsHead', num_classes=10,
              in_channels=32),
    aux_heads=dict({heads}),
    data_preprocessor=dict(num_classes=10, mean=[128.], std=[64.],
                           to_rgb=False))
'''
HEADS = dict(
    full="relation=dict(type='PatchRelationHead', in_channels=32, "
    "task='relation'), distance=dict(type='PatchRelationHead', "
    "in_channels=32, task='distance')",
    recipe="relation=dict(type='PatchRelationHead', in_channels=32, "
    "task='relation'), position=dict(type='AbsPositionHead', "
    'in_channels=32, num_patches=16)')


def save_model(tmp_path, kind, drop_key=None):
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    import mmrelvit.models  # noqa: F401
    cfg_path = tmp_path / f'{kind}.py'
    cfg_path.write_text(CONFIG.format(heads=HEADS[kind]))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(cfg_path)).model)
    state = model.state_dict()
    if drop_key is not None:
        state = {k: v for k, v in state.items() if not k.startswith(drop_key)}
    ckpt = tmp_path / f'{kind}.pth'
    torch.save(dict(state_dict=state, meta=dict()), str(ckpt))
    return str(cfg_path), str(ckpt), model


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'img.png'
    # a non-square RGB image: resized and converted to the model's 1x16x16
    Image.fromarray(
        np.random.RandomState(0).randint(0, 256, (20, 24, 3),
                                         dtype=np.uint8)).save(path)
    return str(path)


def test_png_has_the_requested_layout(tmp_path, image):
    tool = load_tool()
    cfg, ckpt, model = save_model(tmp_path, 'full')
    out = tmp_path / 'out.png'
    tool.main([
        cfg, ckpt, image, '--patch', '5', '--out',
        str(out), '--fig-width', '10', '--dpi', '40'
    ])
    assert out.stat().st_size > 2000
    with Image.open(out) as png:
        assert png.size == (400, round(tool.FIG_ASPECT * 400))
        pixels = np.asarray(png.convert('RGB'))
    assert pixels.std() > 10  # something was drawn

    # the panels show the heads' own predictions for pairs (j, I)
    img = tool.load_image(image, 16, 1)
    pred = tool.predict(model.eval(), img, 5, 'cpu')
    assert pred['grid'] == (4, 4) and pred['rel_source'] == "head 'relation'"
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=[torch.from_numpy(img)[None]]), False)
        grid = model.extract_tokens(data['inputs'])[1][-1]
        scores = model.aux_heads['relation'](grid)[0]
        dist = model.aux_heads['distance'](grid)[0, 0, :, 5]
    np.testing.assert_array_equal(pred['rel_pred'],
                                  scores[:, :, 5].argmax(0).numpy())
    # distances in patch units: targets rescaled from [-1, 1]
    np.testing.assert_allclose(
        pred['dist_pred'], (dist.numpy() + 1) * 1.5 * np.sqrt(2), rtol=1e-5)
    # true relation of patch 5 (row 1, col 1): patch 0 is left-up of it
    assert pred['rel_true'][0] == 0 and pred['rel_true'][5] == 4
    assert pred['rel_true'][15] == 8 and pred['dist_true'][5] == 0
    np.testing.assert_allclose(pred['dist_true'][15], np.sqrt(8), rtol=1e-5)


def test_recipe_model_derives_distance_from_positions(tmp_path, image):
    tool = load_tool()
    cfg, ckpt, model = save_model(tmp_path, 'recipe')
    img = tool.load_image(image, 16, 1)
    pred = tool.predict(model.eval(), img, 0, 'cpu')
    assert pred['dist_source'] == 'from AbsPos'
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=[torch.from_numpy(img)[None]]), False)
        grid = model.extract_tokens(data['inputs'])[1][-1]
        pos = model.aux_heads['position'](grid)[0].argmax(0).numpy()
    rows, cols = np.divmod(pos, 4)
    expected = np.hypot(rows - rows[0], cols - cols[0])
    np.testing.assert_allclose(pred['dist_pred'], expected, atol=1e-5)

    out = tmp_path / 'recipe.png'
    tool.main([
        cfg, ckpt, image, '--patch', '0', '--out',
        str(out), '--fig-width', '8', '--dpi', '30'
    ])
    with Image.open(out) as png:
        assert png.size == (240, round(tool.FIG_ASPECT * 240))
    with pytest.raises(ValueError, match='--patch must be in'):
        tool.main([cfg, ckpt, image, '--patch', '16', '--out', str(out)])


def test_missing_head_weights_are_an_error(tmp_path, image):
    tool = load_tool()
    cfg, ckpt, _ = save_model(tmp_path, 'full', drop_key='aux_heads.')
    with pytest.raises(KeyError, match='aux_heads.relation'):
        tool.main([
            cfg, ckpt, image, '--patch', '0', '--out',
            str(tmp_path / 'x.png')
        ])
