class BaseModel:
    def __getattr__(self, name):
        return None


class Model(BaseModel):
    pass


class TransientModel(BaseModel):
    pass


class AbstractModel(BaseModel):
    pass
