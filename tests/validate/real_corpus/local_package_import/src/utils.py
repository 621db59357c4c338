def hello():
    return 'Ready to work'
