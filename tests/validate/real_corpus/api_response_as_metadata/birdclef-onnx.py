import pandas as pd
print(1)
