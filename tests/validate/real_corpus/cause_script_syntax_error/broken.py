import pandas as pd

def helper(:
    return 1

df = pd.DataFrame({'a': [1]})
rows = df.as_matrix()
print(undefined_total)
