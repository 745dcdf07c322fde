"""Runs first: every piece of the stack imports and its compiled ops work."""
import torch


def test_stack_imports_and_ops():
    import mmdet
    import mmdet.models  # noqa: F401
    import mmengine
    import mmpretrain
    import mmpretrain.models  # noqa: F401
    import mmseg
    import mmseg.models  # noqa: F401
    import torchvision
    from mmcv.ops import RoIAlign, nms
    from torchvision.ops import nms as tv_nms

    import mmrelvit
    assert mmrelvit.__version__
    assert mmengine.__version__ == '0.10.7'
    assert mmdet.__version__ == '3.3.0'
    assert mmseg.__version__ == '1.2.2'
    assert mmpretrain.__version__ == '1.2.0'
    assert torchvision.__version__.split('+')[0] == '0.28.0'

    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.],
                          [20., 20., 30., 30.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    _, keep = nms(boxes, scores, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    assert tv_nms(boxes, scores, 0.5).tolist() == [0, 2]

    feat = torch.arange(16.).view(1, 1, 4, 4)
    rois = torch.tensor([[0., 0., 0., 4., 4.]])
    out = RoIAlign((1, 1), spatial_scale=1.0, sampling_ratio=2,
                   aligned=True)(feat, rois)
    assert torch.allclose(out.flatten(), feat.mean().view(1))
