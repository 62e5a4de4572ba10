class TransactionCase:
    def __getattr__(self, name):
        return None


def tagged(*tags):
    return lambda cls: cls
