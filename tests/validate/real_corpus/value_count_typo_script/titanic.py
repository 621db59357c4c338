import pandas as pd
import matplotlib.pyplot as plt
import seaborn as sns
df = pd.read_csv('/kaggle/input/titanic/train.csv')
conf_mat = [[1, 2], [3, 4]]
plt.heatmap(conf_mat, annot=True, fmt='d')
plt.show()

a = df['Survived'].value_count()
b = df['Survived'].value_count().index
plt.pie(a, labels=b, autopct='%1.1f%%')
plt.show()
