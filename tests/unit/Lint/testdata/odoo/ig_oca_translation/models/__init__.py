from . import items
