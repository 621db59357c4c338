# %%
from pathlib import Path

from src.models.unet import build_unet, SegmentationData
import matplotlib.pyplot as plt

data = Path("D:\\Research\\datasets\\Lung Segmentation")
dataset = SegmentationData(data / "CXR_png", data / "masks")
model = build_unet(depth=5)
model.load_weights("outputs\\Segmentation\\weights.h5")

# %%
plt.imshow(dataset[0][0], cmap="gray")
plt.show()
