def build_unet(depth):
    raise NotImplementedError


class SegmentationData:
    pass
