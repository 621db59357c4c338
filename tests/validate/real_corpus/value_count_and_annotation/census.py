import pandas as pd
df = pd.read_csv('/kaggle/input/adult-census/adult.csv')

def race_counts(df) -> Series:
    return df['race'].value_count()

def average_age_men(df) -> float:
    return df[df['sex'] == 'Male']['age'].mean()

print(race_counts(df))
