import os
import numpy as np
import pandas as pd
import torch
from torchvision import models


class Config:
    here = os.path.dirname(os.path.abspath(__file__))
    kaggle_data = '/kaggle/input/mri-npy'
    data_dir = kaggle_data if os.path.isdir(kaggle_data) else here
    csv_path = os.path.join(here, 'labels.csv')
    checkpoint = os.path.join(here, 'best.pth')
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


cfg = Config()


def build_model():
    model = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
    model.fc = torch.nn.Linear(model.fc.in_features, 2)
    return model


def main():
    labels = pd.read_csv(cfg.csv_path)
    model = build_model().to(cfg.device)
    volume = np.load(labels['filepath'][0])
    print(volume.shape)
    torch.save(model.state_dict(), cfg.checkpoint)


if __name__ == '__main__':
    main()
