print('a first push of the pipeline')
