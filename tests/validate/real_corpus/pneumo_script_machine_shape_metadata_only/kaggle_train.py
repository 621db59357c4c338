import glob
import torch

device = 'cuda' if torch.cuda.is_available() else 'cpu'
images = glob.glob('/kaggle/input/**/*.jpeg', recursive=True)
print(device, len(images))
