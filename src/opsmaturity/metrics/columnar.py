"""placeholder"""

def frames_from_store(store, *, options):
    raise NotImplementedError
